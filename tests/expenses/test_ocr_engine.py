"""The in-process Tesseract engine (libtesseract through ctypes) against the tesseract command."""

import multiprocessing
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from expenses.ocr import engine as engine_module
from expenses.ocr.engine import engine_for, load_library
from expenses.ocr.preprocess import prepare_page
from expenses.ocr.tesseract import parse_tsv, tesseract_available

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "receipts"

pytestmark = pytest.mark.ocr


@pytest.fixture(scope="module")
def page() -> Image.Image:
    with Image.open(SAMPLES / "0004.jpg") as image:
        return prepare_page(image).image


def _cli_words(image: Image.Image, lang: str, psm: int, tmp_path: Path):
    source = tmp_path / "page.pgm"
    image.save(source)
    subprocess.run(
        ["tesseract", str(source), str(tmp_path / "out"), "-l", lang, "--psm", str(psm), "--oem", "1",
         "-c", "tessedit_do_invert=0", "tsv"],
        check=True, capture_output=True, env={"PATH": "/usr/bin:/bin", "OMP_THREAD_LIMIT": "1"},
    )
    rows = (tmp_path / "out.tsv").read_text(encoding="utf-8").split("\n", 1)[1]  # drop the header row
    return parse_tsv(rows)


@pytest.mark.parametrize(("lang", "psm"), [("jpn", 6), ("eng", 6), ("jpn", 7)])
def test_the_engine_reads_exactly_what_the_tesseract_command_reads(tesseract, page, tmp_path, lang, psm):
    """
    GIVEN: a prepared receipt page
    WHEN: the in-process engine and the tesseract command read it with the same model and settings
    THEN: every word, box and confidence is the same (the engine is a faster path, not another reader)
    """
    image = page if psm == 6 else page.crop((0, 0, page.width, 80))
    words = parse_tsv(engine_for(lang).read_tsv(image, psm=psm, timeout=60))

    assert words == _cli_words(image, lang, psm, tmp_path)
    assert len(words) > (20 if psm == 6 else 0)


def test_one_engine_per_language_is_kept_and_reads_the_same_twice(tesseract, page):
    first = engine_for("jpn")

    assert engine_for("jpn") is first
    assert engine_for("eng") is not first
    assert first.read_tsv(page, psm=6, timeout=60) == first.read_tsv(page, psm=6, timeout=60)


@pytest.mark.parametrize("turned", [0, 90, 180, 270])
def test_orientation_detection_says_how_far_a_turned_page_must_turn_back(tesseract, page, turned):
    """
    GIVEN: a prepared receipt page, turned counter-clockwise by 0, 90, 180 or 270 degrees
    WHEN: the orientation model looks at it
    THEN: it says, surely, the turn that sets it upright again
    """
    found = engine_for("osd").detect_orientation(page.rotate(turned, expand=True))

    assert found is not None
    degrees, confidence = found
    assert degrees == (360 - turned) % 360
    assert confidence >= 2.0


def test_orientation_detection_on_a_blank_page_finds_nothing(tesseract):
    assert engine_for("osd").detect_orientation(Image.new("L", (600, 800), 255)) is None


def test_a_read_past_its_deadline_is_a_timeout_not_a_partial_reading(tesseract, page):
    engine = engine_for("jpn")
    whole = engine.read_tsv(page, psm=6, timeout=60)

    with pytest.raises(TimeoutError):
        engine.read_tsv(page, psm=6, timeout=0.001)
    # The engine stays usable after a timed-out read, and reads as before.
    assert engine.read_tsv(page, psm=6, timeout=60) == whole
    assert "まいにちストア" in "".join(w.text for w in parse_tsv(whole))


def _read_in_child(path: str) -> tuple[int, int, str]:
    import os

    with Image.open(path) as image:
        tsv = engine_for("eng").read_tsv(image.convert("L"), psm=6, timeout=60)
    return os.getpid(), engine_module._engines_pid, tsv


def test_a_forked_worker_loads_its_own_engine(tesseract):
    """Celery's prefork children inherit the parent's memory: they must not share its engines."""
    parent_tsv = engine_for("eng").read_tsv(Image.open(SAMPLES / "0004.jpg").convert("L"), psm=6, timeout=60)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        child_pid, engines_pid, child_tsv = pool.apply(_read_in_child, (str(SAMPLES / "0004.jpg"),))

    assert engines_pid == child_pid
    assert child_tsv == parent_tsv


def test_a_missing_library_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(engine_module, "_library", None)
    monkeypatch.setattr(engine_module, "LIBRARY_NAMES", ("libtesseract-missing.so.0",))
    monkeypatch.setattr(engine_module.ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(engine_module, "_engines", {})

    with pytest.raises(OSError, match="libtesseract could not be loaded"):
        load_library()
    ok, reason = tesseract_available("jpn")
    assert not ok and "libtesseract could not be loaded" in reason


def test_missing_language_data_is_a_clear_error(tesseract, monkeypatch):
    monkeypatch.setattr(engine_module, "_engines", {})

    with pytest.raises(OSError, match="language data for 'klingon'"):
        engine_for("klingon")
