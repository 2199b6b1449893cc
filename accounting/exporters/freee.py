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
    compose_text,
    memo_with_note,
    remember,
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
        self._party_cache: dict[tuple, str] = {}
        self._account_cells_cache: dict[tuple, str] = {}

    def _counterparty(self, entry: JournalEntryRow, line: JournalLineRow) -> tuple[str, str]:
        if line.counterparty or line.counterparty_code:
            return line.counterparty, line.counterparty_code
        for other in entry.lines:  # an expense line without one: the employee on the 未払金 line
            if other.counterparty or other.counterparty_code:
                return other.counterparty, other.counterparty_code
        return "", ""

    def _party_cells(self, code: str, name: str) -> str:
        """取引先コード,取引先 — cleaned once per distinct pair."""
        key = (code, name)
        try:
            return self._party_cache[key]
        except KeyError:
            cells = self.cells
            text = f"{cells.cached(code, '取引先コード')},{cells.cached(name, '取引先')}"
            return remember(self._party_cache, key, text)

    def _account_cells(self, line: JournalLineRow) -> tuple[str, str, str]:
        """(勘定科目,税区分) , 税計算区分 and 部門 — cleaned once per distinct combination."""
        key = (line.account, line.tax, line.department)
        try:
            return self._account_cells_cache[key]
        except KeyError:
            tax = line.tax
            cells = (f"{self.account(line.account)},{self.tax_name(tax)}",
                     self._tax_inclusive if tax.is_taxable else "", self.cells.cached(line.department, "部門"))
            return remember(self._account_cells_cache, key, cells)

    def _rows(self, entry: JournalEntryRow) -> list[str]:
        cells = self.cells
        settlement = entry.settlement
        # 収支区分,管理番号,発生日,決済期日
        head = (f"{self._expense},{cells.cached(entry.claim_number, '管理番号')},{self.dates(entry.date)},"
                f"{'' if settlement else self.dates(entry.due_date)}")
        rows = []
        for line in entry.lines:
            if line.side != "debit":
                continue
            name, code = self._counterparty(entry, line)
            remark = memo_with_note(line)
            if line.claim_line_id is not None or line.receipt_id is not None:
                remark = compose_text(remark, trace_reference("", line))
            account_tax, calc, department = self._account_cells(line)
            amount = line.amount
            tax_amount = line.tax_amount
            tags = cells.text(",".join(line.tags), "メモタグ") if line.tags else ""
            # … 品目 (empty), 部門, メモタグ, セグメント1-3 (empty), 決済日, 決済口座, 決済金額
            tail = (f"{self.dates(settlement.date)},{cells.cached(settlement.account, '決済口座')},{amount}"
                    if settlement else ",,")
            rows.append(f"{head},{self._party_cells(code, name)},{account_tax},{amount},{calc},"
                        f"{'' if tax_amount is None else tax_amount},{cells.text(remark, '備考')},,{department},"
                        f"{tags},,,,{tail}")
        return rows
