"""A parser that returns canned text through the real field extraction (for tests and demos)."""

from __future__ import annotations

from typing import Any

from PIL import Image

from expenses.ocr.fields import extract_from_text
from expenses.ocr.protocol import ReceiptReading


class FakeReceiptParser:
    text = ""
    langs = "jpn+eng"

    def __init__(self, text: str | None = None, *, langs: str = "jpn+eng") -> None:
        if text is not None:
            self.text = text
        self.langs = langs
        self.parsed = 0

    def __enter__(self) -> FakeReceiptParser:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        return None

    def score(self, mime: str) -> int | None:
        return 1000

    def parse(self, image: Image.Image) -> ReceiptReading:
        self.parsed += 1
        return extract_from_text(self.text)
