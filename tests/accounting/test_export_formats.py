"""Journal CSV exporters against golden files (formats.md §0–§4, §1.5 worked examples byte-exact).

Regenerate the golden files after an intended format change with
``SEISAN_UPDATE_GOLDEN=1 .venv/bin/pytest tests/accounting/test_export_formats.py`` and review the diff.
"""

import csv
import datetime as dt
import io
import os
from pathlib import Path

import pytest

from accounting.exporters import (
    EXPORTERS,
    AccountingMethod,
    ExportError,
    FreeeExporter,
    GenericExporter,
    JournalEntryRow,
    JournalLineRow,
    MoneyForwardExporter,
    Settlement,
    Side,
    YayoiExporter,
)
from accounting.exporters.base import SUBSTITUTE_CHAR, VendorMapping
from accounting.exporters.default_mappings import (
    DEFAULT_MAPPINGS,
    FREEE_MAPPING,
    GENERIC_MAPPING,
    MONEYFORWARD_MAPPING,
    YAYOI_MAPPING,
    mapping_from_rows,
    seed_rows,
)
from accounting.rules.tax_category import NON_TAXABLE, OUT_OF_SCOPE, TaxKey, TaxKind

GOLDEN = Path(__file__).resolve().parent.parent / "samples" / "golden"
UPDATE = os.environ.get("SEISAN_UPDATE_GOLDEN") == "1"

D = dt.date(2026, 11, 5)
T10 = TaxKey(TaxKind.TAXABLE, 10, False, 100)
T8 = TaxKey(TaxKind.TAXABLE, 8, True, 100)
T10_80 = TaxKey(TaxKind.TAXABLE, 10, False, 80)
T8_80 = TaxKey(TaxKind.TAXABLE, 8, True, 80)
T10_70 = TaxKey(TaxKind.TAXABLE, 10, False, 70)
T10_50 = TaxKey(TaxKind.TAXABLE, 10, False, 50)
T10_30 = TaxKey(TaxKind.TAXABLE, 10, False, 30)
T10_0 = TaxKey(TaxKind.TAXABLE, 10, False, 0)

# formats.md §1.5, verbatim
YAYOI_SINGLE = (
    "2000,,,2026/11/05,旅費交通費,,,課対仕入内10%適格,1320,120,未払金,ヤマダ タロウ,,対象外,1320,,"
    "11/5 新宿-品川 JR 往復 山田太郎,,,0,,,0,0,no"
)
YAYOI_COMPOUND = [
    "2110,,,2026/11/05,旅費交通費,,,課対仕入内10%適格,1320,120,,,,対象外,0,,交通費 山田太郎,,,3,,,0,0,no",
    "2100,,,2026/11/05,会議費,,,課対仕入内軽減8%適格,864,64,,,,対象外,0,,会議用飲料 山田太郎,,,3,,,0,0,no",
    "2101,,,2026/11/05,,,,対象外,0,,未払金,ヤマダ タロウ,,対象外,2184,,経費精算 ER-2026-0012,,,3,,,0,0,no",
]
# formats.md §2.1 and §3.3, verbatim
FREEE_HEADER = (
    "収支区分,管理番号,発生日,決済期日,取引先コード,取引先,勘定科目,税区分,金額,税計算区分,税額,備考,品目,部門,"
    "メモタグ（複数指定可、カンマ区切り）,セグメント1,セグメント2,セグメント3,決済日,決済口座,決済金額"
)
FREEE_EXAMPLE = (
    "支出,ER-2026-0012,2026/11/05,2026/11/25,,山田太郎,旅費交通費,課対仕入10%,1320,内税,120,"
    "11/5 新宿-品川 JR 往復,,,,,,,,,"
)
MF_HEADER = (
    "取引No,取引日,借方勘定科目,借方補助科目,借方部門,借方取引先,借方税区分,借方インボイス,借方金額(円),借方税額,"
    "貸方勘定科目,貸方補助科目,貸方部門,貸方取引先,貸方税区分,貸方インボイス,貸方金額(円),貸方税額,摘要,仕訳メモ,"
    "タグ,MF仕訳タイプ,決算整理仕訳,作成日時,作成者,最終更新日時,最終更新者"
)
MF_EXAMPLE = (
    "1,2026/11/05,旅費交通費,,,,課税仕入 10%,適格,1320,120,未払金,山田太郎,,,対象外,,1320,,"
    "11/5 新宿-品川 JR 往復,ER-2026-0012,,,,,,,"
)


def dr(account, amount, tax=T10, tax_amount=None, **kw):
    return JournalLineRow(
        side=Side.DEBIT, account=account, amount=amount, tax=tax, tax_amount=tax_amount, **kw
    )


def cr(account, amount, **kw):
    return JournalLineRow(side=Side.CREDIT, account=account, amount=amount, **kw)


def yayoi_example_entries():
    """§1.5 data: 山田's ¥1,320 JR fare (single) and a two-line claim (compound), 税抜経理."""
    single = JournalEntryRow(
        number=1,
        date=D,
        lines=[
            dr("travel", 1320, T10, 120, memo="11/5 新宿-品川 JR 往復", counterparty="山田太郎"),
            cr("accounts_payable", 1320, sub_account="ヤマダ タロウ"),
        ],
    )
    compound = JournalEntryRow(
        number=2,
        date=D,
        lines=[
            dr("travel", 1320, T10, 120, memo="交通費", counterparty="山田太郎"),
            dr("meeting", 864, T8, 64, memo="会議用飲料", counterparty="山田太郎"),
            cr("accounts_payable", 2184, sub_account="ヤマダ タロウ", memo="経費精算 ER-2026-0012"),
        ],
    )
    return [single, compound]


def extra_entries(sub_account="ヤマダ タロウ"):
    """Beyond the worked examples: notes, R7.8 ids, transitional ratios, hostile text."""
    return [
        JournalEntryRow(
            number=3,
            date=dt.date(2026, 11, 6),
            claim_number="ER-2026-0013",
            due_date=dt.date(2026, 11, 25),
            lines=[
                dr(
                    "travel",
                    1320,
                    T10,
                    120,
                    memo="11/6 新宿-品川 JR 往復",
                    counterparty="山田太郎",
                    special_case="public_transport",
                    special_case_note="3万円未満の鉄道料金",
                    claim_line_id=101,
                    receipt_id=None,
                ),
                dr(
                    "supplies",
                    5500,
                    T10_80,
                    500,
                    memo="文具 (非登録店)",
                    counterparty="山田太郎",
                    special_case_note="80%控除対象",
                    claim_line_id=102,
                    receipt_id=9001,
                    registration_number="",
                ),
                dr("meeting", 1080, T8_80, 80, memo="弁当", claim_line_id=103, receipt_id=9002),
                dr("taxes_dues", 200, NON_TAXABLE, None, memo="収入印紙", claim_line_id=104, receipt_id=9003),
                cr("accounts_payable", 8100, sub_account=sub_account, counterparty="山田太郎"),
            ],
        ),
        JournalEntryRow(
            number=4,
            date=dt.date(2027, 1, 15),
            claim_number="ER-2027-0001",
            lines=[
                dr(
                    "supplies",
                    3300,
                    T10_70,
                    300,
                    # formula injection, comma, quote, newline, a character cp932 lacks, a long text
                    memo='=HYPERLINK("x") 髙島屋, 𠮷野家\r\nで購入した文房具一式(ボールペン・ノート・付箋・クリップ)',
                    counterparty="-佐藤花子",
                    claim_line_id=105,
                    receipt_id=9004,
                    registration_number="T4011001098993",
                    tags=("出張", "東京"),
                ),
                cr("accounts_payable", 3300, sub_account="@サトウ ハナコ", counterparty="-佐藤花子"),
            ],
        ),
    ]


def generic_entries():
    reversal = JournalEntryRow(
        number=5,
        date=dt.date(2027, 1, 20),
        claim_number="ER-2027-0001",
        lines=[
            dr("supplies", -3300, T10_70, -300, memo="取消 ER-2027-0001", claim_line_id="105-R"),
            cr("accounts_payable", -3300, sub_account="サトウ ハナコ"),
        ],
    )
    return [*yayoi_example_entries(), *extra_entries(), reversal]


def freee_entries():
    example = JournalEntryRow(
        number=1,
        date=D,
        claim_number="ER-2026-0012",
        due_date=dt.date(2026, 11, 25),
        lines=[
            dr("travel", 1320, T10, 120, memo="11/5 新宿-品川 JR 往復", counterparty="山田太郎"),
            cr("accounts_payable", 1320, sub_account="山田太郎"),
        ],
    )
    settled = JournalEntryRow(
        number=6,
        date=dt.date(2026, 11, 7),
        claim_number="ER-2026-0014",
        settlement=Settlement(date=dt.date(2026, 11, 25), account="三井住友銀行"),
        lines=[
            dr(
                "travel",
                45000,
                T10,
                4090,
                memo="大阪出張 新幹線",
                counterparty="鈴木一郎",
                department="営業部",
            ),
            dr("travel", 3000, OUT_OF_SCOPE, None, memo="日当", counterparty="鈴木一郎"),
            cr("accounts_payable", 48000, sub_account="鈴木一郎"),
        ],
    )
    return [example, *extra_entries(sub_account="山田太郎"), settled]


def mf_entries():
    example = JournalEntryRow(
        number=1,
        date=D,
        claim_number="ER-2026-0012",
        lines=[
            dr("travel", 1320, T10, 120, memo="11/5 新宿-品川 JR 往復", counterparty="山田太郎"),
            cr("accounts_payable", 1320, sub_account="山田太郎"),
        ],
    )
    compound = JournalEntryRow(
        number=2,
        date=D,
        lines=[
            dr("travel", 1320, T10, 120, memo="交通費"),
            dr("meeting", 864, T8, 64, memo="会議用飲料"),
            cr("accounts_payable", 2184, sub_account="山田太郎", memo="経費精算 ER-2026-0012"),
        ],
    )
    return [example, compound, *extra_entries(sub_account="山田太郎")]


CASES = {
    "yayoi.csv": (
        lambda: YayoiExporter(YAYOI_MAPPING, accounting_method=AccountingMethod.TAX_EXCLUDED),
        lambda: [*yayoi_example_entries(), *extra_entries()],
    ),
    "freee.csv": (lambda: FreeeExporter(FREEE_MAPPING), freee_entries),
    "mf.csv": (lambda: MoneyForwardExporter(MONEYFORWARD_MAPPING), mf_entries),
    "generic.csv": (lambda: GenericExporter(GENERIC_MAPPING), generic_entries),
}


def export(name):
    make_exporter, make_entries = CASES[name]
    return make_exporter().export_bytes(make_entries())


def rows_of(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


# ---- golden files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_file(name):
    data, _ = export(name)
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{name} differs from the golden file"


@pytest.mark.parametrize("name", sorted(CASES))
def test_line_endings_are_crlf_only(name):
    data, _ = export(name)
    assert data.endswith(b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert data.count(b"\r") == data.count(b"\r\n")


# ---- 弥生 ---------------------------------------------------------------------------------------------


def test_yayoi_worked_examples_byte_exact():
    data, report = YayoiExporter(YAYOI_MAPPING, accounting_method=AccountingMethod.TAX_EXCLUDED).export_bytes(
        yayoi_example_entries()
    )
    expected = "\r\n".join([YAYOI_SINGLE, *YAYOI_COMPOUND]) + "\r\n"
    assert data == expected.encode("cp932")
    # formats.md: 137, 99, 100 and 100 bytes plus CRLF
    assert [len(line) for line in data.split(b"\r\n")[:-1]] == [137, 99, 100, 100]
    assert (report.entries, report.rows, report.bytes_written) == (2, 4, 444)


def test_yayoi_golden_file_shape():
    data = (GOLDEN / "yayoi.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    text = data.decode("cp932")  # strict: every byte is valid cp932
    rows = rows_of(data, "cp932")
    assert all(len(row) == 25 for row in rows)
    assert rows[0][0] == "2000"  # no header row
    assert text.splitlines()[:4] == [YAYOI_SINGLE, *YAYOI_COMPOUND]
    assert [row[0] for row in rows] == [
        "2000",
        "2110",
        "2100",
        "2101",
        "2110",
        "2100",
        "2100",
        "2100",
        "2101",
        "2000",
    ]
    assert [row[19] for row in rows] == ["0", "3", "3", "3", "3", "3", "3", "3", "3", "0"]
    assert all(row[24] == "no" for row in rows)
    tax_names = {row[7] for row in rows} | {row[13] for row in rows}
    assert tax_names == {
        "課対仕入内10%適格",
        "課対仕入内軽減8%適格",
        "課対仕入内10%区分80%",
        "課対仕入内軽減8%区分80%",
        "課対仕入内10%区分70%",
        "非課仕入",
        "対象外",
    }


def test_yayoi_special_case_note_and_trace():
    rows = rows_of((GOLDEN / "yayoi.csv").read_bytes(), "cp932")
    fare = rows[4]
    assert fare[16] == "3万円未満の鉄道料金 11/6 新宿-品川 JR 往復 山田太郎"
    assert fare[21] == "ER-2026-0013 line:101"
    assert rows[5][16] == "80%控除対象 文具 (非登録店) 山田太郎"
    assert rows[5][21] == "ER-2026-0013 line:102 receipt:9001"
    assert (rows[8][10], rows[8][11], rows[8][14]) == ("未払金", "ヤマダ タロウ", "8100")


def test_yayoi_memo_is_cut_at_64_bytes_and_sanitised():
    rows = rows_of((GOLDEN / "yayoi.csv").read_bytes(), "cp932")
    memo = rows[9][16]
    assert memo.startswith('\'=HYPERLINK("x") 髙島屋, 〓野家 で購入')
    assert "\r" not in memo and "\n" not in memo
    assert len(memo.encode("cp932")) <= 64
    assert rows[9][11] == "'@サトウ ハナコ"


def test_yayoi_tax_included_company_uses_komi():
    exporter = YayoiExporter(YAYOI_MAPPING, accounting_method=AccountingMethod.TAX_INCLUDED)
    data, _ = exporter.export_bytes(yayoi_example_entries())
    rows = rows_of(data, "cp932")
    assert [row[7] for row in rows] == [
        "課対仕入込10%適格",
        "課対仕入込10%適格",
        "課対仕入込軽減8%適格",
        "対象外",
    ]


@pytest.mark.parametrize(
    ("key", "inclusive", "exclusive"),
    [
        (T10_50, "課対仕入込10%区分50%", "課対仕入内10%区分50%"),
        (T10_30, "課対仕入込10%区分30%", "課対仕入内10%区分30%"),
        (T10_0, "課対仕入込10%区分控不", "課対仕入内10%区分控不"),
        (TaxKey(TaxKind.TAXABLE, 8, True, 70), "課対仕入込軽減8%区分70%", "課対仕入内軽減8%区分70%"),
    ],
)
def test_yayoi_transitional_tax_names(key, inclusive, exclusive):
    assert YAYOI_MAPPING.tax_name(key, AccountingMethod.TAX_INCLUDED) == inclusive
    assert YAYOI_MAPPING.tax_name(key, AccountingMethod.TAX_EXCLUDED) == exclusive


def test_yayoi_voucher_number_option():
    exporter = YayoiExporter(YAYOI_MAPPING, write_voucher_number=True)
    rows = rows_of(exporter.export_bytes(yayoi_example_entries())[0], "cp932")
    assert [row[1] for row in rows] == ["1", "2", "", ""]


def test_yayoi_refuses_negative_amounts():
    entry = JournalEntryRow(number=9, date=D, lines=[dr("travel", -100), cr("accounts_payable", -100)])
    with pytest.raises(ExportError, match="minus"):
        YayoiExporter(YAYOI_MAPPING).export_bytes([entry])


# ---- freee -----------------------------------------------------------------------------------------


def test_freee_example_and_header():
    data = (GOLDEN / "freee.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].decode("utf-8").split("\r\n")
    assert lines[0] == FREEE_HEADER
    assert lines[1] == FREEE_EXAMPLE
    rows = rows_of(data, "utf-8-sig")
    assert rows[0][14] == "メモタグ（複数指定可、カンマ区切り）"
    assert all(len(row) == 21 for row in rows)


def test_freee_rows():
    rows = rows_of((GOLDEN / "freee.csv").read_bytes(), "utf-8-sig")[1:]
    assert [row[7] for row in rows] == [
        "課対仕入10%",
        "課対仕入10%",
        "課対仕入（控80）10%",
        "課対仕入（控80）8%（軽）",
        "非課仕入",
        "課対仕入（控70）10%",
        "課対仕入10%",
        "対象外",
    ]
    assert [row[9] for row in rows] == ["内税"] * 4 + [""] + ["内税"] * 2 + [""]
    fare = rows[1]
    assert (fare[1], fare[3], fare[5]) == ("ER-2026-0013", "2026/11/25", "山田太郎")
    assert fare[11] == "3万円未満の鉄道料金 11/6 新宿-品川 JR 往復 line:101"
    assert rows[3][5] == "山田太郎"  # no counterparty on the line: taken from the 未払金 line
    odd = rows[5]
    assert odd[5] == "'-佐藤花子"
    assert odd[11].startswith('\'=HYPERLINK("x") 髙島屋, 𠮷野家 で購入')  # UTF-8 keeps 𠮷
    assert odd[14] == "出張,東京"
    settled = rows[6]
    assert (settled[3], settled[13], settled[18], settled[19], settled[20]) == (
        "",
        "営業部",
        "2026/11/25",
        "三井住友銀行",
        "45000",
    )


# ---- MF --------------------------------------------------------------------------------------------


def test_mf_example_and_header():
    data = (GOLDEN / "mf.csv").read_bytes()
    text = data.decode("cp932")
    lines = text.split("\r\n")
    assert lines[0] == MF_HEADER
    assert lines[1] == MF_EXAMPLE
    rows = rows_of(data, "cp932")
    assert all(len(row) == 27 for row in rows)
    assert rows[0][26] == "最終更新者"


def test_mf_rows():
    rows = rows_of((GOLDEN / "mf.csv").read_bytes(), "cp932")[1:]
    assert [row[0] for row in rows] == ["1", "2", "2", "2", "3", "3", "3", "3", "3", "4"]
    assert [(row[6], row[7]) for row in rows[4:8]] == [
        ("課税仕入 10%", "適格"),
        ("課税仕入 10%", "80%控除"),
        ("課税仕入 (軽)8%", "80%控除"),
        ("非課税仕入", ""),
    ]
    assert (rows[9][6], rows[9][7]) == ("課税仕入 10%", "70%控除")
    assert rows[3][10:18] == ["未払金", "山田太郎", "", "", "対象外", "", "2184", ""]
    assert rows[2][10:18] == [""] * 8  # compound: credit side empty
    assert rows[5][19] == "ER-2026-0013 line:102 receipt:9001"
    assert rows[9][20] == "出張|東京"
    assert rows[9][18].startswith('\'=HYPERLINK("x") 髙島屋, 〓野家 で購入')


def test_mf_counterparty_column_option():
    exporter = MoneyForwardExporter(MONEYFORWARD_MAPPING, write_counterparty=True)
    rows = rows_of(exporter.export_bytes(mf_entries()[:1])[0], "cp932")
    assert rows[1][5] == "山田太郎"


# ---- generic ---------------------------------------------------------------------------------------


def test_generic_header_and_rows():
    data = (GOLDEN / "generic.csv").read_bytes()
    rows = rows_of(data, "utf-8")
    assert rows[0] == list(GenericExporter.header)
    assert all(len(row) == 26 for row in rows)
    body = rows[1:]
    assert len(body) == 2 + 3 + 5 + 2 + 2
    fare = body[5]
    assert fare[:4] == ["3", "2026-11-06", "1", "debit"]
    assert fare[4:13] == ["travel", "旅費交通費", "", "", "taxable/10/std/100", "taxable", "10", "0", "100"]
    assert fare[16:18] == ["public_transport", "3万円未満の鉄道料金"]
    assert fare[21:25] == ["ER-2026-0013", "101", "", "2026-11-25"]
    assert body[7][8:13] == ["taxable/8/reduced/80", "taxable", "8", "1", "80"]
    assert body[8][8:13] == ["non_taxable", "non_taxable", "0", "0", "0"]


def test_generic_negative_numbers_are_not_mangled():
    rows = rows_of((GOLDEN / "generic.csv").read_bytes(), "utf-8")
    reversal = rows[-2]
    assert (reversal[13], reversal[14]) == ("-3300", "-300")
    assert reversal[22] == "105-R"
    assert rows[-1][13] == "-3300"


def test_generic_bom_option():
    data, _ = GenericExporter(GENERIC_MAPPING, bom=True).export_bytes(yayoi_example_entries())
    assert data.startswith(b"\xef\xbb\xbfentry_number,")


# ---- cross-cutting -------------------------------------------------------------------------------------


def test_unencodable_characters_are_substituted_and_reported():
    _, report = export("yayoi.csv")
    assert report.substitution_count == 1
    (sub,) = report.substitutions
    assert (sub.entry_number, sub.column, sub.characters) == (4, "摘要", "𠮷")
    assert SUBSTITUTE_CHAR == "〓"
    assert report.truncated_cells == 1
    _, utf8_report = export("generic.csv")
    assert utf8_report.substitution_count == 0


def test_formula_guard_covers_every_trigger():
    entry = JournalEntryRow(
        number=1,
        date=D,
        lines=[
            dr("travel", 100, memo="=1+1", counterparty="+81"),
            dr("travel", 100, memo="\tx", counterparty="@x"),
            dr("travel", 100, memo="\r=1", counterparty="-1"),
            cr("accounts_payable", 300, memo="plain"),
        ],
    )
    rows = rows_of(GenericExporter(GENERIC_MAPPING).export_bytes([entry])[0], "utf-8")[1:]
    assert [(row[15], row[18]) for row in rows] == [
        ("'=1+1", "'+81"),
        ("'\tx", "'@x"),
        ("' =1", "'-1"),
        ("plain", ""),
    ]


def test_unbalanced_entry_is_refused():
    entry = JournalEntryRow(number=7, date=D, lines=[dr("travel", 100), cr("accounts_payable", 99)])
    with pytest.raises(ExportError, match="entry 7: debit 100 != credit 99"):
        MoneyForwardExporter(MONEYFORWARD_MAPPING).export_bytes([entry])


def test_float_amount_is_refused():
    entry = JournalEntryRow(number=8, date=D, lines=[dr("travel", 100.0), cr("accounts_payable", 100.0)])
    with pytest.raises(ExportError, match="not integer yen"):
        GenericExporter(GENERIC_MAPPING).export_bytes([entry])


def test_unknown_tax_key_is_refused():
    mapping = VendorMapping(vendor="x", tax_names={"out_of_scope": "対象外"})
    with pytest.raises(ExportError, match="no 税区分 mapped"):
        MoneyForwardExporter(mapping).export_bytes(yayoi_example_entries())


def test_side_given_as_string_is_accepted():
    entry = JournalEntryRow(
        number=1,
        date=D,
        lines=[
            JournalLineRow(side="debit", account="travel", amount=10, tax=T10),
            JournalLineRow(side="credit", account="accounts_payable", amount=10),
        ],
    )
    data, _ = YayoiExporter(YAYOI_MAPPING).export_bytes([entry])
    assert data.startswith(b"2000,")


def test_streaming_writes_in_chunks_with_constant_state():
    class Counting(io.RawIOBase):
        def __init__(self):
            self.writes = 0
            self.size = 0

        def writable(self):
            return True

        def write(self, b):
            self.writes += 1
            self.size += len(b)
            return len(b)

    def many():
        for i in range(10_000):
            yield JournalEntryRow(
                number=i + 1,
                date=D,
                lines=[dr("travel", 1320, T10, 120, memo=f"交通費 {i}"), cr("accounts_payable", 1320)],
            )

    out = Counting()
    report = YayoiExporter(YAYOI_MAPPING).write(many(), out)
    assert report.entries == 10_000 and report.rows == 10_000
    assert out.writes >= 10_000 // YayoiExporter.chunk_rows
    assert out.size == report.bytes_written


def test_iter_chunks_equals_write():
    exporter = MoneyForwardExporter(MONEYFORWARD_MAPPING)
    chunks = b"".join(exporter.iter_chunks(mf_entries()))
    assert chunks == (GOLDEN / "mf.csv").read_bytes()
    assert exporter.report.entries == 4


def test_default_mappings_seed_round_trip():
    rows = list(seed_rows())
    assert ("yayoi", "mark", "tax_excluded", "内") in rows
    assert ("freee", "tax", "taxable/10/std/80", "課対仕入（控80）10%") in rows
    assert ("moneyforward", "invoice", "taxable/8/reduced/70", "70%控除") in rows
    for vendor, mapping in DEFAULT_MAPPINGS.items():
        rebuilt = mapping_from_rows(vendor, iter((t, k, v) for (ven, t, k, v) in rows if ven == vendor))
        assert dict(rebuilt.tax_names) == dict(mapping.tax_names)
        assert dict(rebuilt.accounts) == dict(mapping.accounts)


def test_every_shipped_key_has_every_vendor_name():
    codes = set(YAYOI_MAPPING.tax_names)
    assert codes == set(FREEE_MAPPING.tax_names) == set(MONEYFORWARD_MAPPING.tax_names)
    assert set(EXPORTERS) == {"yayoi", "freee", "moneyforward", "generic"}
