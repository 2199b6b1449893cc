"""Pure text -> fields extraction (no Tesseract, no database)."""

import os
import subprocess
import sys
from datetime import date

import pytest

from expenses.ocr.amounts import find_amounts
from expenses.ocr.dates import ties_with
from expenses.ocr.fields import extract_fields, extract_from_text
from expenses.ocr.registration import valid_registration_number
from expenses.ocr.tax import tax_exclusive_options, tax_inclusive_options
from expenses.ocr.text import OcrLine, merge_digit_runs, normalize, variants

TODAY = date(2026, 11, 21)


def read(text: str):
    return extract_from_text(text, today=TODAY)


# -- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026/10/03 12:30", date(2026, 10, 3)),
        ("2026-10-03", date(2026, 10, 3)),
        ("2026.10.03", date(2026, 10, 3)),
        ("2026年10月3日(金) 09:12", date(2026, 10, 3)),
        ("２０２６年１０月３日（金）", date(2026, 10, 3)),
        ("26/10/03 18:01", date(2026, 10, 3)),
        ("令和6年10月27日", date(2024, 10, 27)),
        ("発行日 令和08年02月23日 16:12", date(2026, 2, 23)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("R6.10.27", date(2024, 10, 27)),
    ],
)
def test_issue_date_formats(text, expected):
    assert read(text).issue_date.value == expected


def test_issue_date_prefers_the_issue_line_over_a_stay_period():
    text = "ご宿泊期間 2024/10/26 ~ 2024/10/28\n発行日 2024年10月28日\n"
    assert read(text).issue_date.value == date(2024, 10, 28)


def test_issue_date_repairs_zero_read_as_nine_when_the_latin_reading_confirms():
    lines = [OcrLine("2024年11月19日 20:57", alt_text="20242611108 20:57", height=30)]
    assert extract_fields(lines, today=TODAY).issue_date.value == date(2024, 11, 10)


def test_a_month_digit_the_japanese_reading_dropped_is_taken_from_the_latin_reading():
    # 11月 read as 1月; the Latin reading keeps "11" between the year (年 as 4) and the day (月 as 9).
    lines = [OcrLine("日付 2023年1月25日", alt_text="| j add 20234.11 9258 i", height=30)]
    assert extract_fields(lines, today=TODAY).issue_date.value == date(2023, 11, 25)
    # The 2 after the month's 1 is the day's own when the day is then no longer in order: 1月21日
    # with the Latin reading's 月 lost ("2024 4 1 21 8").
    lines = [OcrLine("2024年1月21 日(日) 13:12", alt_text="202441218 (AB) 13:12", height=30)]
    assert extract_fields(lines, today=TODAY).issue_date.value == date(2024, 1, 21)


# -- totals --------------------------------------------------------------------------------------


def test_total_ignores_deposit_and_change():
    text = "小計 ¥2,921\nお預り ¥5,000\n合計 ¥2,921\nお釣り ¥2,079\n釣銭 ¥2,079\n"
    reading = read(text)
    assert reading.total.value == 2921
    assert reading.total.confidence > 0.5


def test_total_trap_when_deposit_line_comes_first():
    text = "お預り ¥10,000\nお釣り ¥7,079\n合計 ¥2,921\n"
    assert read(text).total.value == 2921


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("合計 ¥2,921", 2921),
        ("合 計 ￥２，９２１", 2921),
        ("お支払金額 3,300円", 3300),
        ("領収金額 ¥87,830-", 87830),
        ("ご請求額 ¥12,000", 12000),
        ("金額 ¥273,240-", 273240),
        ("¥12,930※", 12930),
        ("合計 ¥2.921", 2921),  # comma read as a period
        ("合計 ¥10 ,800", 10800),  # space inside the number
        ("合計 \\11,.160", 11160),
    ],
)
def test_total_keywords_and_noise(text, expected):
    assert read(text).total.value == expected


# -- registration number (domain.md R1.3) --------------------------------------------------------


@pytest.mark.parametrize("number", ["T4011001098993", "T7010705000725", "T2120901007402", "T5835678256246"])
def test_r1_3_check_digit_vectors(number):
    assert valid_registration_number(number)
    assert read(f"登録番号 {number}").registration_number.value == number


@pytest.mark.parametrize("number", ["T4011001098994", "T7010705000735", "T2120901007412", "T5835678256241"])
def test_r1_3_single_digit_changes_fail(number):
    assert not valid_registration_number(number)


@pytest.mark.parametrize(
    ("ocr", "expected"),
    [
        ("登録番号 T4O11OO1O98993", "T4011001098993"),  # letter O for zero
        ("登録番号:T7O1O7O5OOO725", "T7010705000725"),
        ("登録番号 T2l2O9O1OO74O2", "T2120901007402"),  # l for 1
        ("登録番号 TS835678256246", "T5835678256246"),  # S for 5
        ("登録番号 T 4011 0010 98993", "T4011001098993"),  # spaces
        ("登録番号 14011001098993", "T4011001098993"),  # the T read as 1
        (
            "登録番号 T4011001098993".translate(str.maketrans("0123456789", "０１２３４５６７８９")),
            "T4011001098993",
        ),
    ],
)
def test_registration_number_lookalikes(ocr, expected):
    assert read(ocr).registration_number.value == expected


def test_registration_number_uses_the_check_digit_to_choose_between_readings():
    # Japanese model misread a digit (5 for 6) in one reading; the Latin reading is right.
    lines = [OcrLine("登録番号 T5835678256245", alt_text="T5835678256246", height=30)]
    assert extract_fields(lines, today=TODAY).registration_number.value == "T5835678256246"


def test_no_registration_number():
    assert read("合計 ¥1,000\n電話 03-1234-5678").registration_number.value is None


# -- tax breakdown -------------------------------------------------------------------------------


def test_r6_4_rounding_options():
    assert tax_inclusive_options(1320, 10) == {120}
    assert tax_inclusive_options(864, 8) == {64}
    assert tax_inclusive_options(1853, 10) == {168, 169}
    assert tax_exclusive_options(79846, 10) == {7984, 7985}


def test_inclusive_two_rates():
    text = "合計 ¥2,921\n10%対象 ¥1,853 内税 ¥168\n8%対象 ¥1,068 内税 ¥79\nWAON支払 ¥2,921"
    reading = read(text)
    assert reading.tax_breakdown.value == {
        "10": {"taxable": 1853, "tax": 168},
        "8": {"taxable": 1068, "tax": 79},
    }
    assert reading.tax_basis.value == "inclusive"
    assert reading.total.value == 2921


def test_exclusive_with_tax_on_its_own_line():
    text = "小計 ¥17,640\n外税10% ¥1,764\n合計 ¥19,404\n(10%対象 ¥17,640)\nクレジット ¥19,404"
    reading = read(text)
    assert reading.tax_breakdown.value == {"10": {"taxable": 17640, "tax": 1764}}
    assert reading.tax_basis.value == "exclusive"
    assert reading.total.value == 19404


def test_form_with_tax_exclusive_amount():
    text = "金額 ¥87,830-\n税抜金額 79,846\n消費税額等(10%) 7,984"
    reading = read(text)
    assert reading.tax_breakdown.value == {"10": {"taxable": 79846, "tax": 7984}}
    assert reading.tax_basis.value == "exclusive"


def test_non_taxable_is_part_of_the_total():
    text = "金額 ¥20,950-\n10%対象 ¥20,750 (内消費税 ¥1,886)\n不課税 ¥200"
    reading = read(text)
    assert reading.total.value == 20950
    assert reading.tax_breakdown.value == {"10": {"taxable": 20750, "tax": 1886}}


def test_arithmetic_repairs_one_misread_taxable_digit():
    # "1,068" misread as "1,968": only one single-digit edit makes 1,853 + x = 2,921.
    text = "合計 ¥2,921\n10%対象 ¥1,853 内税 ¥168\n8%対象 ¥1,968 内税 ¥79\n"
    reading = read(text)
    assert reading.tax_breakdown.value == {
        "10": {"taxable": 1853, "tax": 168},
        "8": {"taxable": 1068, "tax": 79},
    }


def test_a_taxable_digit_is_repaired_to_the_figure_the_other_readings_tax_fits():
    # Both readings give ¥1,919 (¥1,910 with its 0 read as 9). The Japanese reading's tax ¥175 fits
    # ¥1,919, the Latin reading's ¥173 fits ¥1,910, and only ¥1,910 + ¥428 adds up to the total.
    lines = [
        OcrLine("合計 ¥2,338", alt_text="a= Bt ¥2, 338", top=0, height=30),
        OcrLine("10%対象w1,919 内税w175", alt_text="16%59R ¥1,919 ows ¥173", top=40, height=30),
        OcrLine("8%対象w428 内税w31", alt_text="inwes StI ¥428 poi ¥31", top=80, height=30),
    ]
    reading = extract_fields(lines, today=TODAY)
    assert reading.total.value == 2338
    assert reading.tax_breakdown.value == {
        "10": {"taxable": 1910, "tax": 173},
        "8": {"taxable": 428, "tax": 31},
    }


def test_a_self_checking_taxable_figure_is_not_repaired_without_a_tax_that_fits_the_edit():
    # ¥175 fits ¥1,919 and no reading shows a tax for ¥1,910: the figures stand, unrepaired.
    reading = read("合計 ¥2,338\n10%対象 ¥1,919 内税 ¥175\n8%対象 ¥428 内税 ¥31")
    assert reading.tax_breakdown.value["10"] == {"taxable": 1919, "tax": 175}


def test_arithmetic_repairs_a_misread_tax_digit():
    # 内税 ¥169 misread as ¥189: not acceptable for ¥1,860 at 10% (169); the one-edit repair is.
    text = "合計 ¥1,860\n10%対象 ¥1,860 内税 ¥189\n"
    assert read(text).tax_breakdown.value == {"10": {"taxable": 1860, "tax": 169}}


def test_breakdown_that_does_not_add_up_lowers_confidence():
    consistent = read("合計 ¥1,100\n10%対象 ¥1,100 内税 ¥100")
    broken = read("合計 ¥5,500\n10%対象 ¥1,100 内税 ¥100")
    assert broken.tax_breakdown.confidence < consistent.tax_breakdown.confidence


def test_no_breakdown_printed():
    assert read("合計 ¥7,100\nクレジット").tax_breakdown.value == {}


# -- payment method ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("お預り ¥1,000\nお釣り ¥100", "cash"),
        ("現金 ¥1,000", "cash"),
        ("クレジット ¥1,000\nVISA ****1234", "credit_card"),
        ("交通系IC ¥1,000", "e_money"),
        ("nanaco支払 ¥1,000", "e_money"),
        ("WAON支払 ¥1,000", "e_money"),
        ("iD支払 ¥2,338", "e_money"),
        ("QUICPay ¥500", "e_money"),
        ("PayPay ¥500", "qr_code"),
        ("d払い ¥500", "qr_code"),
        ("楽天ペイ ¥500", "qr_code"),
        ("直子マネー ¥500", "e_money"),
        ("WMAON支払 ¥2,921\n残高 ¥3,844", "e_money"),
        ("現金 ¥1,000\nポイント残高 120P", "cash"),
        ("グレジック ¥2,295", "credit_card"),
        ("10支 払 W2,338", "e_money"),  # IC支払, its IC read as 10
        ("分割 110支払 ¥2,338", None),  # a digit before: a figure, not IC
        ("合計 ¥1,233\nお凍り ¥2,000", "cash"),
        ("おにぎり ¥150", None),
        ("合計 ¥500", None),
    ],
)
def test_payment_method(text, expected):
    assert read(text).payment_method.value == expected


# -- vendor --------------------------------------------------------------------------------------


def test_vendor_is_the_shop_without_its_branch():
    lines = [
        OcrLine("まいにちストア", top=0, height=50),
        OcrLine("札幌大通店", top=60, height=30),
        OcrLine("TEL 011-686-1911", top=100, height=30),
        OcrLine("合計 ¥2,921", top=300, height=50),
    ]
    assert extract_fields(lines, today=TODAY).vendor.value == "まいにちストア"


def test_vendor_on_a_form_is_the_issuer_not_the_recipient():
    text = "領収書\n株式会社青空システム 様\n金額 ¥87,830-\n〒230-0304 宮城県仙台市宮城野区\n和食処 松乃\nTEL 022-524-6607"
    assert read(text).vendor.value == "和食処 松乃"


def test_vendor_keeps_a_business_name_ending_in_ten():
    assert read("田中工務店\nTEL 03-1234-5678\n金額 ¥9,000-").vendor.value == "田中工務店"


# -- helpers -------------------------------------------------------------------------------------


def test_normalize_full_width_and_yen():
    assert normalize("合計　￥１，２３４") == "合計 ¥1,234"
    assert normalize("登録 番号") == "登録番号"


def test_a_seven_read_as_a_slash_after_the_yen_sign_is_a_seven():
    assert normalize("金額 \\/,200- | |") == "金額 ¥7,200- | |"
    assert read("金額 \\/,200-\n但し 御品代として").total.value == 7200
    # Elsewhere a slash stays a slash: dates, and a yen sign not followed by a thousands group.
    assert normalize("2024/10/03 ¥/ 2") == "2024/10/03 ¥/ 2"


def test_a_one_read_as_a_bracket_or_quote_after_a_dates_slash_is_a_one():
    assert normalize("日 2923/「9/85") == "日 2923/19/85"
    assert normalize('日 2923/"9/85') == "日 2923/19/85"
    assert normalize("att 2823/° 8/85") == "att 2823/18/85"
    # The month "「0" (10, its 1 a bracket, the Latin reading lost): 2023/10/05, not 2023/01/05 or 0.
    lines = [OcrLine("日付 2023/「0/05", alt_text="att 2023 0 05", top=0, height=30)]
    assert extract_fields(lines, today=TODAY).issue_date.value == date(2023, 10, 5)
    # Not after a slash, or not before a digit: left as read.
    assert normalize("「領収書」 2023/10/05") == "「領収書」 2023/10/05"
    assert normalize("2023/「年") == "2023/「年"


def test_merge_digit_runs_takes_digits_from_the_latin_reading():
    assert merge_digit_runs("10%対象¥1,968 内税¥79", "TORR ¥1,068 PBR ¥79") == "10%対象¥1,068 内税¥79"


def test_merge_drops_a_mark_read_as_a_fourth_digit_of_a_thousands_group():
    # "※" after the figure read as a 3: the groups still pair, and no hybrid (210,990) is built.
    assert merge_digit_runs("金額 ¥219,990※", "Spi ¥ 210, 0003 2") == "金額 ¥210,000※"
    lines = [OcrLine("金額 ¥219,990※ |", alt_text="Spi ¥ 210, 0003 2 |", height=30)]
    assert extract_fields(lines, today=TODAY).total.value == 210000


def test_json_shape():
    data = read("テスト商店\n2026年10月3日\n合計 ¥1,100\n10%対象 ¥1,100 内消費税 ¥100\n現金").to_json_dict()
    assert set(data) == {
        "issue_date",
        "total",
        "vendor",
        "registration_number",
        "tax_breakdown",
        "payment_method",
        "confidence",
        "seconds",
    }
    assert data["issue_date"] == "2026-10-03"
    assert data["tax_breakdown"] == {"10": {"taxable": 1100, "tax": 100}}
    assert set(data["confidence"]) == {
        "issue_date",
        "total",
        "vendor",
        "registration_number",
        "tax_breakdown",
        "payment_method",
    }
    assert all(0.0 <= v <= 1.0 for v in data["confidence"].values())


# -- rules added for noisy OCR (synthetic readings) ----------------------------------------------


def test_bare_thirteen_digit_run_is_not_a_registration_number():
    # A JAN code or slip number with a valid-looking check digit, but no "T" and no 登録番号.
    assert read("合計 ¥1,000\n4011001098993").registration_number.value is None


def test_registration_number_on_the_line_below_its_label():
    assert read("登録番号\n4011001098993").registration_number.value == "T4011001098993"


def test_registration_number_with_t_and_check_digit_lost():
    assert read("登録番号 011001098993").registration_number.value == "T4011001098993"


def test_registration_number_prefers_zero_when_readings_disagree_on_zero_and_nine():
    # 0 and 9 differ by 9, invisible to the mod-9 check digit; the Latin reading (label turned into
    # letters, "T" read as 1) has the zeros.
    lines = [OcrLine("登録番号T4911991998993", alt_text="XQW 14011001098993", height=30)]
    assert extract_fields(lines, today=TODAY).registration_number.value == "T4011001098993"


def test_registration_number_found_whole_beside_a_fragment_on_a_t_line():
    lines = [OcrLine("〒 | | 300", alt_text="zk!) 300.2 T 40110010 4011001098993 qp", height=30)]
    assert extract_fields(lines, today=TODAY).registration_number.value == "T4011001098993"


def test_address_numbers_are_not_a_date():
    lines = [
        OcrLine("大阪府大阪市北区梅田3-5-12", alt_text="OSK R3-5-12", top=0, height=30),
        OcrLine("2025年7月4日 10:20", top=40, height=30),
    ]
    assert extract_fields(lines, today=TODAY).issue_date.value == date(2025, 7, 4)


# "09月" read as "909月" and "05:14" as "95:14": the day is 05 or 06, pieced from either reading alike.
TIED_DATE_LINES = [OcrLine("2026年909月06日(日)95:14 レジ2", alt_text="20264F09A06A(B) 05:14 L22", height=30)]


def test_a_tie_between_dates_goes_to_the_later_one_in_every_process():
    script = (
        "from datetime import date\n"
        "from expenses.ocr.dates import extract_issue_date\n"
        "from expenses.ocr.text import OcrLine, variants\n"
        "line = OcrLine('2026年909月06日(日)95:14 レジ2', alt_text='20264F09A06A(B) 05:14 L22', height=30)\n"
        "print(extract_issue_date(variants([line]), date(2026, 11, 21)).value)\n"
    )
    chosen = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in range(6)
    }
    # Set order (and so the scores' order) differs with the hash seed; the choice must not.
    assert chosen == {"2026-09-06"}
    assert ties_with(date(2026, 9, 6), date(2026, 9, 5), variants(TIED_DATE_LINES), TODAY)
    assert not ties_with(date(2026, 9, 6), date(2026, 9, 8), variants(TIED_DATE_LINES), TODAY)


def test_date_repair_confirmed_by_whole_parts_of_the_latin_reading():
    # "10" appears whole in the Latin digits; "18" only as scattered digits.
    lines = [OcrLine("日付 令和97年05月16日", alt_text="( Qx 30740512810", height=30)]
    assert extract_fields(lines, today=TODAY).issue_date.value == date(2025, 5, 10)


def test_letters_in_the_latin_reading_do_not_confirm_a_date():
    # "QBIS": Q, B, I and S would map to 0, 8, 1 and 5 and "confirm" a misread era year.
    lines = [OcrLine("令和7年4月3日(木) 14:20", alt_text="QBIS4F3 F(Y) 14:20", height=30)]
    assert extract_fields(lines, today=TODAY).issue_date.value == date(2025, 4, 3)


def test_era_date_with_a_stray_mark_before_nen():
    assert read("令和5〃 年 11 月 2 日").issue_date.value == date(2023, 11, 2)


def test_era_year_with_a_stray_leading_digit():
    lines = [OcrLine("日付 令和507年99月14日", alt_text="[ Kx 3510740991438", height=30)]
    assert extract_fields(lines, today=TODAY).issue_date.value == date(2025, 9, 14)


def test_short_run_is_not_shortened_by_a_latin_letter():
    # The Latin model read the 5 of "25" as "S"; the date must keep the Japanese "25".
    lines = [OcrLine("令和 7 年 6 月 25 日", alt_text="xB 7 #6 Q 2S", height=30)]
    assert extract_fields(lines, today=TODAY).issue_date.value == date(2025, 6, 25)
    assert merge_digit_runs("令和97年04月1日", "QX 07 04 19") == "令和07年04月19日"


def test_misread_ten_percent_rate():
    reading = read("合計 ¥2,200\n(16%対象 ¥2,200)\n(内消費税等 ¥200)")
    assert reading.tax_breakdown.value == {"10": {"taxable": 2200, "tax": 200}}


# 10%対象 ¥950 (内消費税 ¥86) and 8%対象 ¥324 (内消費税 ¥24): ¥1,274.
TWO_RATES_1274 = {"10": {"taxable": 950, "tax": 86}, "8": {"taxable": 324, "tax": 24}}


def test_a_rate_mark_then_taxi_marks_the_taxable_line_with_its_last_glyph_garbled():
    # "10%対象" read as "16%対銀": the figure is the 10% taxable amount (repaired to add up).
    reading = read("合計 ¥1,274\n16%対銀 ¥959\n(内消費税 ¥86)\n8%対象 ¥324\n(内消費税 ¥24)")
    assert reading.tax_breakdown.value == TWO_RATES_1274


@pytest.mark.parametrize(
    ("text", "breakdown", "basis"),
    [
        # One rate's label unreadable: the rest of the total, 1,274 - 324 = 950, includes ¥86 at 10%.
        ("合計 ¥1,274\n1O縮象 ¥950\n(内消費税 ¥86)\n8%対象 ¥324\n(内消費税 ¥24)", TWO_RATES_1274, "inclusive"),
        ("合計 ¥1,274\n10%対象 ¥950\n(内消費税 ¥86)\n8縮家 ¥324\n(内消費税 ¥24)", TWO_RATES_1274, "inclusive"),
        # A stated 非課税 amount is not part of the rest: 1,424 - 150 - 324 = 950.
        ("合計 ¥1,424\n8%対象 ¥324\n(内消費税 ¥24)\n(内消費税 ¥86)\n非課税 ¥150", TWO_RATES_1274, "inclusive"),
        # Tax added: the rest, 1,369 - (950 + 95) = 324, is ¥300 and the ¥24 that 8% adds to it.
        (
            "合計 ¥1,369\n10%対象 ¥950 外税 ¥95\n8縮家 ¥300\n外税 ¥24",
            {"10": {"taxable": 950, "tax": 95}, "8": {"taxable": 300, "tax": 24}},
            "exclusive",
        ),
    ],
)
def test_the_other_rate_is_the_rest_of_the_total_when_its_printed_tax_fits_it(text, breakdown, basis):
    reading = read(text)
    assert reading.tax_breakdown.value == breakdown
    assert reading.tax_basis.value == basis


def test_the_rest_of_the_total_is_not_another_rate_without_a_printed_tax_that_fits_it():
    # ¥950 left over (a 不課税 fee, or a line lost), and no tax on the page that 950 gives at 10%.
    reading = read("合計 ¥1,274\n8%対象 ¥324\n(内消費税 ¥24)\n入湯税 ¥950")
    assert reading.tax_breakdown.value == {"8": {"taxable": 324, "tax": 24}}


def test_a_ten_percent_label_that_lost_its_one_and_a_tax_label_with_shi_misread():
    # "(10%対象 ¥19,580 消費税 ¥1,958)" read as "0%対和銀 … 滑費税": there is no 0% rate, and 滑
    # shares 消's water radical.
    reading = read("小計 ¥19,580\n合計 ¥21,538\n言い0%対和銀¥19,580 滑費税¥1,958)")
    assert reading.tax_breakdown.value == {"10": {"taxable": 19580, "tax": 1958}}
    assert reading.tax_basis.value == "exclusive"
    # A figure's zero before a percent sign is not a rate: "2.0%" stays a figure.
    assert read("合計 ¥1,000\nポイント2.0%").tax_breakdown.value == {}


def test_a_tax_label_is_a_tax_before_its_rate_in_brackets_whatever_came_before():
    # "消費税(10%)" with 費 misread: the printed ¥1,959 (rounded half up on ¥19,585), not ¥1,958.
    reading = read("10%対象 ¥19,585\n消引税(10%) ¥1,959\n合計 ¥21,544")
    assert reading.tax_breakdown.value == {"10": {"taxable": 19585, "tax": 1959}}


def test_rate_inferred_from_arithmetic_when_the_label_is_garbled():
    reading = read("合計 ¥5,500\n(10縮象 ¥5,500 内消費税 ¥500)")
    assert reading.tax_breakdown.value == {"10": {"taxable": 5500, "tax": 500}}
    assert reading.tax_breakdown.confidence <= 0.5


def test_a_tax_label_garbled_glyph_by_glyph_still_marks_the_tax_line():
    # 消 read as 清 and 税 as 科: the included tax (8% of ¥1,010) still gives the breakdown.
    reading = read("合計 ¥1,010\n( 虹 対象 1。819)\n(内清費科等 W74)")
    assert reading.tax_breakdown.value == {"8": {"taxable": 1010, "tax": 74}}
    assert reading.tax_breakdown.confidence <= 0.5


def test_no_rate_inferred_when_the_tax_fits_no_rate():
    # ¥190 fits neither rate on ¥3,100 (281/282 at 10%, 229/230 at 8%), nor does any confusable
    # digit's edit of it.
    assert read("合計 ¥3,100\n内消費税 ¥190").tax_breakdown.value == {}


def test_a_rate_inferred_from_a_tax_one_confusable_digit_off():
    # ¥463 read as ¥453 (both models), the 10%対象 label lost: 453 fits no rate on ¥5,100; one
    # edit of a confusable digit, 5 -> 6, fits 10% and no other edit fits either rate.
    reading = read("合計 ¥5,100\n(1 的対象 ¥5,199)\n(内消費税 ¥453)")
    assert reading.tax_breakdown.value == {"10": {"taxable": 5100, "tax": 463}}
    assert reading.tax_breakdown.confidence <= 0.5
    # 4 and 6 are not confused: ¥443 stays unexplained.
    assert read("合計 ¥5,100\n(1 的対象 ¥5,199)\n(内消費税 ¥443)").tax_breakdown.value == {}


def test_two_rates_inferred_when_both_labels_are_garbled():
    """
    GIVEN: a two-rate receipt whose "10%" / "8%" labels are both unreadable, each with its included tax
    WHEN: the fields are extracted
    THEN: the printed amount that splits the total so that each part gives one of the taxes at one
    rate decides the breakdown (and one tax fitting a single rate on the whole total by chance,
    173 = 8% of ¥2,338, does not)
    """
    for printed in ("19$対象 ¥1,910 (内税 ¥173)\n95対象 ¥4Z8 (内税 ¥31)", "19$対象 ¥1,9I0 (内税 ¥173)\n95対象 ¥428 (内税 ¥31)"):
        reading = read(f"合計 ¥2,338\n{printed}")
        assert reading.tax_breakdown.value == {
            "10": {"taxable": 1910, "tax": 173},
            "8": {"taxable": 428, "tax": 31},
        }, printed
        assert reading.tax_basis.value == "inclusive"
        assert reading.tax_breakdown.confidence <= 0.5


def test_exclusive_rate_inferred_from_subtotal_tax_and_total_when_the_rate_is_unreadable():
    """
    GIVEN: a tax-exclusive receipt whose "消費税(10%)" rate is garbled, and whose tax line's Latin
    reading has the right figure but no label (the Japanese reading misread the figure)
    WHEN: the fields are extracted
    THEN: subtotal + tax = total and the tax is 10% of the subtotal: a 10% exclusive breakdown
    """
    lines = [
        OcrLine("小計 ¥19,580", alt_text="Rt ¥ 19,580", height=40),
        OcrLine("消費 税(19) 1.999", alt_text="BRR) ¥ 1,958", height=40),
        OcrLine("合計 ¥21,538", alt_text="Bet ¥ 21,538", height=40),
    ]
    reading = extract_fields(lines, today=TODAY)
    assert reading.total.value == 21538
    assert reading.tax_breakdown.value == {"10": {"taxable": 19580, "tax": 1958}}
    assert reading.tax_basis.value == "exclusive"
    assert reading.tax_breakdown.confidence <= 0.5


def test_no_exclusive_rate_inferred_without_the_printed_subtotal_or_on_a_tax_inclusive_receipt():
    # Total − tax is not printed: nothing vouches for a subtotal.
    assert read("合計 ¥21,538\n消費税 ¥1,958").tax_breakdown.value == {}
    # The receipt says its prices include tax: total − tax is the same arithmetic, but the
    # breakdown would be stated on the total, so the subtotal is not taken as the taxable amount.
    assert read("小計 ¥1,000\n消費税 ¥100\n合計 ¥1,100\n※表示価格は税込です").tax_breakdown.value == {}
    inclusive = read("小計 ¥1,000\n合計 ¥1,100\n(内消費税 ¥100)")
    assert inclusive.tax_breakdown.value == {"10": {"taxable": 1100, "tax": 100}}
    assert inclusive.tax_basis.value == "inclusive"


def test_merge_pairs_digit_runs_by_content():
    # The Latin reading has an extra run ("47" from 消費税) and reads "%" as 8.
    assert (
        merge_digit_runs("10%対象¥12,100 (内消費税¥1,100)", "10% zq ¥12,100 (QX #47 ¥1,100)")
        == "10%対象¥12,100 (内消費税¥1,100)"
    )
    assert (
        merge_digit_runs("(10%対象¥35,999 消費税¥3,599)", "(108 ¥35,000 KXT ¥3,500)")
        == "(10%対象¥35,000 消費税¥3,500)"
    )


def test_total_on_a_line_reading_just_kei():
    assert read("運賃 ¥3,100\n迎車料金 ¥300\n計 ¥3,400").total.value == 3400


def test_total_keyword_of_the_japanese_reading_applies_to_the_latin_digits():
    lines = [OcrLine("台計 ¥ /,415", alt_text="~ Qt ¥ 7,415,", height=40)]
    assert extract_fields(lines, today=TODAY).total.value == 7415


def test_form_pre_tax_amount_is_the_figure_after_its_label():
    text = "領収書\n金額 ¥5,500-\n税抜金額 5,000 TEL 06-1234-5678\n消費税額等(10%) 500"
    reading = read(text)
    assert reading.total.value == 5500
    assert reading.tax_breakdown.value == {"10": {"taxable": 5000, "tax": 500}}


def test_broken_digit_group_and_phone_number_are_not_amounts():
    from expenses.ocr.amounts import find_amounts

    assert [a.value for a in find_amounts("対象4,5009 TEL 06-1234-5678 距離3.5km")] == []
    # After a ¥ the fourth digit is the mark after the figure, read as a digit.
    assert [a.value for a in find_amounts("対象¥4,5009 TEL 06-1234-5678")] == [4500]


def test_latin_reading_supplies_the_taxable_figure_of_a_japanese_labelled_line():
    # The Japanese reading garbles the amount; the Latin one has it but lost 対象 (and reads 税 as "#7@").
    lines = [
        OcrLine("合計 ¥4,950", top=0, height=30),
        OcrLine("(10%対象¥4,5009 消費税¥450)", alt_text="(10% #7@ ¥4, 500 3KQ ¥ 450)", top=40, height=30),
    ]
    reading = extract_fields(lines, today=TODAY)
    assert reading.tax_breakdown.value == {"10": {"taxable": 4500, "tax": 450}}


def test_qr_inside_latin_garbage_is_not_a_payment_method():
    lines = [OcrLine("宿泊税(不課税) ¥300", alt_text="xo PA KLM QQR VT ¥300", height=30)]
    assert extract_fields(lines, today=TODAY).payment_method.value is None


def test_vendor_on_a_form_signs_below_the_acknowledgement():
    text = (
        "領収書\n株式会社みなと商事\n金額 ¥9,000-\n上記正に領収いたしました\n高橋商会\n"
        "〒100-0001 東京都千代田区1-1\nTEL 03-1234-5678"
    )
    assert read(text).vendor.value == "高橋商会"


def test_register_receipt_closing_acknowledgement_does_not_move_the_vendor():
    items = "\n".join(f"おにぎり{i} ¥150" for i in range(8))
    text = f"ことぶきストア\nTEL 03-1234-5678\n{items}\n合計 ¥1,200\n上記正に領収いたしました\n株式会社ポイントサービス"
    assert read(text).vendor.value == "ことぶきストア"


def test_vendor_ignores_the_revenue_stamp_box():
    text = "領収書\n金額 ¥60,000-\n上記正に領収いたしました\n収入印紙\nひまわり印刷\nTEL 03-1234-5678"
    assert read(text).vendor.value == "ひまわり印刷"


def test_vendor_skips_item_names_whose_price_was_split_off():
    lines = [
        OcrLine("ーーーーーーーーーーーー", top=0, height=20),
        OcrLine("はなまるマート", top=40, height=40),
        OcrLine("TEL 011-222-3333", top=100, height=30),
        OcrLine("焼き鳥盛り合わせ", top=160, left=0, height=60),
        OcrLine("¥1,980", top=165, left=600, height=50),
    ]
    assert extract_fields(lines, today=TODAY).vendor.value == "はなまるマート"


def test_vendor_drops_the_seal_glyph_beside_the_name():
    text = "領収書\n金額 ¥12,000-\n上記正に領収いたしました\n旅館 松風 印\n〒400-0001 山梨県甲府市1-2-3"
    assert read(text).vendor.value == "旅館 松風"


def test_vendor_row_loses_low_confidence_logo_glyphs_but_keeps_name_endings():
    from expenses.ocr.tesseract import Word, vendor_lines

    def word(text, left, conf):
        return Word(text=text, left=left, top=10, width=40 * len(text), height=40, conf=conf, key=(1, 1, 1))

    row = [word("傘", 0, 0.0), word("ひので", 50, 0.6), word("24", 180, 0.9), word("鷹", 265, 0.0)]
    assert [line.text for line in vendor_lines(row)] == ["ひので24"]
    company = [word("つばめ交通株式会", 0, 0.9), word("社", 325, 0.1)]
    assert [line.text for line in vendor_lines(company)] == ["つばめ交通株式会社"]


def test_vendor_keeps_a_number_that_is_part_of_the_name_and_drops_stray_marks():
    assert read("#』 ひので 24\nTEL 03-1234-5678\n合計 ¥500").vendor.value == "ひので 24"


def test_vendor_is_not_the_table_and_party_size_line():
    lines = [
        OcrLine("卓番12 人数 3名", top=0, height=60),
        OcrLine("とりよし", top=80, height=40),
        OcrLine("TEL 03-1234-5678", top=130, height=30),
    ]
    assert extract_fields(lines, today=TODAY).vendor.value == "とりよし"


def test_vendor_row_keeps_a_low_confidence_honorific():
    from expenses.ocr.tesseract import Word, vendor_lines

    words = [
        Word(text="みなと商事株式会社", left=0, top=10, width=320, height=40, conf=0.9, key=(1, 1, 1)),
        Word(text="様", left=340, top=10, width=40, height=40, conf=0.1, key=(1, 1, 1)),
    ]
    assert [line.text for line in vendor_lines(words)] == ["みなと商事株式会社 様"]


def test_vendor_is_cut_at_a_box_edge_or_slash():
    text = "領収書\n金額 ¥5,000-\n上記正に領収いたしました\n(ii 高橋商会 / 人人\nTEL 03-1234-5678"
    assert read(text).vendor.value == "高橋商会"


def test_registration_t_read_as_kanji_cho_still_marks_the_number():
    assert read("丁4011001098993").registration_number.value == "T4011001098993"


# -- a total read one confused digit from the breakdown that checks itself ------------------------


def test_a_total_one_confused_digit_from_a_self_checking_breakdown_is_the_breakdowns():
    # 12,700 with 内消費税 1,154 (1/11 of it) checks itself; "¥12,709※" is the same figure misread.
    reading = read("金額 ¥12,709※\n(税込)\n10%対象¥12.700 (内消費税 ¥1.154)")
    assert reading.total.value == 12700
    assert reading.tax_breakdown.value == {"10": {"taxable": 12700, "tax": 1154}}


def test_a_self_checking_breakdown_gives_the_total_when_only_a_fragment_was_read_as_one():
    # The 金額 row lost but for a stray "4": the breakdown, whose tax fits, says ¥17,500.
    reading = read("領収書\n金額 ¥4\n10%対象 ¥17,500 (内消費税 ¥1,590)")
    assert reading.total.value == 17500
    # A breakdown that does not check itself vouches for nothing: the fragment stays, unsure.
    unchecked = read("領収書\n金額 ¥4\n10%対象 ¥17,500 (内消費税 ¥1,234)")
    assert unchecked.total.value == 4
    assert unchecked.total.confidence < 0.5


def test_a_breakdown_without_its_printed_tax_does_not_correct_the_total():
    # No tax printed: nothing checks the 12,700, and the total as read stands.
    reading = read("合計 ¥12,709\n10%対象 ¥12,700")
    assert reading.total.value == 12709


def test_a_breakdown_far_from_the_total_read_does_not_replace_it():
    reading = read("合計 ¥15,400\n10%対象 ¥12,700 (内消費税 ¥1,154)")
    assert reading.total.value == 15400


def test_a_grouped_amount_before_a_percent_sign_is_money_not_a_rate():
    # A form's "※" read as "%" by the Latin model: "¥210,000%" is the amount; "10%" stays a rate.
    assert read("金額 ¥210,000% 2,").total.value == 210000
    assert read("10%対象 ¥1,100").total.value != 10


def test_a_total_label_whose_first_glyph_was_misread_still_marks_the_total():
    assert read("運賃 ¥8,160\n迎車料金 ¥360\n高速代 ¥720\n吾計 ¥9,120").total.value == 9120
    assert read("運賃 ¥4,500\n迎車料金 ¥400\n高速代 ¥1,320\n戸計 ¥6,220").total.value == 6220
    assert read("小計 ¥1,200\n合計 ¥1,320").total.value == 1320


def test_an_item_line_led_by_a_stray_kei_is_not_a_total_line():
    # "計" at the start of an item line (a stray glyph read so), the item's name after it.
    text = "計 だし巻き玉子 4 ¥2,326\n刺身盛り合わせ 4 ¥5,926\n合計 ¥21,538"
    assert read(text + "\n計 だし巻き玉子 4 ¥2,326").total.value == 21538
    assert read("計 5点 ¥2,338").total.value == 2338
    # A garbled tax line with a stray 計 and bare digits after it gives no total either (its "558" had
    # been taken, and the page read again for its lost total never looked).
    lines = [
        OcrLine("人 ¥7.238", alt_text="| ARt Tes ¥ 7,238 rUw |", top=0, height=30),
        OcrLine("ら 計 5 5 朋 旨店 555", alt_text="(10.21% Bit #6 $ae ¥ ‘AMR 7,238 £558)", top=40, height=30),
    ]
    assert extract_fields(lines, today=TODAY).total.value is None


def test_a_form_whose_zeinuki_label_was_misread_still_gives_its_breakdown_and_not_its_total():
    # 税抜金額 read as 税拓金額: its figure is the taxable amount, not the amount received.
    reading = read("領収書\nを ¥87.830- |\n但し 会議室利用料として\n税拓金額 | 79.846\n消費税額等(10%) 7.984")
    assert reading.total.value == 87830
    assert reading.tax_breakdown.value == {"10": {"taxable": 79846, "tax": 7984}}
    assert read("税込金額 ¥1,100").total.value == 1100


# -- a breakdown that neither checks itself nor adds up -------------------------------------------


def test_a_misread_taxable_figure_gives_way_to_the_total_its_printed_tax_fits():
    # "10%対象 ¥11,160" read as "100": 1,014 is the tax included in the total, and only at 10%.
    reading = read("合計 ¥11,160\n(10%対象 100 内消費税 ¥1,014)")
    assert reading.tax_breakdown.value == {"10": {"taxable": 11160, "tax": 1014}}
    assert reading.tax_basis.value == "inclusive"
    assert reading.tax_breakdown.confidence <= 0.5


def test_a_breakdown_far_short_of_the_total_with_no_tax_that_fits_is_dropped():
    assert read("合計 ¥5,000\n10%対象 ¥120").tax_breakdown.value == {}


def test_a_taxable_figure_under_ten_yen_is_a_stray_mark():
    # The two readings of a form's 税抜金額 row merged into "| 1 | 収入印紙 637": a "1" beside the label.
    lines = [
        OcrLine("| 金額 ¥1,800※ | |", "| | i ¥ 1, 800% | | |"),
        OcrLine("| 税 抜金額 | 1637 | 収入印紙 1 TEL 053-749-7657 |", "| ‘Beem | 1,637 | | mane | TEL 053-749-7657 |"),
        OcrLine("| 消費 税額 等(16) | 16ぅ 1 |", "| arama | ta 0a |"),
    ]
    reading = extract_fields(lines, today=TODAY)
    assert reading.tax_breakdown.value == {"10": {"taxable": 1637, "tax": 163}}


# -- the figure's own marks misread ------------------------------------------------------------------


def test_the_mark_after_a_yen_amount_read_as_a_fourth_digit_of_its_last_group_is_dropped():
    assert [a.value for a in find_amounts("金額 ¥12,7009※")] == [12700]
    assert [a.value for a in find_amounts("“ts ¥12,7003<")] == [12700]
    assert find_amounts("1,2345") == []  # without the ¥ it stays a broken group
    assert read("金額 ¥12,7003※\n(税込)\n但し ご宿泊料金として").total.value == 12700


def test_a_forms_amount_row_keeps_a_figure_that_reads_whole_apart_from_marks_before_it():
    # Its label garbled ("金額" as "#8 %"): the row's figure is ¥4,500, not every digit on the row.
    lines = [
        OcrLine("| 」果 y4.500-", alt_text="‘| #8 % 4, 500-", top=0, height=30),
        OcrLine("| 但しエ事代金。。 といて", top=40, height=30),
    ]
    assert extract_fields(lines, today=TODAY).total.value == 4500
    # A figure garbled past reading as one still gives its digits ("半7ア960").
    assert read("半7ア960\n但し 御品代として").total.value == 7960


def test_a_thousands_separator_read_as_a_japanese_full_stop_is_a_separator():
    assert normalize("金額 ¥7。200-") == "金額 ¥7,200-"
    assert read("金額 ¥7。200-\n但し 工事代金として").total.value == 7200


def test_a_one_digit_total_is_a_fragment_of_the_figure_and_loses_to_the_figure():
    lines = [OcrLine("合計 ¥1,.233", "mS et ¥1 ’ 233 1 1"), OcrLine("お預り ¥2,000"), OcrLine("台計 ¥1 233", "SH ¥1 1")]
    assert extract_fields(lines, today=TODAY).total.value == 1233


def test_a_ten_percent_rate_whose_1_was_read_as_a_bracket_is_still_ten_percent():
    reading = read("合計 ¥2,614\n「0%対象¥162 内税¥14\n8%対象¥2,452 内税¥181")
    assert reading.tax_breakdown.value == {"10": {"taxable": 162, "tax": 14}, "8": {"taxable": 2452, "tax": 181}}


def test_id_is_a_payment_only_beside_an_amount_or_a_payment_word():
    # The Latin reading turns kanji into short letter runs; "iD" among them is not the iD brand.
    assert read("iD ¥1,000").payment_method.value == "e_money"
    assert read("お支払 iD").payment_method.value == "e_money"
    lines = [OcrLine("上記正に領収いたしました", "SS EAE HULU LELA Cee iD en A LL see")]
    assert extract_fields(lines, today=TODAY).payment_method.value is None
