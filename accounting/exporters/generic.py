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
    VendorMapping,
    amount_text,
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


def _id_text(value: str | int | None) -> str:
    return "" if value is None else str(value)


class GenericExporter(JournalExporter):
    vendor: ClassVar[str] = "generic"
    encoding: ClassVar[str] = "utf-8"
    header: ClassVar[tuple[str, ...]] = HEADER
    column_count: ClassVar[int] = len(HEADER)

    def __init__(self, mapping: VendorMapping, *, bom: bool = False) -> None:
        super().__init__(mapping)
        self.bom = b"\xef\xbb\xbf" if bom else b""  # type: ignore[misc]
        self.dates = DateFormatter("-")
        self._key_cache: dict = {}

    def _tax_cells(self, key) -> tuple[str, str, str, str, str]:
        try:
            return self._key_cache[key]
        except KeyError:
            cells = (
                key.code,
                key.kind.value,
                str(key.rate_percent),
                "1" if key.reduced else "0",
                str(key.deduction_ratio),
            )
            self._key_cache[key] = cells
            return cells

    def _rows(self, entry: JournalEntryRow) -> list[list[str]]:
        cells = self.cells
        number = str(entry.number)
        date = self.dates(entry.date)
        due = self.dates(entry.due_date)
        claim = cells.cached(entry.claim_number, "claim_number")
        rows = []
        for i, line in enumerate(entry.lines, 1):
            special = "" if line.special_case in ("", "none") else str(line.special_case)
            rows.append(
                [
                    number,
                    date,
                    str(i),
                    line.side.value,
                    cells.cached(line.account, "account_code"),
                    self.account(line.account),
                    cells.cached(line.sub_account, "sub_account"),
                    cells.cached(line.department, "department"),
                    *self._tax_cells(line.tax),
                    str(line.amount),
                    amount_text(line.tax_amount),
                    cells.text(line.memo, "memo"),
                    special,
                    cells.cached(line.special_case_note, "special_case_note"),
                    cells.cached(line.counterparty, "counterparty"),
                    cells.cached(line.counterparty_code, "counterparty_code"),
                    cells.cached(line.registration_number, "registration_number"),
                    claim,
                    cells.text(_id_text(line.claim_line_id), "claim_line_id"),
                    cells.text(_id_text(line.receipt_id), "receipt_id"),
                    due,
                    cells.text("|".join(line.tags), "tags"),
                ]
            )
        return rows
