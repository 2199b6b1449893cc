"""Plain journal rows, the vendor mapping object and the incremental CSV writer shared by all exporters.

Exporters are pure writers (style.md §8): the posting service builds ``JournalEntryRow`` objects from
the database and passes an iterable (a generator over a server-side cursor works); the exporter writes
CSV bytes to a binary stream in chunks, so memory stays constant for 1,000,000-line exports.

Per cell, text is made safe once:

- formula injection: a text cell starting with ``= + - @``, TAB or CR gets a leading ``'``
  (numeric columns are written from ints and never touched, so ``-500`` stays ``-500``);
- CR/LF inside a cell become one space (弥生 and MF import one record per physical line);
- characters the target encoding cannot hold (cp932 has no 𠮷 and no emoji) become
  ``〓`` and are reported in ``ExportReport`` — an export never crashes on a name;
- byte limits (弥生 摘要 64 bytes, 仕訳メモ 180) cut on a character boundary of the target encoding.

Repeated strings (account names, tax names, sub-accounts) are cleaned once and cached.
"""

import abc
import datetime as dt
import enum
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import BinaryIO, ClassVar, NamedTuple

from accounting.rules.tax_category import OUT_OF_SCOPE, TaxKey

SUBSTITUTE_CHAR = "〓"  # 下駄記号: visible, and present in cp932
_FORMULA_START = frozenset("=+-@\t\r")
_NEWLINES = re.compile(r"[\r\n]+")
_EMPTY_MAP: Mapping[str, str] = MappingProxyType({})


def _empty_map() -> Mapping[str, str]:
    return _EMPTY_MAP


class ExportError(ValueError):
    """The data cannot be written in this format (unbalanced entry, missing mapping, bad amount)."""


class Side(enum.StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


class AccountingMethod(enum.StrEnum):
    """The company's 経理方式 (domain.md §16); decides 弥生 込 / 内."""

    TAX_INCLUDED = "tax_included"  # 税込経理
    TAX_EXCLUDED = "tax_excluded"  # 税抜経理


class JournalLineRow(NamedTuple):
    """One debit or credit line (domain.md R10.4). Amounts are integer yen, tax-inclusive.

    A tuple, not a dataclass: a 1,000,000-line export builds one per line, and a tuple is built several
    times faster. ``side`` may be given as the plain string ``"debit"``/``"credit"`` (``Side`` is a StrEnum).

    ``account`` is an internal account code; the vendor mapping turns it into the vendor's account name
    (an unmapped code is written as-is, so a name can be passed directly). ``tax_amount`` is the tax
    contained in ``amount`` as computed once per receipt per rate (R6.2) — exporters never recompute it.
    """

    side: Side
    account: str
    amount: int
    tax: TaxKey = OUT_OF_SCOPE
    tax_amount: int | None = None
    sub_account: str = ""
    department: str = ""
    memo: str = ""  # 摘要 text without the special-case note
    counterparty: str = ""  # 取引先 name (the employee for reimbursements)
    counterparty_code: str = ""  # freee 取引先コード
    registration_number: str = ""  # T + 13 digits, when the receipt shows one
    special_case: str = ""  # expenses.rules.special_cases.SpecialCase value, "" / "none" for none
    special_case_note: str = ""  # R3.9 wording; exporters put it first in 摘要 unless already there
    claim_line_id: str | int | None = None  # R7.8
    receipt_id: str | int | None = None  # R7.8
    tags: Sequence[str] = ()  # MF タグ / freee メモタグ; must exist in the product


@dataclass(frozen=True, slots=True)
class Settlement:
    """freee 取引: the 取引 is already paid (決済日, 決済口座). Absent → 未決済."""

    date: dt.date
    account: str


class JournalEntryRow(NamedTuple):
    """One balanced journal entry (伝票). ``number`` is the MF 取引No / optional 弥生 伝票No."""

    number: int
    date: dt.date
    lines: Sequence[JournalLineRow]
    claim_number: str = ""  # e.g. ER-2026-0012 (R7.8); freee 管理番号
    due_date: dt.date | None = None  # freee 決済期日 (planned payment day)
    settlement: Settlement | None = None


@dataclass(frozen=True, slots=True)
class VendorMapping:
    """Tenant-editable vendor vocabulary (formats.md "General rule"); defaults in default_mappings.py.

    ``tax_names`` maps ``TaxKey.code`` → vendor 税区分. A 弥生 name may contain ``{calc}``, replaced by
    ``accounting_method_marks[<AccountingMethod>]`` (込 / 内). ``invoice_names`` is MF's インボイス column.
    ``literals`` holds other vendor words (freee 収支区分 ``支出``, 税計算区分 ``内税``).
    """

    vendor: str
    tax_names: Mapping[str, str]
    accounts: Mapping[str, str] = field(default_factory=_empty_map)
    invoice_names: Mapping[str, str] = field(default_factory=_empty_map)
    accounting_method_marks: Mapping[str, str] = field(default_factory=_empty_map)
    literals: Mapping[str, str] = field(default_factory=_empty_map)

    def account_name(self, code: str) -> str:
        return self.accounts.get(code, code)

    def tax_name(self, key: TaxKey, method: AccountingMethod | None = None) -> str:
        try:
            name = self.tax_names[key.code]
        except KeyError:
            raise ExportError(f"{self.vendor}: no 税区分 mapped for tax key {key.code!r}") from None
        if "{calc}" in name:
            if method is None or str(method) not in self.accounting_method_marks:
                raise ExportError(f"{self.vendor}: 税区分 {name!r} needs an accounting method mark")
            name = name.replace("{calc}", self.accounting_method_marks[str(method)])
        return name

    def invoice_name(self, key: TaxKey) -> str:
        return self.invoice_names.get(key.code, "")

    def literal(self, name: str) -> str:
        try:
            return self.literals[name]
        except KeyError:
            raise ExportError(f"{self.vendor}: mapping has no literal {name!r}") from None

    def to_dict(self) -> dict:
        """Plain JSON-ready form, to rebuild the mapping in an export worker process."""
        return {"vendor": self.vendor, **{name: dict(getattr(self, name)) for name in _MAPPING_TABLES}}


_MAPPING_TABLES = ("tax_names", "accounts", "invoice_names", "accounting_method_marks", "literals")


@dataclass(frozen=True, slots=True)
class Substitution:
    entry_number: int
    column: str
    characters: str  # the characters replaced by SUBSTITUTE_CHAR
    original: str


@dataclass(slots=True)
class ExportReport:
    """What was written; show substitutions to 経理 before they import the file."""

    entries: int = 0
    rows: int = 0
    bytes_written: int = 0
    substitution_count: int = 0  # cells that had at least one character replaced
    substitutions: list[Substitution] = field(default_factory=list)  # first MAX_REPORTED of them
    truncated_cells: int = 0

    MAX_REPORTED: ClassVar[int] = 1000

    def to_dict(self) -> dict:
        return {"entries": self.entries, "rows": self.rows, "bytes_written": self.bytes_written,
                "substitution_count": self.substitution_count, "truncated_cells": self.truncated_cells,
                "substitutions": [[s.entry_number, s.column, s.characters, s.original] for s in self.substitutions]}

    def merge(self, part: dict) -> None:
        """Add the report of a part written elsewhere (``to_dict`` form), in file order."""
        for name in ("entries", "rows", "bytes_written", "substitution_count", "truncated_cells"):
            setattr(self, name, getattr(self, name) + part[name])
        room = self.MAX_REPORTED - len(self.substitutions)
        self.substitutions.extend(Substitution(*values) for values in part["substitutions"][:max(room, 0)])


def remember(cache: dict, key, value):
    """Store a cleaned, joined cell group for the rest of the export; a full cache starts over, which bounds
    memory on pathological inputs (a million distinct combinations) at the cost of cleaning some twice."""
    if len(cache) > 100_000:
        cache.clear()
    cache[key] = value
    return value


def compose_text(*parts: str) -> str:
    """Join non-empty parts with one space."""
    return " ".join(p for p in parts if p)


def memo_with_note(line: JournalLineRow) -> str:
    """R3.9: the special-case note first (so a byte cut keeps it), unless the memo already names it."""
    note = line.special_case_note
    if note and note not in line.memo:
        return f"{note} {line.memo}" if line.memo else note
    return line.memo


def trace_reference(claim_number: str, line: JournalLineRow | None) -> str:
    """R7.8: claim number, line id and receipt id — ``ER-2026-0012 line:17 receipt:42``."""
    parts = [claim_number] if claim_number else []
    if line is not None:
        if line.claim_line_id not in (None, ""):
            parts.append(f"line:{line.claim_line_id}")
        if line.receipt_id not in (None, ""):
            parts.append(f"receipt:{line.receipt_id}")
    return " ".join(parts)


def physical_rows(entry: JournalEntryRow) -> list[tuple[JournalLineRow | None, JournalLineRow | None]]:
    """Lay an entry out as (debit, credit) rows, the shape of 弥生 and MF.

    One debit and one credit of the same amount share one row (a single entry); any other shape puts
    each line on its own row with the other side empty (formats.md §1.5 compound example).
    """
    lines = entry.lines
    if len(lines) == 2 and lines[0].amount == lines[1].amount:
        first, second = lines
        if first.side == "debit" and second.side == "credit":
            return [(first, second)]
        if first.side == "credit" and second.side == "debit":
            return [(second, first)]
    return [(line, None) if line.side == "debit" else (None, line) for line in lines]


def check_entry(entry: JournalEntryRow) -> None:
    """Entries must balance (R10.4), carry integer yen and name each line's side."""
    lines = entry.lines
    if len(lines) == 2:  # the usual shape, checked in one go: one debit and one credit of one integer amount
        first, second = lines
        amount = first.amount
        if type(amount) is int and type(second.amount) is int and amount == second.amount and (
                (first.side == "debit" and second.side == "credit")
                or (first.side == "credit" and second.side == "debit")):
            return
    if not lines:
        raise ExportError(f"entry {entry.number}: no lines")
    debit = credit = 0
    for line in lines:
        amount = line.amount
        if type(amount) is not int:  # bool and float are both refused: money is integer yen
            raise ExportError(f"entry {entry.number}: amount {amount!r} is not integer yen")
        side = line.side
        if side == "debit":  # Side is a StrEnum: the member and its value compare equal
            debit += amount
        elif side == "credit":
            credit += amount
        else:
            raise ExportError(f"entry {entry.number}: bad side {side!r}")
    if debit != credit:
        raise ExportError(f"entry {entry.number}: debit {debit} != credit {credit}")


class CellCleaner:
    """Makes text cells safe for one export run, CSV-quotes them, and records what it had to change.

    Returned strings are final CSV fields (quoted when they hold ``,`` or ``"``), so rows are joined
    with a plain ``","`` — cheaper than the csv module for a million rows.
    """

    def __init__(self, encoding: str, report: ExportReport) -> None:
        self.encoding = encoding
        self.report = report
        self.entry_number = 0
        self._cache: dict[str, str] = {}

    def cached(self, value: str, column: str = "") -> str:
        """For values that repeat (names, codes): cleaned once, then a dict hit."""
        try:
            return self._cache[value]
        except KeyError:
            pass
        cleaned, changed = self._clean(value, column, None)
        if not changed:  # a substituted value is re-reported at each occurrence
            if len(self._cache) > 200_000:  # bound memory on pathological inputs
                self._cache.clear()
            self._cache[value] = cleaned
        return cleaned

    def text(self, value: str, column: str = "", max_bytes: int | None = None) -> str:
        if not value:
            return ""
        return self._clean(value, column, max_bytes)[0]

    def _clean(self, value: str, column: str, max_bytes: int | None) -> tuple[str, bool]:
        if not value:
            return "", False
        original = value
        changed = False
        if value[0] in _FORMULA_START:
            value = "'" + value
        if "\r" in value or "\n" in value:
            value = _NEWLINES.sub(" ", value)
        if not value.isascii() or (max_bytes is not None and len(value) > max_bytes):
            try:
                encoded = value.encode(self.encoding)
            except UnicodeEncodeError:
                value, bad = _substitute(value, self.encoding)
                changed = True
                report = self.report
                report.substitution_count += 1
                if len(report.substitutions) < ExportReport.MAX_REPORTED:
                    report.substitutions.append(Substitution(self.entry_number, column, bad, original))
                encoded = value.encode(self.encoding)
            if max_bytes is not None and len(encoded) > max_bytes:
                # errors="ignore" drops a half multi-byte character left at the cut
                value = encoded[:max_bytes].decode(self.encoding, errors="ignore")
                self.report.truncated_cells += 1
        return quote(value), changed


def quote(value: str) -> str:
    """RFC 4180 quoting, only when needed (newlines never reach here)."""
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value:
        return '"' + value + '"'
    return value


def _substitute(value: str, encoding: str) -> tuple[str, str]:
    """Replace every character the encoding cannot hold; return the new text and the bad characters."""
    out: list[str] = []
    bad: list[str] = []
    for ch in value:
        try:
            ch.encode(encoding)
        except UnicodeEncodeError:
            out.append(SUBSTITUTE_CHAR)
            bad.append(ch)
        else:
            out.append(ch)
    return "".join(out), "".join(dict.fromkeys(bad))


class DateFormatter:
    """``YYYY/MM/DD`` (or ISO) with a cache: an export has few distinct dates and many rows."""

    def __init__(self, separator: str = "/") -> None:
        self.separator = separator
        self._cache: dict[dt.date, str] = {}

    def __call__(self, d: dt.date | None) -> str:
        if d is None:
            return ""
        try:
            return self._cache[d]
        except KeyError:
            s = self.separator
            text = f"{d.year:04d}{s}{d.month:02d}{s}{d.day:02d}"
            self._cache[d] = text
            return text


def amount_text(value: int | None) -> str:
    return "" if value is None else str(value)


class JournalExporter(abc.ABC):
    """Writes entries as CSV bytes to a binary stream, chunk by chunk (constant memory).

    Subclasses set the class attributes and implement ``_rows(entry)``, returning finished CSV lines
    (fields from ``CellCleaner`` or numbers, joined with ``","``, without the line terminator).
    """

    vendor: ClassVar[str]
    encoding: ClassVar[str]
    bom: ClassVar[bytes] = b""
    line_terminator: ClassVar[str] = "\r\n"
    header: ClassVar[Sequence[str] | None] = None
    column_count: ClassVar[int]
    file_extension: ClassVar[str] = "csv"
    content_type: ClassVar[str] = "text/csv"
    chunk_rows: ClassVar[int] = 4096

    def __init__(self, mapping: VendorMapping) -> None:
        self.mapping = mapping
        self._report = ExportReport()
        self.options: dict = {}  # the keyword arguments given, to rebuild the exporter in a worker process
        self.cells = CellCleaner(self.encoding, self._report)
        self.dates = DateFormatter()
        self._tax_cache: dict[TaxKey, str] = {}
        self._account_cache: dict[str, str] = {}

    @property
    def report(self) -> ExportReport:
        """Counts and substitutions of the last (or running) export."""
        return self._report

    def preamble(self) -> bytes:
        """BOM and header row: what comes before the first entry."""
        if self.header is None:
            return self.bom
        return self.bom + (",".join(quote(name) for name in self.header) + self.line_terminator).encode(self.encoding)

    def iter_chunks(self, entries: Iterable[JournalEntryRow], *, preamble: bool = True) -> Iterator[bytes]:
        """Yield the file as encoded chunks (for a StreamingHttpResponse or a storage upload).

        ``report`` is complete once the iterator is exhausted. Not re-entrant: one run at a time.
        ``preamble=False`` writes the rows only: a later part of a file written in parts.
        """
        report = self._report = ExportReport()
        cells = self.cells
        cells.report = report
        terminator = self.line_terminator
        lines: list[str] = []
        if preamble and (head := self.preamble()):
            report.bytes_written += len(head)
            yield head
        rows_fn = self._rows
        chunk_rows = self.chunk_rows
        entry_count = 0
        row_count = 0
        for entry in entries:
            check_entry(entry)
            cells.entry_number = entry.number
            lines.extend(rows_fn(entry))
            entry_count += 1
            if len(lines) >= chunk_rows:
                row_count += len(lines)
                yield self._encode(lines, terminator)
                lines = []
        report.entries = entry_count
        if lines:
            row_count += len(lines)
            yield self._encode(lines, terminator)
        report.rows = row_count

    def write(self, entries: Iterable[JournalEntryRow], stream: BinaryIO) -> ExportReport:
        """Write the whole file to a binary stream; returns the report."""
        for chunk in self.iter_chunks(entries):
            stream.write(chunk)
        return self._report

    def export_bytes(self, entries: Iterable[JournalEntryRow]) -> tuple[bytes, ExportReport]:
        """Convenience for small files and tests."""
        out = io.BytesIO()
        report = self.write(entries, out)
        return out.getvalue(), report

    def _encode(self, lines: list[str], terminator: str) -> bytes:
        # every text cell went through CellCleaner, so encoding cannot fail on data
        lines.append("")  # the terminator after the last line
        data = terminator.join(lines).encode(self.encoding)
        self._report.bytes_written += len(data)
        return data

    def tax_name(self, key: TaxKey, method: AccountingMethod | None = None) -> str:
        try:
            return self._tax_cache[key]
        except KeyError:
            name = self.cells.cached(self.mapping.tax_name(key, method), "tax")
            self._tax_cache[key] = name
            return name

    def account(self, code: str) -> str:
        try:
            return self._account_cache[code]
        except KeyError:
            name = self.cells.cached(self.mapping.account_name(code), "account")
            self._account_cache[code] = name
            return name

    @abc.abstractmethod
    def _rows(self, entry: JournalEntryRow) -> list[str]: ...
