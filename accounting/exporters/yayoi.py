"""弥生会計 仕訳日記帳 import, 弥生インポート形式 25 columns (formats.md §1).

cp932, CRLF, no header row, always 25 fields. A 1-debit/1-credit entry of one amount is one row with
識別フラグ ``2000`` and タイプ ``0``; any other entry is a 伝票 of one line per row flagged
``2110`` / ``2100`` … / ``2101`` with タイプ ``3`` (振替伝票) and the missing side written as
empty account, ``対象外``, ``0`` (§1.3).

摘要 = special-case note + memo + counterparty (25-column 弥生 has no 取引先 column), cut at 64 bytes.
仕訳メモ = the R7.8 trace (claim number, line id, receipt id), cut at 180 bytes. 伝票No. stays empty
(automatic numbering) unless ``write_voucher_number`` is set. Desktop 弥生 has no row limit but
オンライン / Next accept ≤ 1,000 rows per file: the caller splits batches.
"""

from typing import ClassVar

from accounting.exporters.base import (
    AccountingMethod,
    ExportError,
    JournalEntryRow,
    JournalExporter,
    JournalLineRow,
    VendorMapping,
    memo_with_note,
    physical_rows,
    remember,
    trace_reference,
)
from accounting.rules.tax_category import OUT_OF_SCOPE

FLAG_SINGLE = "2000"
FLAG_FIRST, FLAG_MIDDLE, FLAG_LAST = "2110", "2100", "2101"
TYPE_JOURNAL, TYPE_TRANSFER_SLIP = "0", "3"
MEMO_BYTES = 64
NOTE_BYTES = 180
ADJUSTMENT_NO = "no"


class YayoiExporter(JournalExporter):
    vendor: ClassVar[str] = "yayoi"
    encoding: ClassVar[str] = "cp932"
    column_count: ClassVar[int] = 25

    def __init__(
        self,
        mapping: VendorMapping,
        *,
        accounting_method: AccountingMethod = AccountingMethod.TAX_INCLUDED,
        write_voucher_number: bool = False,
        append_counterparty_to_memo: bool = True,
    ) -> None:
        super().__init__(mapping)
        self.accounting_method = AccountingMethod(accounting_method)
        self.write_voucher_number = write_voucher_number
        self.append_counterparty_to_memo = append_counterparty_to_memo
        self.options = {"accounting_method": str(self.accounting_method), "write_voucher_number": write_voucher_number,
                        "append_counterparty_to_memo": append_counterparty_to_memo}
        self._names_cache: dict[tuple, str] = {}
        self._empty_side = f",,,{self.tax_name(OUT_OF_SCOPE, self.accounting_method)},0,"

    def _names(self, line: JournalLineRow) -> str:
        """勘定科目,補助科目,部門,税区分 of one side, cleaned and joined once per distinct combination."""
        key = (line.account, line.sub_account, line.department, line.tax)
        try:
            return self._names_cache[key]
        except KeyError:
            cells = self.cells
            names = ",".join(
                (
                    self.account(line.account),
                    cells.cached(line.sub_account, "補助科目"),
                    cells.cached(line.department, "部門"),
                    self.tax_name(line.tax, self.accounting_method),
                )
            )
            return remember(self._names_cache, key, names)

    def _side(self, line: JournalLineRow | None) -> str:
        if line is None:
            return self._empty_side
        amount = line.amount
        if amount < 0:
            raise ExportError(f"entry {self.cells.entry_number}: 弥生 amounts have no minus sign; swap sides")
        tax = line.tax_amount
        return f"{self._names(line)},{amount},{'' if tax is None else tax}"

    def _rows(self, entry: JournalEntryRow) -> list[str]:
        layout = physical_rows(entry)
        head = f",,{self.dates(entry.date)}"  # 伝票No. (first row only), 決算, 取引日付
        voucher = str(entry.number) if self.write_voucher_number else ""
        claim = entry.claim_number
        if len(layout) == 1 and layout[0][0] is not None and layout[0][1] is not None:
            debit, credit = layout[0]
            return [
                f"{FLAG_SINGLE},{voucher}{head},{self._side(debit)},{self._side(credit)},"
                f"{self._memo(debit)},,,{TYPE_JOURNAL},,{self._trace(claim, debit)},0,0,{ADJUSTMENT_NO}"
            ]
        last = len(layout) - 1
        rows = []
        for i, (debit, credit) in enumerate(layout):
            main = debit if debit is not None else credit
            assert main is not None
            flag = FLAG_FIRST if i == 0 else (FLAG_LAST if i == last else FLAG_MIDDLE)
            rows.append(
                f"{flag},{voucher if i == 0 else ''}{head},{self._side(debit)},{self._side(credit)},"
                f"{self._memo(main)},,,{TYPE_TRANSFER_SLIP},,{self._trace(claim, main)},0,0,{ADJUSTMENT_NO}"
            )
        return rows

    def _memo(self, line: JournalLineRow) -> str:
        """摘要: note + memo + counterparty, 64 bytes."""
        memo = memo_with_note(line)
        if self.append_counterparty_to_memo and line.counterparty:
            memo = f"{memo} {line.counterparty}" if memo else line.counterparty
        return self.cells.text(memo, "摘要", MEMO_BYTES)

    def _trace(self, claim_number: str, line: JournalLineRow) -> str:
        """仕訳メモ: the R7.8 trace, 180 bytes."""
        if not claim_number and line.claim_line_id is None and line.receipt_id is None:
            return ""
        return self.cells.text(trace_reference(claim_number, line), "仕訳メモ", NOTE_BYTES)
