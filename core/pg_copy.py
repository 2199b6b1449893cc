"""Read a large query result through PostgreSQL's COPY, streamed from a helper process.

A server-side cursor hands Python one typed value at a time; ``COPY (query) TO STDOUT`` hands it text
lines at the server's own speed, and splitting a line is cheap. The COPY runs in a small child process
(core.pg_copy_child) on a connection of its own: psycopg2 calls back into Python once per row, and in a
thread of this process those million callbacks would fight the parsing thread for the GIL. The pipe
between the two processes keeps memory constant. The separate connection sees committed data only, so
callers must not use it for rows written in their own open transaction.

Lines come in COPY's text format with ``NULL ''``: fields are split on TAB, and both NULL and the empty
string arrive as ``""`` (callers use it only where text columns are NOT NULL). A line holding a backslash
has escapes, undone by ``unescape``.

``start_copy`` gives the helper process itself, for a reader in another process (accounting.export_worker);
``copy_rows`` parses its output wherever it is read, and needs no Django.
"""

import codecs
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import BinaryIO

_READ_BYTES = 1 << 20
_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "\\": "\\"}


class CopyError(RuntimeError):
    """The COPY failed in the helper process (its message is PostgreSQL's)."""


def unescape(field: str) -> str:
    """Undo COPY text-format escapes (``\\t``, ``\\n``, ``\\\\`` …)."""
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), field)


def copy_rows(stream: BinaryIO) -> Iterator[list[str]]:
    """Split COPY text read from a pipe into rows of fields."""
    rest = ""
    decoder = codecs.getincrementaldecoder("utf-8")()  # a read may end inside a character
    while data := stream.read1(_READ_BYTES):
        lines = (rest + decoder.decode(data)).split("\n")
        rest = lines.pop()  # a row cut by the pipe: completed by the next read
        for line in lines:
            fields = line.split("\t")
            if "\\" in line:
                fields = [unescape(f) for f in fields]
            yield fields


def start_copy(sql: str, params: list) -> subprocess.Popen:
    """Start the helper for ``sql`` (Django's connection settings); its stdout is the COPY text."""
    from django.conf import settings
    from django.db import connection

    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()
    connect = {k: v for k, v in connection.get_connection_params().items() if isinstance(v, str | int)}
    job = json.dumps({"params": connect, "sql": f"COPY ({query}) TO STDOUT WITH (FORMAT text, NULL '')"})
    child = subprocess.Popen([sys.executable, "-m", "core.pg_copy_child"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(settings.BASE_DIR))
    child.stdin.write(job.encode())
    child.stdin.close()
    return child


def finish_copy(child: subprocess.Popen, *, complete: bool) -> None:
    """Reap the helper; raise CopyError if it failed. An incomplete read stops the COPY."""
    try:
        if not complete and child.poll() is None:
            child.kill()
        if child.wait() != 0 and complete:
            raise CopyError(child.stderr.read().decode(errors="replace") or f"exit status {child.returncode}")
    finally:
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()


def copy_lines(sql: str, params: list) -> Iterator[list[str]]:
    """Yield each row of ``sql`` as its list of text fields (see the module docstring)."""
    child = start_copy(sql, params)
    complete = False
    try:
        yield from copy_rows(child.stdout)
        complete = True
    finally:
        finish_copy(child, complete=complete)
