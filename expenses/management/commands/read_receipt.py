"""`manage.py read_receipt FILE...`: OCR receipts synchronously, one JSON object per file per line."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from expenses.ocr.loading import ReceiptFileError
from expenses.ocr.pipeline import read_receipt_file


class Command(BaseCommand):
    help = "Read receipt images/PDFs with OCR and print the extracted fields as JSON lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        langs = getattr(settings, "SEISAN_OCR_LANGS", "jpn+eng")
        failed = 0
        for path in options["files"]:
            try:
                result: dict[str, Any] = {"file": path, **read_receipt_file(path, langs=langs).to_json_dict()}
            except ReceiptFileError as exc:
                failed += 1
                result = {"file": path, "error": str(exc.message)}
            except (OSError, TimeoutError) as exc:
                failed += 1
                result = {"file": path, "error": str(exc)}
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        if failed:
            raise CommandError(f"{failed} file(s) could not be read")
