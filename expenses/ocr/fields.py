"""Pure text -> receipt fields. No I/O: every function takes OCR lines and returns values.

Each extractor returns a FieldReading whose confidence reflects the OCR confidence, how specific the
evidence was (a keyword next to the value, a valid check digit) and whether the receipt's own
arithmetic agrees (domain.md R6.4).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from expenses.ocr.amounts import extract_total, is_fragment, one_digit_edits, total_candidates
from expenses.ocr.dates import extract_issue_date
from expenses.ocr.protocol import FieldReading, ReceiptReading
from expenses.ocr.registration import extract_registration_number
from expenses.ocr.tax import extract_tax
from expenses.ocr.text import OcrLine, lines_from_text, variants
from expenses.ocr.vendor import choose_vendor, extract_payment_method


def extract_fields(lines: Sequence[OcrLine], *, today: date | None = None) -> ReceiptReading:
    """Every field from the lines. The Tesseract parser replaces the issuer's name with the one it
    chooses from its own rows (see vendor_lines)."""
    var = variants(lines)
    total_scores = total_candidates(var)
    breakdown, basis, implied_total, checked = extract_tax(var, total_scores)
    total = extract_total(var, implied_total if _vouched(implied_total, checked, total_scores) else None)
    if implied_total is not None and total.value is not None and implied_total != total.value:
        # The arithmetic does not close: trust neither side fully (R6.4).
        breakdown = FieldReading(breakdown.value, breakdown.confidence * 0.6)
        basis = FieldReading(basis.value, basis.confidence * 0.6)
    raw_text = "\n".join(line.text for line in lines)
    return ReceiptReading(
        issue_date=extract_issue_date(var, today),
        total=total,
        vendor=choose_vendor(lines).reading,
        registration_number=extract_registration_number(var),
        tax_breakdown=breakdown,
        tax_basis=basis,
        payment_method=extract_payment_method(var),
        raw_text=raw_text,
    )


def _vouched(implied_total: int | None, checked: bool, total_scores: dict[int, float]) -> bool:
    """Whether the breakdown's total counts as evidence for the total: it was read as a total too,
    none was, or the breakdown checks itself and the totals read are one confused digit from it or
    fragments only (the figure's row lost, a stray "4" left)."""
    if implied_total is None:
        return False
    if implied_total in total_scores or not total_scores:
        return True
    if not checked:
        return False
    return all(is_fragment(value) for value in total_scores) or any(
        implied_total in one_digit_edits(value) for value in total_scores
    )


def extract_from_text(text: str, *, today: date | None = None) -> ReceiptReading:
    return extract_fields(lines_from_text(text), today=today)
