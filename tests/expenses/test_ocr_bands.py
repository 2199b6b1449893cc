"""Rows of print the page's reading missed (no Tesseract: drawn pages and canned rereads)."""

from PIL import Image, ImageDraw

from expenses.ocr.bands import unread_bands
from expenses.ocr.tesseract import TesseractParser, Word
from expenses.ocr.text import OcrLine

GLYPH = 28  # the prepared page's glyph height


def _page(rows: list[int], *, dark_margin: bool = False) -> Image.Image:
    """A white page with a row of glyph-sized blocks at each top in `rows`, a dotted rule at 400,
    and optionally the photo's dark background down its left edge."""
    page = Image.new("L", (600, 500), 255)
    draw = ImageDraw.Draw(page)
    for top in rows:
        for left in range(100, 500, 34):
            draw.rectangle((left, top, left + 24, top + GLYPH - 1), fill=0)
    for left in range(100, 500, 12):
        draw.rectangle((left, 400, left + 5, 401), fill=0)
    if dark_margin:
        draw.rectangle((0, 0, 40, 499), fill=20)
    return page


def _line(text: str, top: int, height: int = GLYPH) -> OcrLine:
    return OcrLine(text, None, top, 100, height, 400, 0.9)


def test_a_row_of_print_no_line_covers_is_a_band_with_its_box():
    page = _page([40, 120, 200])
    lines = [_line("TEL 06-3961-7787", 40), _line("2023-12-31 06:06", 200)]

    bands = unread_bands(page, lines)

    assert [(b.top, b.left, b.height, b.width) for b in bands] == [(120, 100, GLYPH, 399)]
    assert bands[0].text == ""


def test_a_line_read_as_a_rule_or_two_stray_letters_covers_nothing():
    # Tesseract ran the 登録番号 row into the rule below it and read the two as "ーー" (or "se").
    page = _page([40, 120])
    for rule in ("ーー", "se"):
        lines = [_line("TEL 06-3961-7787", 40), OcrLine(rule, None, 115, 20, 2 * GLYPH, 560, 0.3)]
        assert [b.top for b in unread_bands(page, lines)] == [120], rule
    # A short line of real print still covers its row: "合計 ¥592" with a wide gap.
    lines = [_line("TEL 06-3961-7787", 40), OcrLine("合計 ¥592", None, 120, 100, GLYPH, 160, 0.9)]
    assert unread_bands(page, lines) == []


def test_rules_and_the_dark_background_beside_the_paper_are_not_rows_of_print():
    page = _page([40], dark_margin=True)

    assert unread_bands(page, [_line("TEL 06-3961-7787", 40)]) == []
    assert unread_bands(page, []) == []


class _CannedBands(TesseractParser):
    def __init__(self, texts: list[tuple[str, float]]) -> None:
        super().__init__()
        self.texts = texts
        self.asked: list[tuple[str, list[int]]] = []

    def _read_stacked(self, page, lines, name, lang, **sizing):
        self.asked.append((name, [line.top for line in lines]))
        if name == "digits":
            return {i: [Word(line.text, 0, 0, 10, 10, 0.9, (1, 1, 1))] for i, line in enumerate(lines)}
        return {i: [Word(text, 0, 0, 10, 10, conf, (1, 1, 1))] for i, (text, conf) in enumerate(self.texts)}


def test_missed_rows_read_surely_join_the_lines_in_page_order_with_their_latin_digits():
    page = _page([40, 120, 200, 280])
    lines = [_line("TEL 06-3961-7787", 40), _line("2023-12-31 06:06", 200)]
    parser = _CannedBands([("登録番号:T6394562441488", 0.85), ("ーーーー", 0.2)])

    merged = parser._with_missed_rows(page, lines, "jpn", "eng")

    assert parser.asked == [("missed", [120, 280]), ("digits", [120])]
    assert [line.text for line in merged] == ["TEL 06-3961-7787", "登録番号:T6394562441488", "2023-12-31 06:06"]
    assert merged[1].alt_text == "登録番号:T6394562441488" and merged[1].conf == 0.85


def test_a_page_whose_every_row_was_read_gets_no_second_look():
    page = _page([40, 120])
    parser = _CannedBands([])
    lines = [_line("TEL 06-3961-7787", 40), _line("登録番号:T6394562441488", 120)]

    assert parser._with_missed_rows(page, lines, "jpn", "eng") == lines
    assert parser.asked == []
