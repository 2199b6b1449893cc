"""Read a large query result through PostgreSQL's COPY, streamed, on a connection of its own.

A server-side cursor hands Python one typed value at a time; ``COPY (query) TO STDOUT`` hands it text
lines at the server's own speed, and splitting a line is cheap. The COPY runs in a thread on a separate
connection so that the caller can keep using Django's connection (progress updates) while it reads;
a bounded queue keeps memory constant. The separate connection sees committed data only, so callers
must not use it for rows written in their own open transaction.

Lines come in COPY's text format with ``NULL ''``: fields are split on TAB, and both NULL and the empty
string arrive as ``""`` (callers use it only where text columns are NOT NULL). A line holding a backslash
has escapes, undone by ``unescape``.
"""

import queue
import re
import threading
from collections.abc import Iterator

from django.db import connection

_BATCH_ROWS = 2000  # rows per queue item: one put per row would cost more than the rows themselves
_QUEUE_ITEMS = 32  # ~64,000 rows in flight at most
_DONE = object()
_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "\\": "\\"}


class _Abandoned(Exception):
    """The reader stopped early; unwinds the COPY thread."""


class _QueueWriter:
    """File-like target of ``copy_expert``: groups rows and hands them to the reading thread."""

    def __init__(self, target: queue.Queue, stop: threading.Event) -> None:
        self.target = target
        self.stop = stop
        self.rows: list[bytes] = []

    def write(self, data: bytes) -> int:
        rows = self.rows
        rows.append(data)
        if len(rows) >= _BATCH_ROWS:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.rows:
            self._put(b"".join(self.rows))
            self.rows = []

    def _put(self, item) -> None:
        while True:
            if self.stop.is_set():
                raise _Abandoned
            try:
                self.target.put(item, timeout=0.2)
                return
            except queue.Full:
                continue


def unescape(field: str) -> str:
    """Undo COPY text-format escapes (``\\t``, ``\\n``, ``\\\\`` …)."""
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), field)


def copy_lines(sql: str, params: list) -> Iterator[list[str]]:
    """Yield each row of ``sql`` as its list of text fields (see the module docstring)."""
    params_for_connection = connection.get_connection_params()
    reader = connection.get_new_connection(params_for_connection)
    items: queue.Queue = queue.Queue(maxsize=_QUEUE_ITEMS)
    stop = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        writer = _QueueWriter(items, stop)
        try:
            with reader.cursor() as cursor:
                # the text the parser expects, whatever the server's defaults: UTF-8, ISO dates
                cursor.execute("SET client_encoding TO 'UTF8'; SET DateStyle TO ISO")
                query = cursor.mogrify(sql, params).decode()
                cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT text, NULL '')", writer)
            writer.flush()
        except _Abandoned:
            pass
        except BaseException as exc:  # handed to the reading thread, which raises it
            failure.append(exc)
        finally:
            try:
                writer._put(_DONE)
            except _Abandoned:
                pass

    thread = threading.Thread(target=run, name="pg-copy", daemon=True)
    thread.start()
    try:
        rest = ""
        while True:
            item = items.get()
            if item is _DONE:
                break
            lines = (rest + item.decode()).split("\n")
            rest = lines.pop()  # always "": COPY ends every row with a newline
            for line in lines:
                fields = line.split("\t")
                if "\\" in line:
                    fields = [unescape(f) for f in fields]
                yield fields
        if failure:
            raise failure[0]
    finally:
        stop.set()
        thread.join()
        reader.close()
