import pytest

from expenses.ocr.tesseract import tesseract_available


@pytest.fixture(scope="session")
def tesseract() -> str:
    """Real Tesseract with Japanese data and the orientation model. Missing it is a broken
    environment: FAIL, never skip."""
    ok, reason = tesseract_available("jpn+eng+osd")
    if not ok:
        pytest.fail(
            f"{reason}. OCR tests need Tesseract 5 with Japanese data: run `make test`, which installs "
            "tesseract-ocr, tesseract-ocr-jpn and tesseract-ocr-osd.",
            pytrace=False,
        )
    return "jpn+eng"
