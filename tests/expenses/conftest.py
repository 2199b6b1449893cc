import pytest

from expenses.ocr.tesseract import tesseract_available


@pytest.fixture(scope="session")
def tesseract() -> str:
    """Real Tesseract with Japanese data. Missing it is a broken environment: FAIL, never skip."""
    ok, reason = tesseract_available("jpn+eng")
    if not ok:
        pytest.fail(
            f"{reason}. OCR tests need Tesseract 5 with Japanese data: run `make test`, which installs "
            "tesseract-ocr and tesseract-ocr-jpn.",
            pytrace=False,
        )
    return "jpn+eng"
