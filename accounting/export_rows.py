"""The rows of an export batch, read fast: one JournalEntryRow per entry, its lines in position order.

A 1,000,000-line export spends most of its time here, so the read is tuned:

- PostgreSQL, outside a transaction: the rows come as COPY text lines on a second connection
  (core.pg_copy), about twice as fast as a server-side cursor, and parsed below.
- Otherwise (SQLite, the embedded default; or inside an open transaction, whose rows a second connection
  could not see): a server-side cursor over the same query, its values turned into the same text fields.

Rows are built as tuples (``tuple.__new__`` on the NamedTuple types), skipping per-row keyword handling.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator

from django.db import connection

from accounting.exporters.base import JournalEntryRow, JournalLineRow, VendorMapping
from accounting.rules.tax_category import TaxKey
from core.pg_copy import copy_lines

_COLUMNS = """
SELECT l.entry_id, e.entry_date, c.number, l.side, l.account_code, l.account_name, l.sub_account, l.department,
       l.tax_code, l.amount, l.tax_amount, l.memo, l.special_case, l.special_case_note, l.counterparty,
       l.registration_number, l.claim_line_id, l.receipt_id
"""
# Entries of a period that no batch holds: merge joins in entry order, so rows stream from the first one.
_UNEXPORTED_FROM = """
FROM accounting_journalentry e
JOIN accounting_journalline l ON l.entry_id = e.id
JOIN expenses_claim c ON c.id = e.claim_id
WHERE e.entry_date BETWEEN %s AND %s
  AND NOT EXISTS (SELECT 1 FROM accounting_exportitem i WHERE i.entry_id = e.id)
"""
UNEXPORTED_ROWS_SQL = _COLUMNS + _UNEXPORTED_FROM + "ORDER BY l.entry_id, l.position"
# One part of a large export (accounting.export_parts): the entry ids bound both tables, so each index scan
# starts at its own part.
UNEXPORTED_PART_ROWS_SQL = _COLUMNS + _UNEXPORTED_FROM + """  AND e.id BETWEEN %s AND %s AND l.entry_id BETWEEN %s AND %s
ORDER BY l.entry_id, l.position
"""
BATCH_ROWS_SQL = _COLUMNS + """
FROM accounting_exportitem i
JOIN accounting_journalentry e ON e.id = i.entry_id
JOIN accounting_journalline l ON l.entry_id = i.entry_id
JOIN expenses_claim c ON c.id = e.claim_id
WHERE i.batch_id = %s
ORDER BY l.entry_id, l.position
"""


class EntryRuns:
    """Written entry ids as runs of consecutive ids, the compact form the claims insert (ids come ascending)."""

    __slots__ = ("entries", "lines", "runs")

    def __init__(self) -> None:
        self.entries = self.lines = 0
        self.runs: list[list[int]] = []  # [first, last] pairs

    def add(self, entry: JournalEntryRow) -> None:
        number = entry.number
        runs = self.runs
        if runs and runs[-1][1] == number - 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
        self.entries += 1
        self.lines += len(entry.lines)

    def to_text(self) -> str:
        """``<entries> <lines> <first>-<last>,…`` (one line of an export worker's output)."""
        return f"{self.entries} {self.lines} {','.join(f'{a}-{b}' for a, b in self.runs)}"

    @classmethod
    def from_text(cls, text: str) -> "EntryRuns":
        block = cls()
        entries, lines, runs = text.split(" ")
        block.entries, block.lines = int(entries), int(lines)
        block.runs = [[int(n) for n in run.split("-")] for run in runs.split(",")]
        return block


def in_blocks(entries: Iterable[JournalEntryRow], size: int,
              on_block: Callable[[EntryRuns], None]) -> Iterator[JournalEntryRow]:
    """Pass entries through to a writer; each ``size`` entries handed over, and the rest at the end, go to
    ``on_block`` (claims and progress)."""
    written = EntryRuns()
    for entry in entries:
        yield entry
        written.add(entry)
        if written.entries >= size:
            on_block(written)
            written = EntryRuns()
    if written.entries:
        on_block(written)


def part_rows_params(period_from: datetime.date, period_to: datetime.date, first_id: int, last_id: int) -> list:
    return [period_from, period_to, first_id, last_id, first_id, last_id]


def can_stream() -> bool:
    """COPY on a second connection sees committed rows only: not for rows of an open transaction."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def iter_unexported_entries(period_from: datetime.date, period_to: datetime.date, *, mapping: VendorMapping,
                            fast: bool | None = None) -> Iterator[JournalEntryRow]:
    """The period's entries that no export batch holds, in entry order, with constant memory."""
    return _entries(UNEXPORTED_ROWS_SQL, [period_from, period_to], mapping=mapping, fast=fast)


def iter_export_entries(batch_id: int, *, mapping: VendorMapping, fast: bool | None = None) -> Iterator[JournalEntryRow]:
    """The entries a batch holds, in entry order, with constant memory. ``fast`` forces COPY on or off."""
    return _entries(BATCH_ROWS_SQL, [batch_id], mapping=mapping, fast=fast)


def _entries(sql: str, params: list, *, mapping: VendorMapping, fast: bool | None) -> Iterator[JournalEntryRow]:
    if fast is None:
        fast = can_stream()
    rows = copy_lines(sql, params) if fast else _cursor_lines(sql, params)
    return parse_export_rows(rows, mapped_accounts=frozenset(mapping.accounts))


def _cursor_lines(sql: str, params: list, chunk_size: int = 2000) -> Iterator[list[str]]:
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            for row in rows:
                yield ["" if value is None else str(value) for value in row]


def parse_export_rows(rows: Iterable[list[str]], *, mapped_accounts: frozenset[str]) -> Iterator[JournalEntryRow]:
    """Group text rows (ordered by entry) into entries. NULL and "" are alike: only integers are nullable."""
    new = tuple.__new__
    keys: dict[str, TaxKey] = {}
    dates: dict[str, datetime.date] = {}
    current_id = None
    current: JournalEntryRow | None = None
    lines: list[JournalLineRow] = []
    for (entry_id, day, claim_number, side, account_code, account_name, sub_account, department, tax_code,
         amount, tax_amount, memo, special_case, note, counterparty, registration, claim_line_id, receipt_id) in rows:
        if entry_id != current_id:
            if current is not None:
                yield current
            date = dates.get(day)
            if date is None:
                date = dates[day] = datetime.date.fromisoformat(day)
            lines = []
            # number, date, lines, claim_number, due_date, settlement
            current = new(JournalEntryRow, (int(entry_id), date, lines, claim_number, None, None))
            current_id = entry_id
        key = keys.get(tax_code)
        if key is None:
            key = keys[tax_code] = TaxKey.from_code(tax_code)
        # field order of JournalLineRow: side … receipt_id, tags
        lines.append(new(JournalLineRow, (
            side, account_code if account_code in mapped_accounts else account_name, int(amount), key,
            int(tax_amount) if tax_amount else None, sub_account, department, memo, counterparty, "", registration,
            special_case, note, int(claim_line_id) if claim_line_id else None,
            int(receipt_id) if receipt_id else None, (),
        )))
    if current is not None:
        yield current
