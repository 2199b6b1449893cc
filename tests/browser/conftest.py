"""Browser journeys that involve OCR need the same Tesseract check as the OCR tests."""

from tests.expenses.conftest import tesseract  # noqa: F401
