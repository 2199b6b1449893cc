"""freee 会計 取引インポート, freee format with 21 columns (formats.md §2.1).

UTF-8 with BOM, CRLF, the fixed header row. Each debit line of an entry becomes one 支出 取引 row
(収支区分 from the mapping's ``expense`` literal): the employee is the 取引先, and the 取引 stays
未決済 (決済日/口座/金額 empty, 決済期日 = ``entry.due_date``) unless ``entry.settlement`` is set.
Credit lines (未払金) are implicit in an unsettled 取引 and are not written.

管理番号 = claim number; 備考 = special-case note + memo + line/receipt ids (R3.9, R7.8).
税計算区分 = the ``tax_inclusive`` literal (内税) on taxable lines, since amounts are tax-inclusive.
"""

from typing import ClassVar

from accounting.exporters.base import (
    JournalEntryRow,
    JournalExporter,
    JournalLineRow,
    VendorMapping,
    amount_text,
    compose_text,
    memo_with_note,
    trace_reference,
)

HEADER = (
    "収支区分",
    "管理番号",
    "発生日",
    "決済期日",
    "取引先コード",
    "取引先",
    "勘定科目",
    "税区分",
    "金額",
    "税計算区分",
    "税額",
    "備考",
    "品目",
    "部門",
    "メモタグ（複数指定可、カンマ区切り）",
    "セグメント1",
    "セグメント2",
    "セグメント3",
    "決済日",
    "決済口座",
    "決済金額",
)


class FreeeExporter(JournalExporter):
    vendor: ClassVar[str] = "freee"
    encoding: ClassVar[str] = "utf-8"
    bom: ClassVar[bytes] = b"\xef\xbb\xbf"
    header: ClassVar[tuple[str, ...]] = HEADER
    column_count: ClassVar[int] = 21

    def __init__(self, mapping: VendorMapping) -> None:
        super().__init__(mapping)
        self._expense = mapping.literal("expense")
        self._tax_inclusive = mapping.literal("tax_inclusive")

    def _counterparty(self, entry: JournalEntryRow, line: JournalLineRow) -> tuple[str, str]:
        if line.counterparty or line.counterparty_code:
            return line.counterparty, line.counterparty_code
        for other in entry.lines:  # an expense line without one: the employee on the 未払金 line
            if other.counterparty or other.counterparty_code:
                return other.counterparty, other.counterparty_code
        return "", ""

    def _rows(self, entry: JournalEntryRow) -> list[str]:
        cells = self.cells
        date = self.dates(entry.date)
        due = self.dates(entry.due_date)
        claim = cells.cached(entry.claim_number, "管理番号")
        settlement = entry.settlement
        rows = []
        for line in entry.lines:
            if line.side != "debit":
                continue
            name, code = self._counterparty(entry, line)
            remark = memo_with_note(line)
            if line.claim_line_id is not None or line.receipt_id is not None:
                remark = compose_text(remark, trace_reference("", line))
            remark = cells.text(remark, "備考")
            amount = str(line.amount)
            fields = (
                self._expense,
                claim,
                date,
                "" if settlement else due,
                cells.cached(code, "取引先コード"),
                cells.cached(name, "取引先"),
                self.account(line.account),
                self.tax_name(line.tax),
                amount,
                self._tax_inclusive if line.tax.is_taxable else "",
                amount_text(line.tax_amount),
                remark,
                "",  # 品目
                cells.cached(line.department, "部門"),
                cells.text(",".join(line.tags), "メモタグ") if line.tags else "",
                "",
                "",
                "",
                self.dates(settlement.date) if settlement else "",
                cells.cached(settlement.account, "決済口座") if settlement else "",
                amount if settlement else "",
            )
            rows.append(",".join(fields))
        return rows
