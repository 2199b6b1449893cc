"""マネーフォワード クラウド会計 仕訳帳 import template, 27 columns A–AA (formats.md §3).

cp932, CRLF, the exact header row. 取引No = ``entry.number`` (always filled); rows of one entry share
取引No and 取引日, and a compound entry puts each line on its own row (same layout as 弥生).

Each side writes 勘定科目, 補助科目, 部門, 取引先, 税区分, インボイス, 金額(円), 税額. The インボイス
column carries the deduction ratio (``適格`` / ``80%控除`` / …) from the mapping: MF auto-assigns 適格
when it is empty, so a non-registered seller must carry an explicit value (§3.3). 取引先 must be
registered in MF, so it is written only with ``write_counterparty=True``.
摘要 = special-case note + memo; 仕訳メモ = the R7.8 trace; タグ joined with ``|``;
MF仕訳タイプ, 決算整理仕訳 and the four export-only columns stay empty.
"""

from typing import ClassVar

from accounting.exporters.base import (
    JournalEntryRow,
    JournalExporter,
    JournalLineRow,
    VendorMapping,
    memo_with_note,
    physical_rows,
    remember,
    trace_reference,
)

HEADER = (
    "取引No",
    "取引日",
    "借方勘定科目",
    "借方補助科目",
    "借方部門",
    "借方取引先",
    "借方税区分",
    "借方インボイス",
    "借方金額(円)",
    "借方税額",
    "貸方勘定科目",
    "貸方補助科目",
    "貸方部門",
    "貸方取引先",
    "貸方税区分",
    "貸方インボイス",
    "貸方金額(円)",
    "貸方税額",
    "摘要",
    "仕訳メモ",
    "タグ",
    "MF仕訳タイプ",
    "決算整理仕訳",
    "作成日時",
    "作成者",
    "最終更新日時",
    "最終更新者",
)


class MoneyForwardExporter(JournalExporter):
    vendor: ClassVar[str] = "moneyforward"
    encoding: ClassVar[str] = "cp932"
    header: ClassVar[tuple[str, ...]] = HEADER
    column_count: ClassVar[int] = 27

    def __init__(self, mapping: VendorMapping, *, write_counterparty: bool = False) -> None:
        super().__init__(mapping)
        self.write_counterparty = write_counterparty
        self.options = {"write_counterparty": write_counterparty}
        self._invoice_cache: dict = {}
        self._names_cache: dict[tuple, str] = {}

    def _invoice(self, line: JournalLineRow) -> str:
        key = line.tax
        try:
            return self._invoice_cache[key]
        except KeyError:
            value = self.cells.cached(self.mapping.invoice_name(key), "インボイス")
            self._invoice_cache[key] = value
            return value

    def _names(self, line: JournalLineRow) -> str:
        """勘定科目 … インボイス of one side, cleaned and joined once per distinct combination."""
        key = (line.account, line.sub_account, line.department, line.counterparty, line.tax)
        try:
            return self._names_cache[key]
        except KeyError:
            cells = self.cells
            names = ",".join(
                (
                    self.account(line.account),
                    cells.cached(line.sub_account, "補助科目"),
                    cells.cached(line.department, "部門"),
                    cells.cached(line.counterparty, "取引先") if self.write_counterparty else "",
                    self.tax_name(line.tax),
                    self._invoice(line),
                )
            )
            return remember(self._names_cache, key, names)

    def _side(self, line: JournalLineRow | None) -> str:
        if line is None:
            return ",,,,,,,"
        tax = line.tax_amount
        return f"{self._names(line)},{line.amount},{'' if tax is None else tax}"

    def _rows(self, entry: JournalEntryRow) -> list[str]:
        head = f"{entry.number},{self.dates(entry.date)}"
        cells = self.cells
        claim = entry.claim_number
        rows = []
        for debit, credit in physical_rows(entry):
            main = debit if debit is not None else credit
            assert main is not None
            tags = ""
            if main.tags or (debit is not None and credit is not None and credit.tags):
                both = [*(debit.tags if debit else ()), *(credit.tags if credit else ())]
                tags = cells.text("|".join(dict.fromkeys(both)), "タグ")
            trace = ""
            if claim or main.claim_line_id is not None or main.receipt_id is not None:
                trace = cells.text(trace_reference(claim, main), "仕訳メモ")
            rows.append(
                f"{head},{self._side(debit)},{self._side(credit)},"
                f"{cells.text(memo_with_note(main), '摘要')},{trace},{tags},,,,,,"
            )
        return rows
