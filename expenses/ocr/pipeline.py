"""File in, fields out: loading -> parser (preprocess + OCR) -> field extraction, timed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext_lazy as _

from expenses.ocr.loading import ReceiptFileError, load_receipt
from expenses.ocr.protocol import ReceiptReading
from expenses.ocr.registry import get_parser_factory


def read_receipt_file(source: str | Path | BinaryIO, *, langs: str = "jpn+eng") -> ReceiptReading:
    started = time.perf_counter()
    loaded = load_receipt(source)
    factory = get_parser_factory(loaded.mime, langs=langs)
    if factory is None:
        raise ReceiptFileError("unsupported_type", _("このファイル形式は読み取れません。"))
    with factory(langs=langs) as parser:
        reading = parser.parse(loaded.image)
    reading.seconds = time.perf_counter() - started
    return reading
