"""Real Tesseract on committed sample receipts (tests/samples/receipts, truth in expected.json)."""

import json
from datetime import date
from pathlib import Path

import pytest

from expenses.ocr.fake import FakeReceiptParser
from expenses.ocr.pipeline import read_receipt_file
from expenses.ocr.registry import register_parser, unregister_parser
from expenses.ocr.tesseract import TesseractParser

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "receipts"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.ocr


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_it_reads_the_key_fields(tesseract, name):
    """
    GIVEN: a receipt photo/scan with known ground truth
    WHEN: the full pipeline (loading, preprocessing, Tesseract, extraction) reads it
    THEN: date, total, issuer, registration number and per-rate tax breakdown match exactly
    (the issuer ignoring spaces, as the dev set's scoring does)
    """
    expected = EXPECTED[name]

    reading = read_receipt_file(SAMPLES / name, langs=tesseract)

    assert reading.issue_date.value == date.fromisoformat(expected["issue_date"])
    assert reading.total.value == expected["total"]
    assert (reading.vendor.value or "").replace(" ", "") == expected["vendor"].replace(" ", "")
    assert reading.registration_number.value == expected["registration_number"]
    assert reading.to_json_dict()["tax_breakdown"] == expected["tax_breakdown"]
    assert 0.0 < reading.total.confidence <= 1.0
    assert reading.seconds > 0


def test_a_faded_receipt_gives_its_total_through_the_darkened_second_reading(tesseract):
    """
    GIVEN: a dim, blurred photo of a register receipt (dev receipt 0034: light grey print on which
    the page reading finds only the shop name and a broken 合計 row)
    WHEN: the pipeline reads it
    THEN: the total comes from the page read again with its greys darkened
    """
    reading = read_receipt_file(SAMPLES.parent / "faded" / "0034.jpg", langs=tesseract)

    assert reading.total.value == 2295
    assert reading.vendor.value == "まいにちストア"


@pytest.mark.parametrize("turned", [90, 180, 270])
def test_a_receipt_photographed_sideways_or_upside_down_is_read_upright(tesseract, turned):
    """
    GIVEN: a receipt photo turned on its side or upside down, with no EXIF orientation to say so
    WHEN: the parser reads it
    THEN: the page gave nothing as it lay, so its orientation is detected and it is read upright:
    the same date, total and issuer as the upright photo
    """
    from PIL import Image

    expected = EXPECTED["0004.jpg"]
    with Image.open(SAMPLES / "0004.jpg") as image:
        reading = TesseractParser(langs=tesseract).parse(image.rotate(turned, expand=True))

    assert reading.issue_date.value == date.fromisoformat(expected["issue_date"])
    assert reading.total.value == expected["total"]
    assert (reading.vendor.value or "").replace(" ", "") == expected["vendor"].replace(" ", "")


def test_a_parser_works_as_a_context_manager_and_reads_a_receipt(tesseract):
    from PIL import Image

    with TesseractParser(langs=tesseract) as parser, Image.open(SAMPLES / "0004.jpg") as image:
        reading = parser.parse(image)
    assert reading.total.value == EXPECTED["0004.jpg"]["total"]


def test_registry_prefers_an_injected_fake(tesseract):
    class CannedParser(FakeReceiptParser):
        text = "テスト商店\n2026年10月3日\n合計 ¥1,100\n10%対象 ¥1,100 内消費税 ¥100\n現金 ¥1,100"

    register_parser(CannedParser)
    try:
        reading = read_receipt_file(SAMPLES / "0004.jpg", langs=tesseract)
    finally:
        unregister_parser(CannedParser)
    assert reading.total.value == 1100
    assert reading.vendor.value == "テスト商店"
    assert reading.payment_method.value == "cash"


class _LooksRecorded(TesseractParser):
    """A real parser that records the name of every look it takes."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.looks: list[str] = []

    def _run(self, image, name, lang, *, psm):
        self.looks.append(name)
        return super()._run(image, name, lang, psm=psm)


def test_a_photo_of_noise_reads_as_nothing_after_one_look(tesseract):
    """
    GIVEN: a photo of pure noise (no print at all)
    WHEN: the parser reads it
    THEN: every field is empty, and after the page's first look, which the model reads as dozens
    of words at near-zero confidence, no second look is taken (on noise each one costs far more
    than on a receipt, and a stacked sheet of its "lines" grew past what Tesseract can read)
    """
    import numpy as np
    from PIL import Image

    noise = Image.fromarray(np.random.default_rng(7).integers(0, 256, (450, 350), dtype=np.uint8))
    parser = _LooksRecorded(langs=tesseract)

    reading = parser.parse(noise)

    assert parser.looks == ["page"]
    assert reading.to_json_dict()["total"] is None and reading.vendor.value is None
    assert all(getattr(reading, name).confidence == 0.0 for name in ("issue_date", "total", "vendor"))


def test_a_receipt_whose_page_reads_mostly_as_noise_still_gets_its_second_looks():
    """A page of near-zero-confidence words that still shows a total is a receipt on a busy
    background: it is read on as any other."""
    from PIL import Image

    from expenses.ocr.tesseract import Word

    garbage = [Word("ミ", 10 * i, 0, 8, 8, 0.0, (1, 1, 1)) for i in range(40)]
    total = [Word("合計", 0, 100, 40, 20, 0.9, (1, 1, 2)), Word("¥1,000", 60, 100, 60, 20, 0.9, (1, 1, 2))]

    class Canned(_LooksRecorded):
        def _run(self, image, name, lang, *, psm):
            self.looks.append(name)
            return [*garbage, *total] if name == "page" else []

    parser = Canned(langs="jpn+eng")
    reading = parser.parse(Image.new("L", (600, 400), 255))

    assert reading.total.value == 1000
    assert parser.looks[0] == "page" and "digits" in parser.looks

