"""Large exports formatted by several processes, one per part of the entries (split by entry id).

Formatting costs Python CPU per line and is the slowest step of a large export, so a big batch is cut into
id ranges. Each range is read by its own COPY helper (core.pg_copy) and formatted by its own worker process
(accounting.export_worker), and the parts are joined in entry order behind the file's BOM and header. The
parent hands each worker's written entry ids to the claims, adds up progress and reports, and removes every
part file whatever happens; a failed part fails the whole build.
"""

import datetime
import hashlib
import json
import os
import selectors
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from django.conf import settings
from django.db import connection

from accounting.export_rows import UNEXPORTED_PART_ROWS_SQL, EntryRuns, part_rows_params
from accounting.exporters import ExportError, ExportReport, JournalExporter, exporter_spec
from core.pg_copy import finish_copy, start_copy

_READ_BYTES = 1 << 20


class ExportWorkerError(RuntimeError):
    """A worker process died (its traceback is the message)."""


def part_count(entries: int) -> int:
    """One part per available core, each of at least SEISAN_EXPORT_PART_ENTRIES entries."""
    return max(1, min(settings.SEISAN_EXPORT_WORKERS, entries // settings.SEISAN_EXPORT_PART_ENTRIES))


def part_bounds(period_from: datetime.date, period_to: datetime.date, parts: int) -> list[tuple[int, int]]:
    """Equal id ranges over the period's entries (an index-only read of (entry_date, id))."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM accounting_journalentry WHERE entry_date BETWEEN %s AND %s",
                       [period_from, period_to])
        low, high = cursor.fetchone()
    if low is None:
        return []
    step = -(-(high - low + 1) // parts)
    return [(start, min(start + step - 1, high)) for start in range(low, high + 1, step)]


class _Part:
    """One id range: its COPY helper piped straight into its worker, and what the worker reported."""

    def __init__(self, exporter: JournalExporter, path: Path, sql_params: list, *, append: bool, block: int) -> None:
        self.path = path
        self.buffer = self.stderr = b""
        self.open_streams = 0
        self.report: dict | None = None
        self.error: str | None = None
        self.worker: subprocess.Popen | None = None
        self.copy = start_copy(UNEXPORTED_PART_ROWS_SQL, sql_params)
        try:
            source = self.copy.stdout.fileno()
            self.worker = subprocess.Popen(
                [sys.executable, "-m", "accounting.export_worker", str(source)], pass_fds=(source,),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(settings.BASE_DIR))
            self.copy.stdout.close()  # the worker holds the read end now
            self.worker.stdin.write(json.dumps({"exporter": exporter_spec(exporter), "path": str(path),
                                                "append": append, "block": block}).encode())
            self.worker.stdin.close()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Kill what still runs (a no-op after a clean finish) and release the pipes."""
        if self.worker is not None:
            if self.worker.poll() is None:
                self.worker.kill()
            self.worker.wait()
            for stream in (self.worker.stdin, self.worker.stdout, self.worker.stderr):
                stream.close()
        finish_copy(self.copy, complete=False)


def write_parts(exporter: JournalExporter, period: tuple[datetime.date, datetime.date],
                bounds: Sequence[tuple[int, int]], path: Path,
                on_block: Callable[[EntryRuns], None]) -> tuple[int, str, ExportReport]:
    """Write the file at ``path`` from one worker per id range; returns its size, SHA-256 and report.

    ``on_block(runs)`` gets each block of entries as a worker hands it to its writer.
    """
    parts: list[_Part] = []
    try:
        head = exporter.preamble()
        path.write_bytes(head)
        for index, (first, last) in enumerate(bounds):
            # the first part goes straight into the file, after the preamble; the others are appended later
            part_path = path if index == 0 else path.with_name(f"{path.name}.part{index}")
            parts.append(_Part(exporter, part_path, part_rows_params(*period, first, last), append=index == 0,
                               block=10_000))
        _collect(parts, on_block)
        return _join(parts, path, len(head))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    finally:
        for part in parts:
            part.stop()
            if part.path != path:
                part.path.unlink(missing_ok=True)


def _collect(parts: list[_Part], on_block: Callable[[EntryRuns], None]) -> None:
    """Read every worker's messages until all have finished; the first failure stops the build."""
    with selectors.DefaultSelector() as streams:
        for part in parts:
            streams.register(part.worker.stdout, selectors.EVENT_READ, (part, "out"))
            streams.register(part.worker.stderr, selectors.EVENT_READ, (part, "err"))
            part.open_streams = 2
        finished = 0
        while finished < len(parts):
            for key, _events in streams.select():
                part, kind = key.data
                data = key.fileobj.read1(_READ_BYTES)
                if not data:
                    streams.unregister(key.fileobj)
                    part.open_streams -= 1
                    if not part.open_streams:
                        _check(part)
                        finished += 1
                elif kind == "err":
                    part.stderr += data
                else:
                    *messages, part.buffer = (part.buffer + data).split(b"\n")
                    for message in messages:
                        _handle(part, message.decode(), on_block)


def _check(part: _Part) -> None:
    """A worker that closed its output: raise its failure, or its COPY helper's."""
    if part.worker.wait() != 0 or part.report is None:
        if part.error is not None:
            raise ExportError(part.error)
        raise ExportWorkerError(part.stderr.decode(errors="replace") or f"exit status {part.worker.returncode}")
    finish_copy(part.copy, complete=True)  # a failed COPY raises CopyError


def _handle(part: _Part, message: str, on_block: Callable[[EntryRuns], None]) -> None:
    kind, _, body = message.partition(" ")
    if kind == "ids":
        on_block(EntryRuns.from_text(body))
    elif kind == "report":
        part.report = json.loads(body)
    elif kind == "error":
        part.error = json.loads(body)


def _join(parts: list[_Part], path: Path, preamble_bytes: int) -> tuple[int, str, ExportReport]:
    """Append the later parts to the file (a copy inside the kernel), then hash the whole file once."""
    report = ExportReport(bytes_written=preamble_bytes)
    for part in parts:
        report.merge(part.report)
    out = os.open(path, os.O_WRONLY)  # not O_APPEND: copy_file_range refuses it
    try:
        os.lseek(out, 0, os.SEEK_END)
        for part in parts[1:]:
            with open(part.path, "rb") as source:
                remaining = os.fstat(source.fileno()).st_size
                while remaining:
                    copied = os.copy_file_range(source.fileno(), out, remaining)
                    if not copied:  # the part shrank under us: never loop, never ship a short file
                        raise ExportWorkerError(f"{part.path.name}: {remaining} bytes missing")
                    remaining -= copied
        size = os.fstat(out).st_size
    finally:
        os.close(out)
    if size != report.bytes_written:
        raise ExportWorkerError(f"joined file has {size} bytes, the workers wrote {report.bytes_written}")
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_READ_BYTES):
            digest.update(block)
    return report.bytes_written, digest.hexdigest(), report
