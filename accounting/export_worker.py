"""The process that formats one part of a large journal export (started by accounting.export_parts).

Input: a JSON job on stdin, ``{"exporter": exporter_spec(...), "path": part file, "append": bool, "block":
entries}`` (``append``: the first part goes straight after the file's preamble), and on
the file descriptor named in ``argv[1]`` the COPY text of the part's rows (a core.pg_copy_child's stdout).
Output: the part's CSV rows (no BOM, no header) in ``path``, and on stdout one message per line:

- ``ids <entries> <lines> <first>-<last>,…`` after each block of entries handed to the writer (the
  parent claims those ids and shows progress; see EntryRuns);
- ``report <json>`` at the end: the part's ExportReport;
- ``error <json string>``: the data cannot be written in this format (ExportError), exit status 2.

Any other failure leaves a traceback on stderr and exit status 1. Django is not set up: the worker
only parses and formats, so it starts in a fraction of a second.
"""

import json
import os
import sys
from typing import TextIO

from accounting.export_rows import EntryRuns, in_blocks, parse_export_rows
from accounting.exporters import ExportError, exporter_from_spec
from core.pg_copy import copy_rows


def _report(out: TextIO, written: EntryRuns) -> None:
    out.write(f"ids {written.to_text()}\n")
    out.flush()


def main(argv: list[str]) -> int:
    job = json.loads(sys.stdin.buffer.read())
    exporter = exporter_from_spec(job["exporter"])
    out = sys.stdout
    with os.fdopen(int(argv[1]), "rb") as source, open(job["path"], "ab" if job["append"] else "wb") as handle:
        entries = parse_export_rows(copy_rows(source), mapped_accounts=frozenset(exporter.mapping.accounts))
        try:
            blocks = in_blocks(entries, job["block"], lambda written: _report(out, written))
            for chunk in exporter.iter_chunks(blocks, preamble=False):
                handle.write(chunk)
        except ExportError as exc:
            out.write(f"error {json.dumps(str(exc))}\n")
            return 2
    out.write(f"report {json.dumps(exporter.report.to_dict())}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
