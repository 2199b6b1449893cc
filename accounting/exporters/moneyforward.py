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
    amount_text,
    compose_text,
    memo_with_note,
    physical_rows,
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

_EMPTY_SIDE = ("",) * 8


class MoneyForwardExporter(JournalExporter):
    vendor: ClassVar[str] = "moneyforward"
    encoding: ClassVar[str] = "cp932"
    header: ClassVar[tuple[str, ...]] = HEADER
    column_count: ClassVar[int] = 27

    def __init__(self, mapping: VendorMapping, *, write_counterparty: bool = False) -> None:
        super().__init__(mapping)
        self.write_counterparty = write_counterparty
        self._invoice_cache: dict = {}

    def _invoice(self, line: JournalLineRow) -> str:
        key = line.tax
        try:
            return self._invoice_cache[key]
        except KeyError:
            value = self.cells.cached(self.mapping.invoice_name(key), "インボイス")
            self._invoice_cache[key] = value
            return value

    def _side(self, line: JournalLineRow | None) -> tuple[str, ...]:
        if line is None:
            return _EMPTY_SIDE
        cells = self.cells
        return (
            self.account(line.account),
            cells.cached(line.sub_account, "補助科目"),
            cells.cached(line.department, "部門"),
            cells.cached(line.counterparty, "取引先") if self.write_counterparty else "",
            self.tax_name(line.tax),
            self._invoice(line),
            str(line.amount),
            amount_text(line.tax_amount),
        )

    def _rows(self, entry: JournalEntryRow) -> list[list[str]]:
        number = str(entry.number)
        date = self.dates(entry.date)
        rows = []
        for debit, credit in physical_rows(entry):
            main = debit if debit is not None else credit
            assert main is not None
            tags = "|".join(dict.fromkeys([*(debit.tags if debit else ()), *(credit.tags if credit else ())]))
            rows.append(
                [
                    number,
                    date,
                    *self._side(debit),
                    *self._side(credit),
                    self.cells.text(memo_with_note(main), "摘要"),
                    self.cells.text(compose_text(trace_reference(entry.claim_number, main)), "仕訳メモ"),
                    self.cells.text(tags, "タグ"),
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ]
            )
        return rows
