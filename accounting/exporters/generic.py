"""Generic journal CSV: one row per journal line, for tools without a dedicated preset.

File: UTF-8 (no BOM by default; ``bom=True`` for Excel), CRLF, comma-separated, RFC 4180 quoting,
one header row with the names below. Text cells starting with ``= + - @``, TAB or CR carry a leading
``'`` (formula-injection guard); numeric columns are plain integers, negative numbers unchanged.

Columns, in order:

=====  ========================  ======================================================================
 #     name                      meaning
=====  ========================  ======================================================================
 1     entry_number              journal entry (伝票) number; all lines of one entry share it
 2     entry_date                entry date, ISO ``YYYY-MM-DD``
 3     line_number               1-based position of the line inside its entry
 4     side                      ``debit`` or ``credit``
 5     account_code              Seisan's internal account code
 6     account_name              account name from the mapping table (the code when unmapped)
 7     sub_account               補助科目 (the employee on 未払金 lines)
 8     department                部門
 9     tax_key                   cross-vendor tax key (formats.md §4): ``taxable/10/std/100``,
                                 ``taxable/8/reduced/80``, ``non_taxable``, ``out_of_scope``
 10    tax_kind                  ``taxable`` / ``non_taxable`` / ``out_of_scope``
 11    tax_rate_percent          10 or 8 for taxable lines, 0 otherwise
 12    tax_reduced               ``1`` for the reduced (軽減) rate, else ``0``
 13    deduction_ratio_percent   share of input tax deductible: 100 (適格 or 帳簿のみ), 80/70/50/30, 0
 14    amount                    integer yen, tax-inclusive
 15    tax_amount                integer yen of consumption tax contained in amount; empty if none
 16    memo                      摘要 text as entered (without the special-case note)
 17    special_case              R3.10 special case (``public_transport``, ``business_travel`` …) or empty
 18    special_case_note         R3.9 wording for the book (``3万円未満の鉄道料金`` …)
 19    counterparty              取引先 name
 20    counterparty_code         取引先 code, when the target system has one
 21    registration_number       インボイス登録番号 ``T`` + 13 digits, when known
 22    claim_number              expense claim number (R7.8)
 23    claim_line_id             claim line id (R7.8)
 24    receipt_id                receipt id (R7.8)
 25    due_date                  planned payment date, ISO, or empty
 26    tags                      tags joined with ``|``
=====  ========================  ======================================================================
"""

from typing import ClassVar

from accounting.exporters.base import (
    DateFormatter,
    JournalEntryRow,
    JournalExporter,
    JournalLineRow,
    VendorMapping,
    remember,
)

HEADER = (
    "entry_number",
    "entry_date",
    "line_number",
    "side",
    "account_code",
    "account_name",
    "sub_account",
    "department",
    "tax_key",
    "tax_kind",
    "tax_rate_percent",
    "tax_reduced",
    "deduction_ratio_percent",
    "amount",
    "tax_amount",
    "memo",
    "special_case",
    "special_case_note",
    "counterparty",
    "counterparty_code",
    "registration_number",
    "claim_number",
    "claim_line_id",
    "receipt_id",
    "due_date",
    "tags",
)


class GenericExporter(JournalExporter):
    vendor: ClassVar[str] = "generic"
    encoding: ClassVar[str] = "utf-8"
    header: ClassVar[tuple[str, ...]] = HEADER
    column_count: ClassVar[int] = len(HEADER)

    def __init__(self, mapping: VendorMapping, *, bom: bool = False) -> None:
        super().__init__(mapping)
        self.bom = b"\xef\xbb\xbf" if bom else b""  # type: ignore[misc]
        self.options = {"bom": bom}
        self.dates = DateFormatter("-")
        self._names_cache: dict[tuple, str] = {}
        self._party_cache: dict[tuple, str] = {}

    def _account_cells(self, line: JournalLineRow) -> str:
        """account_code … deduction_ratio_percent (9 fields), joined once per distinct combination."""
        key = (line.account, line.sub_account, line.department, line.tax)
        try:
            return self._names_cache[key]
        except KeyError:
            cells = self.cells
            tax = line.tax
            text = ",".join(
                (
                    cells.cached(line.account, "account_code"),
                    self.account(line.account),
                    cells.cached(line.sub_account, "sub_account"),
                    cells.cached(line.department, "department"),
                    tax.code,
                    tax.kind.value,
                    str(tax.rate_percent),
                    "1" if tax.reduced else "0",
                    str(tax.deduction_ratio),
                )
            )
            return remember(self._names_cache, key, text)

    def _party_cells(self, line: JournalLineRow) -> str:
        """special_case … registration_number (5 fields)."""
        special = line.special_case
        key = (
            special,
            line.special_case_note,
            line.counterparty,
            line.counterparty_code,
            line.registration_number,
        )
        try:
            return self._party_cache[key]
        except KeyError:
            cells = self.cells
            text = ",".join(
                (
                    "" if special in ("", "none") else cells.cached(str(special), "special_case"),
                    cells.cached(line.special_case_note, "special_case_note"),
                    cells.cached(line.counterparty, "counterparty"),
                    cells.cached(line.counterparty_code, "counterparty_code"),
                    cells.cached(line.registration_number, "registration_number"),
                )
            )
            return remember(self._party_cache, key, text)

    def _rows(self, entry: JournalEntryRow) -> list[str]:
        cells = self.cells
        head = f"{entry.number},{self.dates(entry.date)}"
        due = self.dates(entry.due_date)
        claim = cells.cached(entry.claim_number, "claim_number")
        rows = []
        for i, line in enumerate(entry.lines, 1):
            tax_amount = line.tax_amount
            line_id, receipt_id = line.claim_line_id, line.receipt_id
            rows.append(
                f"{head},{i},{line.side},{self._account_cells(line)},{line.amount},"
                f"{'' if tax_amount is None else tax_amount},{cells.text(line.memo, 'memo')},"
                f"{self._party_cells(line)},{claim},"
                f"{_id_text(cells, line_id, 'claim_line_id')},{_id_text(cells, receipt_id, 'receipt_id')},"
                f"{due},{cells.text('|'.join(line.tags), 'tags') if line.tags else ''}"
            )
        return rows


def _id_text(cells, value, column: str) -> str:
    """Ids from the database are ints: written as they are; other values are text cells."""
    if value is None:
        return ""
    return str(value) if type(value) is int and value >= 0 else cells.text(str(value), column)
