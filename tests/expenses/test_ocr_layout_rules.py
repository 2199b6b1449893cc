"""Extraction rules that rely on where text sits rather than on its symbols (no Tesseract)."""

from dataclasses import replace
from datetime import date

import numpy as np
from PIL import Image

from expenses.ocr.dates import DATE_PATTERNS, drops_one_digit
from expenses.ocr.fields import extract_fields, extract_from_text
from expenses.ocr.preprocess import PreparedPage, darken_greys
from expenses.ocr.protocol import FieldReading, ReceiptReading
from expenses.ocr.seals import BRIDGE, LIFT
from expenses.ocr.tax import infer_form_breakdown
from expenses.ocr.tesseract import (
    DATE_REREAD_HEIGHTS,
    DATE_UNSURE_BELOW,
    VENDOR_REREAD_HEIGHTS,
    TesseractParser,
    Word,
    _better_issuer,
    _shows_amount,
    _vendor_with_column_layout,
    breakdown_box,
    consensus_reading,
    issuer_block_box,
    vendor_lines,
    words_off_seals,
)
from expenses.ocr.text import OcrLine, edit_distance
from expenses.ocr.vendor import VendorChoice, choose_vendor, form_acknowledgement, reread_vendor

TODAY = date(2026, 11, 21)


def read(text: str):
    return extract_from_text(text, today=TODAY)


# -- the amount row of a 領収書 form ------------------------------------------------------------


def test_form_amount_read_from_the_row_above_the_purpose_line_when_its_symbols_are_garbled():
    text = "領収書\nみどり商会 様\n羊4ァ580ー\n但し 文具代として\n上記正に領収いたしました"
    assert read(text).total.value == 4580


def test_form_amount_skips_a_digitless_row_between_amount_and_purpose():
    text = "領収書\n山川 様\nキ12ア300-\n(税込)\n但し お食事代として"
    assert read(text).total.value == 12300


def test_form_amount_row_does_not_outvote_a_labelled_total():
    text = "領収書\n合計 ¥2,200\nNo. 4321\n但し お品代として"
    assert read(text).total.value == 2200


def test_form_amount_ignores_tax_rows_above_the_purpose_line():
    text = "領収書\n消費税 ¥90\n但し 交通費として"
    assert read(text).total.value is None


# -- registration number whose T and label the Latin reading lost --------------------------------


def _line_with_latin_reading(japanese: str, latin: str) -> OcrLine:
    return OcrLine(text=japanese, alt_text=latin, top=10, height=10)


def test_fourteen_digit_run_led_by_a_t_lookalike_with_a_valid_check_digit_is_the_number():
    line = _line_with_latin_reading("人人 |", "Bnoaz TEL 03-555-0101 79234567890123")
    reading = extract_fields([line], today=TODAY)
    assert reading.registration_number.value == "T9234567890123"


def test_a_number_whose_t_was_read_as_1_is_not_joined_to_the_tel_number_before_it():
    line = _line_with_latin_reading("2 登録 番号 6813", "IA ED ! ; TEL BREE 093-558-2339 11057291914986")
    assert extract_fields([line], today=TODAY).registration_number.value == "T1057291914986"


def test_a_ruling_after_the_number_is_not_read_as_its_last_digit():
    # The Latin reading has every digit right, spaced, then the table's border "|" (a 1 look-alike).
    line = _line_with_latin_reading("登録番号:16394552441488", "| BREST 6394 5 62441 488 |")
    assert extract_fields([line], today=TODAY).registration_number.value == "T6394562441488"


def test_fourteen_digit_run_without_a_valid_check_digit_stays_unlabelled_noise():
    line = _line_with_latin_reading("人人 |", "Bnoaz 71234567890123")
    assert extract_fields([line], today=TODAY).registration_number.value is None


def test_fourteen_digit_run_inside_a_longer_number_is_not_a_registration_number():
    line = _line_with_latin_reading("取引", "7923456789012345")
    assert extract_fields([line], today=TODAY).registration_number.value is None


# -- the vendor row keeps words set apart by a wide space ---------------------------------------


def _word(text: str, left: int, width: int) -> Word:
    return Word(text=text, left=left, top=10, width=width, height=40, conf=0.9, key=(1, 1, 1))


def test_vendor_row_keeps_a_name_part_after_a_double_width_space():
    # "カフェ　　みずき": a shop name whose parts are set two character widths apart.
    row = [_word("カフェ", 0, 120), _word("みずき", 210, 120)]
    assert [line.text for line in vendor_lines(row)] == ["カフェ みずき"]


def test_vendor_row_trims_unsure_edge_glyphs_and_keeps_where_the_close_ones_were():
    """
    GIVEN: a name row whose first glyph was read as a near-zero-confidence guess right beside the
    name, and a stray mark read far off its end
    WHEN: the row is taken for the issuer's name
    THEN: both are trimmed from the text; the row's extent with the close glyph is kept for a second
    look, the far mark's is not
    """
    guess = Word("裏", 0, 10, 40, 40, 0.0, (1, 1, 1))
    name = [Word("進交通", 44, 10, 120, 40, 0.91, (1, 1, 1)), Word("株式会社", 166, 10, 160, 40, 0.93, (1, 1, 1))]
    stray = Word("|", 400, 10, 10, 40, 0.0, (1, 1, 1))

    [line] = vendor_lines([guess, *name, stray])

    assert line.text == "進交通株式会社"
    assert (line.left, line.untrimmed) == (44, (0, 326))
    assert vendor_lines([*name, stray])[0].untrimmed is None


def test_vendor_row_trims_an_unsure_latin_run_at_its_end_but_keeps_a_sure_one():
    # A box edge read as "Ip]!" before the name; "24" of "サンライズ 24" is read surely.
    junk = Word("Ip]!", 0, 0, 60, 90, 0.12, (1, 1, 1))
    name = Word("和食処松乃", 70, 10, 200, 40, 0.92, (1, 1, 1))
    number = Word("24", 280, 10, 40, 40, 0.9, (1, 1, 1))

    [line] = vendor_lines([junk, name, number])

    assert line.text == "和食処松乃24"
    assert (line.top, line.height) == (10, 40)  # the junk's tall box no longer sets the row's extent


def test_vendor_row_still_splits_text_printed_far_apart():
    row = [_word("上記正に領収いたしました", 0, 480), _word("〒100-0001", 800, 200)]
    assert [line.text for line in vendor_lines(row)] == ["上記正に領収いたしました", "〒100-0001"]


# -- dates: recency and era bounds --------------------------------------------------------------


def test_a_date_far_older_than_any_claim_gives_way_to_its_digit_repair():
    # 令和7 read as 令和1: 2019 is seven years before "today", 2025 one.
    assert read("令和1年9月11日").issue_date.value == date(2025, 9, 11)


def test_a_date_seven_years_old_gives_way_to_its_repair_even_when_the_latin_reading_shares_the_misread():
    # 令和7 printed in a font whose 7 both models read as 1: the Latin "1" confirms the misreading.
    line = OcrLine("偽和 1 年 9 月 11 日", "oa 1 #4948 11a")
    assert extract_fields([line], today=TODAY).issue_date.value == date(2025, 9, 11)


def test_a_month_the_latin_reading_goes_on_with_a_digit_is_the_longer_month():
    # "1月" beside the Latin "108" (10, and 月 read as 8): the Japanese reading dropped the 0, which
    # the Latin reading kept, the day still after it. "18" is no month: there the 1 stands, confirmed.
    reading = extract_fields([OcrLine("| 令和 5 年 1 月 7 日", "| on 5 #108 748")], today=TODAY).issue_date
    sure = extract_fields([OcrLine("| 令和 5 年 1 月 7 日", "| on 5 # 1 8 7 8")], today=TODAY).issue_date

    assert reading.value == date(2023, 10, 7)
    assert sure.value == date(2023, 1, 7) and sure.confidence >= DATE_UNSURE_BELOW


def test_a_stay_periods_end_is_the_issue_date_when_no_other_date_was_read():
    # A hotel issues its receipt at check-out; the 発行日 itself, when read, still wins.
    assert read("ご宿泊期間 2024/04/03 ~ 2024/04/04 (1泊)").issue_date.value == date(2024, 4, 4)
    text = "発行日 2024/04/05\nご宿泊期間 2024/04/03 ~ 2024/04/04 (1泊)"
    assert read(text).issue_date.value == date(2024, 4, 5)


def test_a_date_a_few_years_old_is_kept_as_read():
    assert read("令和5年10月7日").issue_date.value == date(2023, 10, 7)


def test_an_era_year_past_the_era_end_is_not_a_date():
    # 平成 ended in 2019: no repair may turn 平成31 into "平成37" (2025).
    assert read("平成31年4月30日").issue_date.value == date(2019, 4, 30)
    assert read("平成35年2月1日").issue_date.value != date(2023, 2, 1)


def test_an_era_date_whose_nen_was_misread_is_still_framed_by_era_and_month():
    assert read("令和5を11月21日").issue_date.value == date(2023, 11, 21)


# -- dates pieced from the Japanese frame and the Latin digits -------------------------------------


def _date_line(text: str, alt_text: str | None) -> date | None:
    return extract_fields([OcrLine(text, alt_text)], today=TODAY).issue_date.value


def test_a_garbled_month_is_read_from_the_latin_digits_between_year_and_day():
    assert _date_line("2826年的殺11日(富)1:24", "20262 0911) 13:24") == date(2026, 9, 11)


def test_a_garbled_year_is_read_from_the_latin_digits_before_month_and_day():
    assert _date_line("発行日時 72974年93月13日99:33", "FATARS = 20242F 03130 09:33") == date(2024, 3, 13)


def test_a_date_whose_nen_and_gatsu_were_both_misread_is_taken_by_its_shape_and_stays_unsure():
    reading = read("2826生99殺11 日(多) 13:24").issue_date

    assert reading.value == date(2026, 9, 11)
    assert reading.confidence < DATE_UNSURE_BELOW


def test_the_shape_of_a_date_does_not_count_a_date_read_whole_twice():
    shape, specificity = DATE_PATTERNS[-1]

    assert specificity < 1.0
    assert shape.search("2026和09月22日") and shape.search("2026年09殺22日")
    assert not shape.search("2026年09月22日") and not shape.search("2026/09/22日")


def test_no_date_is_pieced_without_a_latin_reading():
    assert _date_line("2826年的殺11日(富)1:24", None) is None


def test_no_date_is_pieced_when_the_latin_digits_disagree():
    assert _date_line("2826年的殺11日(富)1:24", "20251 0712") is None


# -- second looks at lines whose field failed its checks ----------------------------------------


class _CannedRereads(TesseractParser):
    """Answers every second look with canned text, one text per line asked, and records the lines
    and the image each look was given."""

    def __init__(self, texts: list[str], conf: float | list[float] = 0.9) -> None:
        super().__init__()
        self.texts = texts
        self.confs = conf if isinstance(conf, list) else [conf] * len(texts)
        self.asked: list[list[str]] = []
        self.images: list[Image.Image] = []
        self.spans: list[list[tuple[int, int]]] = []

    def _read_stacked(self, page, lines, name, lang, **sizing):
        self.asked.append([line.text for line in lines])
        self.images.append(page)
        self.spans.append([(line.left, line.left + line.width) for line in lines])
        return {i: [Word(text, 0, 0, 10, 10, self.confs[i], (1, 1, 1))] for i, text in enumerate(self.texts)}


def test_only_date_looking_lines_are_read_again_for_the_date():
    lines = [
        OcrLine("サンライズ", top=0, height=40),
        OcrLine("2826年的殺11日", "ZOR 13:24", top=50, height=40),
    ]
    parser = _CannedRereads(["2026年09月11日"])

    reading = parser._reread_date(Image.new("L", (10, 10)), lines, "jpn")

    assert parser.asked == [["2826年的殺11日"]]
    assert reading.value == date(2026, 9, 11)


def test_a_long_digit_run_is_read_again_for_the_registration_number():
    lines = [
        OcrLine("計 人き縛 乱 「8267968719675", "BW rnas recommen", top=0, height=40),
        OcrLine("またのご来店をお待ちしております", top=50, height=40),
    ]
    parser = _CannedRereads(["18207908719673"])

    reading = parser._reread_registration(Image.new("L", (10, 10)), lines, FieldReading(None, 0.7), "eng")

    assert parser.asked == [["計 人き縛 乱 「8267968719675"]]
    assert reading.value == "T8207908719673"


# Read as T3887273785315 by both models: no valid number as read, only repairs of it.
UNSURE_REGISTRATION_LINES = [OcrLine("・登録番号 T3887273785315", "T3887273785315", top=0, height=40)]
UNSURE_REGISTRATION = FieldReading("T3287273785315", 0.602)


def test_an_unsure_registration_number_takes_a_surer_second_reading():
    parser = _CannedRereads(["T4887273783315"])

    reading = parser._reread_registration(
        Image.new("L", (10, 10)), UNSURE_REGISTRATION_LINES, UNSURE_REGISTRATION, "eng"
    )

    assert parser.asked == [["・登録番号 T3887273785315"]]
    assert reading == FieldReading("T4887273783315", 0.98)


def test_an_unsure_registration_number_stays_when_the_second_reading_shows_no_digits():
    parser = _CannedRereads(["ーーーー"])

    reading = parser._reread_registration(
        Image.new("L", (10, 10)), UNSURE_REGISTRATION_LINES, UNSURE_REGISTRATION, "eng"
    )

    assert reading.value == UNSURE_REGISTRATION.value


UNSURE_DATE_LINES = [OcrLine("| 令和 5 年 1 月 7 日", "| on 5 #108 748", top=50, height=40)]


def test_an_unsure_date_takes_the_digit_its_second_reading_shows_and_the_page_dropped():
    parser = _CannedRereads(["令和 5 年 10 月 7 日"])

    reading = parser._second_look_at_date(
        Image.new("L", (10, 10)), UNSURE_DATE_LINES, FieldReading(date(2023, 1, 7), 0.68), "jpn"
    )

    assert parser.asked == [["| 令和 5 年 1 月 7 日"]]
    assert reading.value == date(2023, 10, 7)


def test_an_unsure_date_tied_with_another_takes_the_one_its_second_reading_shows():
    # The page's reading gives 2026/09/05 and 2026/09/06 the same score; the tie-break chose the 6th.
    lines = [OcrLine("2026年909月06日(日)95:14 レジ2", "20264F09A06A(B) 05:14 L22", top=50, height=40)]
    parser = _CannedRereads(["2026年09月05日(土)06:14 レジ2"])

    reading = parser._second_look_at_date(Image.new("L", (10, 10)), lines, FieldReading(date(2026, 9, 6), 0.39), "jpn")

    assert reading.value == date(2026, 9, 5)


def test_a_second_reading_of_an_unsure_date_that_differs_otherwise_does_not_replace_it():
    # It dropped a digit itself (10日 → 1日), or read another digit: the page's reading stands.
    for text in ("令和 5 年 1 月 1 日", "令和 5 年 1 月 8 日"):
        first = FieldReading(date(2023, 1, 10), 0.5)

        reading = _CannedRereads([text])._second_look_at_date(Image.new("L", (10, 10)), UNSURE_DATE_LINES, first, "jpn")

        assert reading == first


def test_one_dropped_digit_of_the_month_or_day_and_nothing_else():
    assert drops_one_digit(date(2023, 1, 7), date(2023, 10, 7))
    assert drops_one_digit(date(2024, 1, 2), date(2024, 1, 12))
    assert not drops_one_digit(date(2026, 9, 10), date(2026, 9, 1))  # the second one dropped it
    assert not drops_one_digit(date(2024, 10, 27), date(2024, 10, 26))  # another digit, not a dropped one
    assert not drops_one_digit(date(2024, 1, 1), date(2024, 10, 11))  # month and day both differ
    assert not drops_one_digit(date(2023, 1, 7), date(2024, 10, 7))  # the year too


def test_a_sure_date_gets_no_second_look():
    parser = _CannedPasses({"page": [_row("発行日 2026年1月7日", 40, 1), _row("合計 ¥1,000", 100, 2)],
                            "dates": [_row("2026年10月7日", 50, 1)]})

    reading = parser.parse(Image.new("L", (400, 1000), 255))

    assert reading.issue_date.value == date(2026, 1, 7) and reading.issue_date.confidence >= 0.7
    assert "dates/psm6" not in parser.run


def test_no_second_look_without_a_line_worth_it():
    parser = _CannedRereads([])

    reading = parser._reread_date(Image.new("L", (10, 10)), [OcrLine("合計 ¥1,010", height=40)], "jpn")

    assert parser.asked == []
    assert reading.value is None


def _second_look(parser: TesseractParser, first: VendorChoice, seals: np.ndarray | None = None) -> FieldReading:
    page = PreparedPage(Image.new("L", (400, 60), 255), seals)
    return parser._second_look_at_vendor(page, None, first, "jpn")


def test_a_surer_second_reading_of_the_name_row_replaces_the_first():
    line = OcrLine("コスモススズトア", top=0, height=40, width=300, conf=0.6)
    first = VendorChoice(FieldReading("コスモススズトア", 0.8), line)
    parser = _CannedRereads(["コスモスストア"])

    reading = _second_look(parser, first)

    assert parser.asked == [["コスモススズトア"]] * len(VENDOR_REREAD_HEIGHTS)
    assert reading == FieldReading("コスモスストア", 0.8)


def test_a_second_reading_no_surer_than_the_first_keeps_the_first():
    line = OcrLine("喫茶 こもれび", top=0, height=40, width=300, conf=0.7)
    first = VendorChoice(FieldReading("喫茶 こもれび", 0.8), line)

    reading = _second_look(_CannedRereads(["共 こもれび"], conf=0.72), first)

    assert reading.value == "喫茶 こもれび"


def test_a_surely_read_name_row_gets_no_second_look():
    line = OcrLine("喫茶 こもれび", top=0, height=40, width=300, conf=0.93)
    parser = _CannedRereads(["喫茶 こもれぴ"])

    reading = _second_look(parser, VendorChoice(FieldReading("喫茶 こもれび", 0.8), line))

    assert parser.asked == []
    assert reading.value == "喫茶 こもれび"


def test_a_sure_name_row_with_a_guessed_glyph_beside_it_is_read_again_whole():
    """
    GIVEN: a name row read surely except its first glyph, a near-zero-confidence guess trimmed off
    WHEN: the name gets its second look
    THEN: the whole row, guessed glyph included, is read again alone, and that reading wins when none
    of its glyphs is a guess; otherwise the page's reading stands
    """
    line = OcrLine("進交通株式会社", top=10, left=44, height=40, width=282, conf=0.92, untrimmed=(0, 326))
    first = VendorChoice(FieldReading("進交通株式会社", 0.8), line)
    parser = _CannedRereads(["東進交通株式会社"], conf=0.9)

    reading = _second_look(parser, first)

    assert parser.spans == [[(0, 326)]] * len(VENDOR_REREAD_HEIGHTS)
    assert reading.value == "東進交通株式会社"
    assert _second_look(_CannedRereads(["裏進交通株式会社"], conf=0.1), first).value == "進交通株式会社"


def test_an_unsure_but_not_guessed_glyph_of_the_name_row_read_again_is_taken():
    line = OcrLine("こもれび", top=10, left=90, height=40, width=160, conf=0.93, untrimmed=(20, 250))
    first = VendorChoice(FieldReading("こもれび", 0.81), line)

    assert _second_look(_CannedRereads(["喫茶こもれび"], conf=0.28), first).value == "喫茶こもれび"


def _seal_beside(line: OcrLine) -> np.ndarray:
    """A seal stamped just past the row's last glyph (where the glyph it covers went missing)."""
    seals = np.zeros((60, 400), dtype=np.uint8)
    seals[5:55, line.left + line.width + 10 : line.left + line.width + 40] = LIFT
    return seals


def test_a_name_row_crossed_by_a_seal_is_read_again_without_it_however_sure_the_page_was():
    """
    GIVEN: a name row read surely on the page but short of the glyph a red seal covers
    WHEN: the name gets its second look
    THEN: the row is read again on the page with the seal lifted, as it lies and on to the seal's far
    side, and the surer of those readings wins
    """
    line = OcrLine("ホテル ミナ", top=10, left=20, height=40, width=200, conf=0.95)
    first = VendorChoice(FieldReading("ホテル ミナ", 0.8), line)
    parser = _CannedRereads(["ホテル ミナミ", "ホテル ミナ"], conf=[0.6, 0.28])
    seals = _seal_beside(line)
    seals[20:22, 230:232] = BRIDGE

    reading = _second_look(parser, first, seals)

    assert parser.spans[0] == [(20, 220), (20, 260)]  # the seal covers columns 230–259
    lifted = np.asarray(parser.images[0])
    assert lifted[20, 230] == 0 and lifted[30, 240] == 255  # the reread saw the seal-free page
    assert (reading.value, reading.confidence) == ("ホテルミナミ", 0.8)


def test_a_name_row_read_on_past_its_end_finds_the_glyphs_the_seal_covers():
    """
    GIVEN: a name row the page read surely up to a seal, which covers the name's last two glyphs
    WHEN: the name gets its second look
    THEN: the row read on to the seal's far side, surer than the row as it lies, gives the whole name
    """
    line = OcrLine("株式会社山田", top=10, left=20, height=40, width=200, conf=0.94)
    first = VendorChoice(FieldReading("株式会社山田", 0.9), line)
    parser = _CannedRereads(["株式会社山田商』", "株式会社山田商店"], conf=[0.2, 0.8])

    reading = _second_look(parser, first, _seal_beside(line))

    assert parser.spans[0] == [(20, 220), (20, 260)]
    assert reading.value == "株式会社山田商店"


def test_a_stretched_reading_that_goes_on_from_the_row_as_it_lies_wins_though_less_sure():
    """
    GIVEN: a name row whose last glyph a seal covers, read as it lies without that glyph and
    stretched to the seal's far side with it, a little less surely
    WHEN: the name gets its second look
    THEN: the stretched reading wins, unless a glyph of it is a guess
    """
    line = OcrLine("株式会社ハーベ", top=10, left=20, height=40, width=200, conf=0.92)
    first = VendorChoice(FieldReading("株式会社ハーベ", 0.9), line)

    reading = _second_look(
        _CannedRereads(["株式会社ハーベス", "株式会社ハーベスト"], conf=[0.93, 0.9]), first, _seal_beside(line)
    )
    guessed = _second_look(
        _CannedRereads(["株式会社ハーベス", "株式会社ハーベスト"], conf=[0.93, 0.05]), first, _seal_beside(line)
    )

    assert reading.value == "株式会社ハーベスト"
    assert guessed.value == "株式会社ハーベス"


def test_a_seal_rows_reading_that_finds_no_glyph_more_and_is_less_sure_leaves_the_page_reading():
    # The page read the whole name surely; with the seal lifted its last glyph broke ("乃" → "カ").
    line = OcrLine("和食処松乃", top=10, left=20, height=40, width=200, conf=0.88)
    first = VendorChoice(FieldReading("和食処松乃", 0.87), line)

    damaged = _second_look(_CannedRereads(["和食処松カ", "和食処松カ"], conf=0.35), first, _seal_beside(line))
    surer = _second_look(_CannedRereads(["和食処松乃", "和食処松乃"], conf=0.95), first, _seal_beside(line))

    assert damaged.value == "和食処松乃"
    assert surer.value == "和食処松乃"


class _ReadsBySize(TesseractParser):
    """Answers the name row's second look with one reading per glyph height asked."""

    def __init__(self, by_height: dict[int, list[tuple[str, float]]]) -> None:
        super().__init__()
        self.by_height = by_height
        self.heights: list[int] = []

    def _read_stacked(self, page, lines, name, lang, **sizing):
        self.heights.append(sizing["height"])
        words = [Word(text, 0, 0, 10, 10, conf, (1, 1, 1)) for text, conf in self.by_height[sizing["height"]]]
        return {0: words}


def test_the_name_row_is_read_at_several_sizes_and_their_consensus_kept():
    """
    GIVEN: a name row the page read short of a glyph, unsurely
    WHEN: the name gets its second look, and the model drops that glyph at one size, doubles another
    at a second, and reads it right at the others
    THEN: the row is read at every height, and the reading the others agree with wins
    """
    line = OcrLine("しらか観光バス株式会社", top=10, left=20, height=40, width=300, conf=0.83)
    first = VendorChoice(FieldReading("しらか観光バス株式会社", 0.9), line)
    right = [("しらかば", 0.9), ("観光バス株式会社", 0.9)]
    answers = {height: right for height in VENDOR_REREAD_HEIGHTS}
    answers[VENDOR_REREAD_HEIGHTS[2]] = [("しらか", 0.95), ("観光バス株式会社", 0.97)]
    answers[VENDOR_REREAD_HEIGHTS[3]] = [("しらかばぼ", 0.9), ("観光バス株式会社", 0.9)]
    parser = _ReadsBySize(answers)

    reading = _second_look(parser, first)

    assert parser.heights == list(VENDOR_REREAD_HEIGHTS)
    assert reading.value == "しらかば観光バス株式会社"


def test_the_consensus_is_the_reading_fewest_edits_from_the_others_the_surer_on_a_tie():
    def words(text: str, conf: float = 0.9) -> list[Word]:
        return [Word(text, 0, 0, 10, 10, conf, (1, 1, 1))]

    assert consensus_reading([words("青葉"), words("青"), words("青葉"), words("青革")]) == words("青葉")
    assert consensus_reading([words("青葉", 0.5), words("青革", 0.8)]) == words("青革", 0.8)
    assert consensus_reading([[], words("山田商店"), words("山田商店")]) == words("山田商店")
    assert consensus_reading([[]]) == []


def test_edit_distance_counts_glyph_insertions_deletions_and_substitutions():
    assert edit_distance("しらかば", "しらか") == 1
    assert edit_distance("しらかば", "しらかばぼ") == 1
    assert edit_distance("青葉", "青革") == 1
    assert edit_distance("", "山田") == 2
    assert edit_distance("ハーベスト", "ハーベスト") == 0
    assert edit_distance("株式会社", "会社株式") == 4


def test_a_glyph_still_unreadable_without_the_seal_keeps_the_pages_reading():
    line = OcrLine("ビジネスホテル 港屋", top=10, left=20, height=40, width=200, conf=0.82)
    first = VendorChoice(FieldReading("ビジネスホテル 港屋", 0.8), line)

    reading = _second_look(_CannedRereads(["ビジネスホテル 港硫"], conf=0.0), first, _seal_beside(line))

    assert reading.value == "ビジネスホテル 港屋"


def test_a_second_reading_of_the_name_row_must_still_look_like_the_name():
    first = FieldReading("しらか観光バス株式会社", 0.8)

    assert reread_vendor(first, "しらかば観光バス株式会社").value == "しらかば観光バス株式会社"
    assert reread_vendor(first, "上記正に領収いたしました").value == "しらか観光バス株式会社"
    assert reread_vendor(first, "TEL 03-1234-5678").value == "しらか観光バス株式会社"
    assert reread_vendor(first, "印").value == "しらか観光バス株式会社"
    # A seal or logo read alone: a different text altogether.
    assert reread_vendor(first, "山田之印 東京").value == "しらか観光バス株式会社"


# -- the issuer block of a 領収書 form --------------------------------------------------------------


class _CannedBlock(TesseractParser):
    """Reads every image as the same canned words and records the size of what it was given."""

    def __init__(self, words: list[Word]) -> None:
        super().__init__(langs="jpn")
        self.words = words
        self.sizes: list[tuple[int, int]] = []

    def _run(self, image, name, lang, *, psm):
        self.sizes.append(image.size)
        return self.words


FORM_LINES = [
    OcrLine("領収書", top=0, left=300, height=60, width=200),
    OcrLine("山口 太郎 様", top=100, left=50, height=40, width=300),
    OcrLine("金額 ¥17,000-", top=170, left=50, height=40, width=300),
    OcrLine("上記正に領収いたしました 〒471- 京都", top=260, left=50, height=30, width=900),
    OcrLine("後天額 収入印紙 TEL 03-6518-4823", top=320, left=50, height=40, width=900),
]


def _block_words(name_left: int) -> list[Word]:
    return [
        Word("〒471-9730 東京都豊島区", 20, 10, 300, 24, 0.9, (1, 1, 1)),
        Word("和食処", name_left, 60, 100, 36, 0.9, (1, 1, 2)),
        Word("松乃", name_left + 130, 60, 70, 36, 0.9, (1, 1, 2)),
        Word("TEL 03-6518-4823", 20, 110, 260, 24, 0.9, (1, 1, 3)),
    ]


PAGE = Image.new("L", (1000, 500))
OUTSIDE = VendorChoice(FieldReading("後天額", 0.6), OcrLine("後天額", top=320, left=50, height=40, width=90))
INSIDE = VendorChoice(FieldReading("和食処 松乃", 0.8), OcrLine("和食処松乃", top=300, left=700, height=40, width=200))


def test_a_forms_issuer_block_lies_lower_right_from_the_acknowledgement_row():
    # From 45% of the width and one row above the acknowledgement to the bottom right corner.
    assert issuer_block_box(PAGE, FORM_LINES) == (450, 230, 1000, 500)
    assert issuer_block_box(PAGE, FORM_LINES[:3]) is None


def test_the_issuer_block_is_read_alone_and_its_name_replaces_a_page_choice_outside_it():
    parser = _CannedBlock(_block_words(name_left=20))
    reading = ReceiptReading(vendor=OUTSIDE.reading)

    vendor, block_box = parser._use_issuer_block(PAGE, FORM_LINES, OUTSIDE, reading, "jpn")

    assert parser.sizes == [(550, 270)]
    assert reading.vendor.value == "和食処 松乃"
    assert vendor.line is not None and block_box == (450, 230, 1000, 500)


def test_a_page_choice_inside_the_block_stays_and_the_block_is_not_read_when_nothing_is_missing():
    parser = _CannedBlock(_block_words(name_left=20))
    reading = ReceiptReading(vendor=INSIDE.reading, registration_number=FieldReading("T1234567890123", 0.9))

    vendor, block_box = parser._use_issuer_block(PAGE, FORM_LINES, INSIDE, reading, "jpn")

    assert parser.sizes == []
    assert (vendor, block_box, reading.vendor) == (INSIDE, None, INSIDE.reading)


def test_a_page_row_run_in_from_the_left_of_the_block_is_not_inside_it():
    # The page's layout ran the block's name row into the 内訳 table beside it: the row's middle lies
    # in the block, but it starts far left of it. The block is read, and its name replaces the row's.
    merged = VendorChoice(
        FieldReading("イサーー", 0.89), OcrLine("イサーー | | 四エ聞店", top=300, left=100, height=40, width=700)
    )
    parser = _CannedBlock(_block_words(name_left=20))
    reading = ReceiptReading(vendor=merged.reading, registration_number=FieldReading("T1234567890123", 0.9))

    vendor, block_box = parser._use_issuer_block(PAGE, FORM_LINES, merged, reading, "jpn")
    assert vendor.reading.value == "和食処 松乃"

    assert parser.sizes == [(550, 270)]
    assert reading.vendor.value == "和食処 松乃"
    assert block_box == (450, 230, 1000, 500)


def test_the_block_is_read_for_a_missing_registration_number():
    words = [*_block_words(name_left=20), Word("登録番号 T8207908719673", 20, 150, 400, 24, 0.9, (1, 1, 4))]
    parser = _CannedBlock(words)
    reading = ReceiptReading(vendor=INSIDE.reading)

    vendor, _ = parser._use_issuer_block(PAGE, FORM_LINES, INSIDE, reading, "jpn")

    assert reading.registration_number.value == "T8207908719673"
    assert vendor == INSIDE


def test_the_acknowledgement_row_is_found_with_its_ryo_misread():
    # "上記正に信収いたしました": 領 read as 信 on a blurred photo still marks the form's issuer block.
    lines = [*FORM_LINES[:3], replace(FORM_LINES[3], text="| 上記正に信 収いたしまし た 514-4190大阪"), *FORM_LINES[4:]]
    assert form_acknowledgement(lines) == lines[3]
    assert issuer_block_box(PAGE, lines) == (450, 230, 1000, 500)


# -- a form's 内訳 box read on its own ------------------------------------------------------------------


def _breakdown_pass(*rows: str) -> dict[str, list[Word]]:
    return {"breakdown": [Word(text, 20, 30 + 50 * i, 300, 30, 0.9, (1, 1, i + 1)) for i, text in enumerate(rows)]}


def _form_reading(total: int) -> ReceiptReading:
    return ReceiptReading(total=FieldReading(total, 0.9), tax_breakdown=FieldReading({}, 0.6))


def test_a_forms_breakdown_box_lies_lower_left_beside_the_issuer_block():
    assert breakdown_box(PAGE, FORM_LINES) == (0, 230, 450, 500)
    assert breakdown_box(PAGE, FORM_LINES[:3]) is None


def test_a_forms_breakdown_box_is_read_alone_and_taken_when_it_adds_up():
    parser = _CannedPasses(_breakdown_pass("内訳", "税抜金額 79,846", "消費税額等(10%) 7,984"))
    reading = _form_reading(87830)

    parser._read_form_breakdown(PAGE, FORM_LINES, reading, "jpn", None)

    assert parser.run == ["breakdown/psm6"]
    assert reading.tax_breakdown.value == {"10": {"taxable": 79846, "tax": 7984}}
    assert reading.tax_basis.value == "exclusive"


class _BoxReadTwice(TesseractParser):
    """The box's first look finds only a rule; the second (its rules erased) finds its rows."""

    def __init__(self, rows: dict[str, list[Word]]) -> None:
        super().__init__(langs="jpn")
        self.run: list[str] = []
        self.looks = [_breakdown_pass("| 1")["breakdown"], rows["breakdown"]]
        self.images: list[Image.Image] = []

    def _run(self, image, name, lang, *, psm):
        self.run.append(f"{name}/psm{psm}")
        self.images.append(image)
        return self.looks.pop(0)


def test_a_breakdown_box_whose_cells_the_layout_dropped_is_read_again_without_its_rules():
    page = Image.new("L", PAGE.size, 255)
    page.paste(0, (10, 300, 440, 302))  # a rule of the box
    parser = _BoxReadTwice(_breakdown_pass("内訳", "税抜金額 79,846", "消費税額等(10%) 7,984"))
    reading = _form_reading(87830)

    parser._read_form_breakdown(page, FORM_LINES, reading, "jpn", None)

    assert parser.run == ["breakdown/psm6", "breakdown/psm6"]
    assert np.asarray(parser.images[0])[70, 100] == 0 and np.asarray(parser.images[1])[70, 100] == 255
    assert reading.tax_breakdown.value == {"10": {"taxable": 79846, "tax": 7984}}


def test_a_breakdown_box_with_unreadable_labels_is_taken_from_its_arithmetic():
    # 税抜金額 / 消費税額等 garbled: 6,546 and 654 are an amount and its 10% tax making the ¥7,200 total.
    parser = _CannedPasses(_breakdown_pass("| |人材 人 天 。 | 6.546|", "| 清 費和信 等) 654 1"))
    reading = _form_reading(7200)

    parser._read_form_breakdown(PAGE, FORM_LINES, reading, "jpn", None)

    assert reading.tax_breakdown.value == {"10": {"taxable": 6546, "tax": 654}}
    assert (reading.tax_basis.value, reading.tax_breakdown.confidence) == ("exclusive", 0.5)


def test_a_breakdown_box_that_does_not_add_up_is_not_taken():
    parser = _CannedPasses(_breakdown_pass("税抜金額 6,546", "消費税額等(10%) 654"))
    reading = _form_reading(7300)

    parser._read_form_breakdown(PAGE, FORM_LINES, reading, "jpn", None)

    assert reading.tax_breakdown.value == {}


def test_a_receipt_that_is_not_a_form_has_no_breakdown_box_to_read():
    parser = _CannedPasses(_breakdown_pass("税抜金額 6,546", "消費税額等(10%) 654"))
    reading = _form_reading(7200)

    parser._read_form_breakdown(PAGE, FORM_LINES[:3], reading, "jpn", None)

    assert parser.run == []
    assert reading.tax_breakdown.value == {}


def test_the_form_breakdown_from_arithmetic_needs_exactly_one_fitting_pair():
    assert infer_form_breakdown({1, 6546, 654}, 7200) == {"10": {"taxable": 6546, "tax": 654}}
    assert infer_form_breakdown({6667, 533}, 7200) == {"8": {"taxable": 6667, "tax": 533}}
    assert infer_form_breakdown({6546}, 7200) is None  # the tax was not printed (or not read)
    assert infer_form_breakdown({6500, 700}, 7200) is None  # 700 is no rate's tax on 6,500
    # Two pairs fit (one per rate): the arithmetic cannot tell which box this is.
    assert infer_form_breakdown({6546, 654, 6667, 533}, 7200) is None


def test_a_name_cut_by_the_blocks_left_edge_is_not_the_issuer():
    block = _CannedBlock(_block_words(name_left=0))._read_issuer_block(PAGE, (450, 230, 1000, 500), "jpn")

    assert block.vendor.reading.value == "和食処 松乃"
    assert not _better_issuer(block, OUTSIDE)


# -- the column layout's look at an unsure issuer name --------------------------------------------


class _CannedPasses(TesseractParser):
    """Reads each pass ("page", "columns", ...) as its own canned words and records the passes run."""

    def __init__(self, passes: dict[str, list[Word]]) -> None:
        super().__init__(langs="jpn")
        self.passes = passes
        self.run: list[str] = []

    def _run(self, image, name, lang, *, psm):
        self.run.append(f"{name}/psm{psm}")
        return self.passes.get(name, [])


def _row(text: str, top: int, key: int, *, left: int = 60, height: int = 40, conf: float = 0.9) -> Word:
    return Word(text, left, top, 40 * len(text), height, conf, (1, 1, key))


ITEMS = [
    _row("TEL 045-268-3770", 140, 2),
    _row("2024/12/05(木) 16:21", 200, 3),
    _row("幕の内弁当", 420, 4, conf=0.96),
    _row("@598 x 2 ¥1,196", 470, 5),
    _row("合計 ¥2,614", 600, 6),
]
TITLE = _row("ニコニコマート", 40, 1, left=200, height=60)


def test_a_name_the_block_reading_lost_is_found_by_the_column_layout():
    """
    GIVEN: a page whose block reading lost the shop's title row (best guess: an item line, unsure)
    WHEN: the parser reads it
    THEN: the column layout's reading of the title row wins
    """
    parser = _CannedPasses({"page": ITEMS, "columns": [TITLE, *ITEMS]})

    reading = parser.parse(Image.new("L", (800, 700), 255))

    assert "columns/psm4" in parser.run
    assert reading.vendor.value == "ニコニコマート"


def test_a_surely_read_name_gets_no_column_layout_reading():
    parser = _CannedPasses({"page": [TITLE, *ITEMS], "columns": []})

    reading = parser.parse(Image.new("L", (800, 700), 255))

    assert reading.vendor.value == "ニコニコマート"
    assert not any(run.startswith("columns") for run in parser.run)


def test_on_a_row_both_layouts_read_a_sure_block_reading_stands():
    page_title = _row("コスモスストア", 40, 1, left=200, height=50, conf=0.94)
    # The column layout reads the same row taller (scores higher) but with a doubled glyph.
    column_title = _row("コスモススズストア", 36, 1, left=200, height=73, conf=0.83)
    page_words = [page_title, *ITEMS]
    column_words = [column_title, *ITEMS]
    first = choose_vendor(vendor_lines(page_words))

    chosen = _vendor_with_column_layout(vendor_lines(page_words), first, vendor_lines(column_words))

    assert chosen.reading.value == "コスモスストア"
    # The same row read unsurely by the block reading: the column layout's reading takes over.
    unsure = [replace(page_title, conf=0.6), *ITEMS]
    chosen = _vendor_with_column_layout(vendor_lines(unsure), choose_vendor(vendor_lines(unsure)), vendor_lines(column_words))
    assert chosen.reading.value == "コスモススズストア"


def test_a_seals_own_glyphs_beside_the_name_are_not_part_of_it():
    """
    GIVEN: a name row read surely, whose last word is the text of the seal stamped over its end
    ("レン", all seal ink) and whose last printed glyph the seal's rim crosses ("札幌")
    WHEN: the words for the issuer's name are taken
    THEN: the seal's text is left out and the printed glyph under the rim stays
    """
    image = np.full((120, 700), 255, dtype=np.uint8)
    image[40:80, 100:500] = 0  # the printed name, as ink
    image[40:80, 520:580] = 60  # the seal's glyphs, as (reddish) ink
    seals = np.zeros((120, 700), dtype=np.uint8)
    seals[30:90, 460:600] = LIFT  # the seal covers the end of the name …
    seals[40:80, 460:500] = 0  # … whose strokes stay black under it
    seals[40:80, 470:472] = BRIDGE
    words = [
        Word("ホテル", 100, 40, 120, 40, 0.93, (1, 1, 1)),
        Word("グリーンヒル", 240, 40, 200, 40, 0.93, (1, 1, 1)),
        Word("札幌", 440, 40, 60, 40, 0.93, (1, 1, 1)),
        Word("レン", 520, 40, 60, 40, 0.93, (1, 1, 1)),
    ]
    page = PreparedPage(Image.fromarray(image), seals)

    kept = words_off_seals(page, words)

    assert [w.text for w in kept] == ["ホテル", "グリーンヒル", "札幌"]
    assert choose_vendor(vendor_lines(kept)).reading.value == "ホテルグリーンヒル札幌"
    assert words_off_seals(PreparedPage(Image.fromarray(image)), words) == words  # no seal: all stay


# -- a page that lies sideways or upside down -----------------------------------------------------------


UPRIGHT = [
    _row("まいにちストア", 40, 1, left=200, height=60),
    _row("2026年09月22日(火) 10:51", 140, 2),
    _row("合計 ¥2,295", 600, 6),
]


class _TurnedPage(_CannedPasses):
    """Reads the page as it lies as a rule and nothing else, and as a receipt once turned; the
    orientation model says what it is given."""

    def __init__(self, orientation: tuple[int, float] | None, first: list[Word] | None = None) -> None:
        super().__init__({})
        self.orientation = orientation
        self.first = first if first is not None else [_row("ーーーー", 40, 1)]
        self.pages: list[tuple[int, int]] = []

    def _detect_orientation(self, page):
        self.run.append("orientation")
        return self.orientation

    def _run(self, image, name, lang, *, psm):
        self.run.append(f"{name}/psm{psm}")
        if name != "page":
            return []
        self.pages.append(image.size)
        return UPRIGHT if len(self.pages) > 1 else self.first


def test_a_page_that_gave_nothing_and_lies_sideways_is_read_again_upright():
    parser = _TurnedPage(orientation=(90, 9.0))

    reading = parser.parse(Image.new("L", (400, 1000), 255))

    assert parser.pages == [(400, 1000), (1000, 400)]  # the second reading on the turned photo
    assert (reading.total.value, reading.issue_date.value) == (2295, date(2026, 9, 22))
    assert reading.vendor.value == "まいにちストア"


def test_an_unsure_orientation_leaves_the_page_as_it_lies():
    parser = _TurnedPage(orientation=(90, 1.0))

    reading = parser.parse(Image.new("L", (400, 1000), 255))

    assert "orientation" in parser.run
    assert parser.pages == [(400, 1000)]
    assert reading.total.value is None


def test_without_the_orientation_model_pages_are_read_as_they_lie(monkeypatch):
    def missing(lang):
        raise OSError(f"tesseract could not load the language data for {lang!r}")

    monkeypatch.setattr("expenses.ocr.tesseract.engine_for", missing)

    assert TesseractParser(langs="jpn")._detect_orientation(Image.new("L", (400, 1000), 255)) is None


def test_a_page_that_gave_a_total_is_never_turned():
    parser = _TurnedPage(orientation=(180, 9.0), first=UPRIGHT)

    reading = parser.parse(Image.new("L", (400, 1000), 255))

    assert "orientation" not in parser.run
    assert parser.pages == [(400, 1000)]
    assert reading.total.value == 2295


# -- the second look at the lines under the total ----------------------------------------------------


TOTAL_LINES = [
    OcrLine("サンライズ24", top=40, left=200, height=60, width=400),
    OcrLine("小計 4点 ¥1,233", top=300, left=60, height=40, width=600),
    OcrLine("合計 ¥1,233", top=360, left=60, height=60, width=600),
    OcrLine("\\ど錠 * x 内科 132", top=440, left=60, height=40, width=600),
]


def _tax_pass(text: str) -> dict[str, list[Word]]:
    # One line stacked alone: its slot starts one gap (0.6 of the enlarged crop) below the sheet top.
    return {"tax": [Word(text, 20, 50, 600, 40, 0.9, (1, 1, 1))]}


def test_a_garbled_tax_line_under_the_total_is_read_again_and_taken_when_it_adds_up():
    parser = _CannedPasses(_tax_pass("10%対象 ¥1,233 内消費税 ¥112"))
    reading = ReceiptReading(total=FieldReading(1233, 0.9), tax_breakdown=FieldReading({}, 0.6))

    parser._reread_tax(PAGE, TOTAL_LINES, reading, "jpn", None)

    assert parser.run == ["tax/psm6"]
    assert reading.tax_breakdown.value == {"10": {"taxable": 1233, "tax": 112}}
    assert reading.tax_basis.value == "inclusive"


def test_a_reread_breakdown_that_does_not_add_up_to_the_total_is_not_taken():
    parser = _CannedPasses(_tax_pass("10%対象 ¥1,300 内消費税 ¥118"))
    reading = ReceiptReading(total=FieldReading(1233, 0.9), tax_breakdown=FieldReading({}, 0.6))

    parser._reread_tax(PAGE, TOTAL_LINES, reading, "jpn", None)

    assert reading.tax_breakdown.value == {}


def test_a_tax_line_only_the_latin_model_read_again_does_not_stop_the_reading():
    """A slot the Japanese model left empty (blurred print) used to crash the receipt's reading.
    Latin digits alone carry no rate label: no breakdown is made up from them."""
    words = _tax_pass("10% ¥1,233 ¥112")["tax"]
    parser = _CannedPasses({"tax-digits": words})
    reading = ReceiptReading(total=FieldReading(1233, 0.9), tax_breakdown=FieldReading({}, 0.6))

    parser._reread_tax(PAGE, TOTAL_LINES, reading, "jpn", "eng")

    # Both models read the lines (at once: in either order).
    assert sorted(parser.run) == ["tax-digits/psm6", "tax/psm6"]
    assert reading.tax_breakdown.value == {}
    assert reading.total.value == 1233


def test_the_lines_under_the_total_are_found_by_the_amount_in_either_reading():
    assert _shows_amount(OcrLine("合計 ¥1.233"), 1233)
    assert _shows_amount(OcrLine("合 計", alt_text="Bist ¥1,233."), 1233)
    assert not _shows_amount(OcrLine("TEL 082-934-12335"), 1233)
    assert not _shows_amount(OcrLine("¥21,233"), 1233)


# -- the darkened second reading of a faded page -------------------------------------------------------


FADED_PAGE = [_row("まいにちストア", 40, 1, left=200, height=60), _row("@598 x 2 ¥1,196", 470, 5)]
DARKENED = [
    _row("2026年09月22日(火) 10:51", 140, 2),
    _row("合計 ¥2,295", 600, 6),
    _row("(内消費税 ¥208)", 660, 7),
    _row("クレジット", 720, 8),
]


def test_a_page_that_gave_no_total_is_read_again_darkened_for_the_fields_it_lacks():
    """
    GIVEN: a page whose first reading found only the shop name and an item row (faded print)
    WHEN: the parser reads it
    THEN: the page is read once more darkened, and the total, date, breakdown and payment come from
    that reading; the name read the first time stays
    """
    parser = _CannedPasses({"page": FADED_PAGE, "faded": [_row("コスモスストア", 40, 1, left=200, height=60), *DARKENED]})

    reading = parser.parse(Image.new("L", (800, 800), 255))

    assert "faded/psm6" in parser.run
    assert reading.total.value == 2295
    assert reading.issue_date.value == date(2026, 9, 22)
    assert reading.tax_breakdown.value == {"10": {"taxable": 2295, "tax": 208}}
    assert reading.payment_method.value == "credit_card"
    assert reading.vendor.value == "まいにちストア"


def test_the_darkened_reading_never_replaces_a_field_the_page_gave():
    # The page gave the total but no date: only the date is taken from the darkened reading.
    page = [*FADED_PAGE, _row("合計 ¥2,259", 600, 6)]
    parser = _CannedPasses({"page": page, "faded": DARKENED})

    reading = parser.parse(Image.new("L", (800, 800), 255))

    assert reading.total.value == 2259
    assert reading.issue_date.value == date(2026, 9, 22)


class _CannedDateHeights(_CannedPasses):
    """Answers the date lines' second looks with one canned reading per look, in turn."""

    def __init__(self, passes: dict[str, list[Word]], dates: list[str]) -> None:
        super().__init__(passes)
        self.dates = list(dates)

    def _run(self, image, name, lang, *, psm):
        if name != "dates":
            return super()._run(image, name, lang, psm=psm)
        self.run.append(f"{name}/psm{psm}/{image.height}")
        return [_row(self.dates.pop(0), 10, 1, height=10)]


def test_a_garbled_date_on_the_darkened_page_is_voted_on_by_its_line_read_at_each_height():
    """
    GIVEN: a faded page whose darkened reading garbles the date line (2026年09月22日 read with its
    day cut short), and second looks at it that each garble another glyph
    WHEN: the parser reads it
    THEN: the line is read once per height and the readings together give the day the first one lost
    """
    garbled = replace(DARKENED[0], text="2926征09月2日 (89 ー")
    parser = _CannedDateHeights(
        {"page": FADED_PAGE, "faded": [garbled, *DARKENED[1:]]},
        ["2926将き9月22日(,691", "2925等9月22日(火」18.51"][: len(DATE_REREAD_HEIGHTS)],
    )

    reading = parser.parse(Image.new("L", (800, 800), 255))

    assert len([run for run in parser.run if run.startswith("dates/")]) == len(DATE_REREAD_HEIGHTS)
    assert reading.issue_date.value == date(2026, 9, 22)
    assert reading.issue_date.confidence < DATE_UNSURE_BELOW
    assert reading.total.value == 2295


def test_a_name_the_faded_page_lost_comes_from_the_darkened_reading():
    title = _row("コスモスストア", 40, 1, left=200, height=60)
    parser = _CannedPasses({"page": [_row("@598 x 2 ¥1,196", 470, 5)], "faded": [title, *DARKENED]})

    reading = parser.parse(Image.new("L", (800, 800), 255))

    assert reading.vendor.value == "コスモスストア"
    assert reading.total.value == 2295


def test_a_page_that_gave_total_and_date_is_not_read_again_darkened():
    parser = _CannedPasses({"page": [*FADED_PAGE, *DARKENED]})

    reading = parser.parse(Image.new("L", (800, 800), 255))

    assert reading.total.value == 2295
    assert not any(run.startswith("faded") for run in parser.run)


def test_darkening_pushes_greys_towards_black_and_keeps_paper_and_ink():
    greys = Image.frombytes("L", (4, 1), bytes([0, 153, 204, 255]))

    assert list(darken_greys(greys, 3.0).tobytes()) == [0, 55, 131, 255]


# -- kanji and katakana of the same shape ---------------------------------------------------------


def test_kanji_lookalikes_inside_a_katakana_word_become_katakana():
    from expenses.ocr.kana import fix_script_lookalikes

    assert fix_script_lookalikes("ホテル 三ナミ") == "ホテル ミナミ"
    assert fix_script_lookalikes("二コ二コ食堂") == "ニコニコ食堂"


def test_katakana_lookalikes_between_kanji_become_kanji():
    from expenses.ocr.kana import fix_script_lookalikes

    assert fix_script_lookalikes("あおば電エ株式会社") == "あおば電工株式会社"
    assert fix_script_lookalikes("田ロ商店") == "田口商店"


def test_kanji_names_with_kana_particles_keep_their_kanji():
    from expenses.ocr.kana import fix_script_lookalikes

    assert fix_script_lookalikes("三ツ星ベーカリー") == "三ツ星ベーカリー"
    assert fix_script_lookalikes("一ノ瀬商店") == "一ノ瀬商店"


def test_vendor_value_gets_the_script_fix():
    assert read("カフェ 三ルク\nTEL 03-1111-2222").vendor.value == "カフェ ミルク"


def test_form_amount_ignores_a_date_row_above_the_purpose_line():
    text = "領収書\n2026年10月3日\n但し お品代として"
    assert read(text).total.value is None


def test_the_issuers_label_is_not_the_issuers_name():
    # "発行" (issued by) is a form's label for the issuer's block, never the name itself.
    lines = [OcrLine("発行", top=700, left=520, height=40, width=80, conf=0.96)]
    assert choose_vendor(lines).reading.value is None


def test_a_name_another_reading_shows_addressed_with_sama_is_the_recipient():
    # The column layout read the 宛名 row without its 様; the block reading of the same row has it.
    lines = [
        OcrLine("東電商事株式会社 様", top=200, left=100, height=40, width=420, conf=0.9),
        OcrLine("東電商事 株 式会社", top=202, left=104, height=38, width=330, conf=0.8),
        OcrLine("ステーションホテル", top=700, left=500, height=36, width=330, conf=0.7),
    ]
    assert choose_vendor(lines).reading.value == "ステーションホテル"
    assert choose_vendor(lines[1:]).reading.value.replace(" ", "") == "東電商事株式会社"


class _RecordsRegistrationRereads(_CannedPasses):
    def __init__(self, passes: dict[str, list[Word]]) -> None:
        super().__init__(passes)
        self.langs = "jpn+eng"
        self.rereads: list[FieldReading[str]] = []

    def _reread_registration(self, page, lines, first, lang):
        self.rereads.append(first)
        return first


def _registration_page(number: str) -> dict[str, list[Word]]:
    return {"page": [_row("2024/12/05 16:21", 40, 1), _row("合計 ¥2,614", 100, 2), _row(f"登録番号 {number}", 160, 3)]}


def test_only_a_missing_or_unsure_registration_number_gets_a_second_look():
    sure = _RecordsRegistrationRereads(_registration_page("T4887273783315"))
    unsure = _RecordsRegistrationRereads(_registration_page("T3887273785315"))

    sure_reading = sure.parse(Image.new("L", (800, 300), 255))
    unsure_reading = unsure.parse(Image.new("L", (800, 300), 255))

    assert sure_reading.registration_number.value == "T4887273783315"
    assert sure.rereads == []
    assert unsure_reading.registration_number.confidence < 0.6
    assert [first.value for first in unsure.rereads] == [unsure_reading.registration_number.value]


def test_a_name_row_that_reads_with_a_honorific_alone_is_the_recipient_and_another_row_is_the_issuer():
    """
    GIVEN: a receipt whose page reading lost the 様 after the recipient's name, which so looks like
    the issuer's name, and whose issuer's name is printed lower down
    WHEN: the recipient's row, read alone, ends in 様
    THEN: the issuer's name is chosen from the other rows
    """
    recipient = _row("東和商事株式会社", 100, 1, left=60, height=50, conf=0.8)
    issuer = _row("ステーションホテル", 500, 3, left=400, height=36, conf=0.95)
    page = [recipient, _row("¥59,900-", 200, 2, left=300, height=50), issuer]
    parser = _CannedPasses({"page": page, "vendor": [_row("東和商事株式会社 様", 10, 1)]})

    reading = parser.parse(Image.new("L", (1000, 700), 255))

    assert reading.vendor.value == "ステーションホテル"
    assert any(run.startswith("vendor/") for run in parser.run)


def test_the_lines_under_the_total_read_again_for_the_tax_also_vote_for_the_registration_number():
    """
    GIVEN: a receipt whose 登録番号 line, printed under the total, the page read with two digits wrong
    (no valid number as read: only an unsure repair of it)
    WHEN: the lines under the total are read again for the missing breakdown and show the number whole
    THEN: that reading votes too, and the number it shows is taken
    """
    page = [
        _row("サンライズ24", 40, 1, left=200, height=60),
        _row("合計 ¥1,233", 360, 2, height=60),
        _row("登録番号 T3887273785315", 440, 3),
    ]
    parser = _CannedPasses({"page": page, **_tax_pass("登録番号 T4887273783315")})

    reading = parser.parse(Image.new("L", (1000, 700), 255))

    assert "tax/psm6" in parser.run
    assert reading.registration_number.value == "T4887273783315"
