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
    amount_text,
    compose_text,
    memo_with_note,
    physical_rows,
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

    def _side(self, line: JournalLineRow | None) -> tuple[str, str, str, str, str, str]:
        if line is None:
            return "", "", "", self.tax_name(OUT_OF_SCOPE, self.accounting_method), "0", ""
        if line.amount < 0:
            raise ExportError(f"entry {self.cells.entry_number}: 弥生 amounts have no minus sign; swap sides")
        cells = self.cells
        return (
            self.account(line.account),
            cells.cached(line.sub_account, "sub_account"),
            cells.cached(line.department, "department"),
            self.tax_name(line.tax, self.accounting_method),
            str(line.amount),
            amount_text(line.tax_amount),
        )

    def _rows(self, entry: JournalEntryRow) -> list[list[str]]:
        layout = physical_rows(entry)
        date = self.dates(entry.date)
        voucher = str(entry.number) if self.write_voucher_number else ""
        single = len(layout) == 1 and layout[0][0] is not None and layout[0][1] is not None
        last = len(layout) - 1
        rows = []
        for i, (debit, credit) in enumerate(layout):
            main = debit if debit is not None else credit
            assert main is not None
            if single:
                flag, kind = FLAG_SINGLE, TYPE_JOURNAL
            else:
                flag = FLAG_FIRST if i == 0 else (FLAG_LAST if i == last else FLAG_MIDDLE)
                kind = TYPE_TRANSFER_SLIP
            counterparty = main.counterparty if self.append_counterparty_to_memo else ""
            memo = self.cells.text(compose_text(memo_with_note(main), counterparty), "摘要", MEMO_BYTES)
            note = self.cells.text(trace_reference(entry.claim_number, main), "仕訳メモ", NOTE_BYTES)
            rows.append(
                [
                    flag,
                    voucher if i == 0 else "",
                    "",  # 決算: normal entry
                    date,
                    *self._side(debit),
                    *self._side(credit),
                    memo,
                    "",  # 番号
                    "",  # 期日
                    kind,
                    "",  # 生成元
                    note,
                    "0",  # 付箋1
                    "0",  # 付箋2
                    ADJUSTMENT_NO,
                ]
            )
        return rows
