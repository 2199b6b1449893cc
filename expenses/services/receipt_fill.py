"""Filling a claim line from a receipt's OCR reading, and splitting a mixed-rate receipt by tax rate."""

import datetime
from dataclasses import dataclass, field

from django.db.models import F

from expenses.models import ClaimLine, TaxCategory
from expenses.services.lines import LineContext, compute_line_tax, set_registration_number

RATE_CATEGORIES = {"10": TaxCategory.STANDARD, "8": TaxCategory.REDUCED}
# What the per-rate line copies from the line holding the receipt: the same purchase, another rate.
SHARED_FIELDS = ("expense_date", "category_id", "vendor", "registration_number", "registration_number_raw",
                 "registration_status", "description", "project_id", "payment_method", "attendee_count",
                 "attendee_names", "includes_external")


@dataclass
class LineFill:
    filled: list[str] = field(default_factory=list)
    rate_line: ClaimLine | None = None  # the 8% line added for a mixed-rate receipt

    def split_detail(self) -> dict | None:
        """For the audit trail: which lines a mixed-rate receipt became, and their amounts."""
        if self.rate_line is None:
            return None
        line = self.rate_line.receipt_line
        return {"line": line.pk, "rate_line": self.rate_line.pk,
                "amounts": {"10": line.amount, "8": self.rate_line.amount}}


def tax_category_from_breakdown(breakdown: dict) -> str:
    """The line's tax category when the receipt states a single rate; "" (category default) otherwise."""
    rates = list(breakdown or {})
    return RATE_CATEGORIES.get(rates[0], "") if len(rates) == 1 else ""


def amounts_by_rate(result: dict) -> dict[str, int] | None:
    """Tax-included amount per rate of a receipt that states both 10% and 8%, when the parts add up to its
    total; None otherwise (one rate, a non-taxable part, or a misread that breaks the sum)."""
    breakdown = result.get("tax_breakdown") or {}
    if set(breakdown) != set(RATE_CATEGORIES):
        return None
    exclusive = result.get("tax_basis") == "exclusive"
    parts = {rate: int(v["taxable"]) + (int(v["tax"]) if exclusive else 0) for rate, v in breakdown.items()}
    if min(parts.values()) <= 0 or sum(parts.values()) != result.get("total"):
        return None
    return parts


def fill_line_from_reading(line: ClaimLine, result: dict, ctx: LineContext) -> LineFill:
    """Fill only the fields the employee left empty; remember which ones OCR filled.

    A receipt with both rates, on a line whose amount and tax category are still empty, fills this line
    with the 10% part and adds a line for the 8% part right after it (see `do_split_line_by_rate`).
    """
    filled = []
    issue_date = result.get("issue_date")
    parts = amounts_by_rate(result) if line.amount is None and not line.tax_category else None
    candidates = {
        "expense_date": datetime.date.fromisoformat(issue_date) if issue_date else None,
        "amount": parts["10"] if parts else result.get("total") or None,
        "vendor": (result.get("vendor") or "")[:100],
        "registration_number_raw": result.get("registration_number") or "",
        "tax_category": RATE_CATEGORIES["10"] if parts else tax_category_from_breakdown(result.get("tax_breakdown")),
    }
    if candidates["expense_date"] and candidates["expense_date"] > ctx.today:
        candidates["expense_date"] = None  # a misread year must not produce a future date
    for name, value in candidates.items():
        if value in (None, "") or getattr(line, name) not in (None, ""):
            continue
        setattr(line, name, value)
        filled.append(name)
    if not filled:
        return LineFill()
    if "registration_number_raw" in filled:
        set_registration_number(line, line.registration_number_raw)
    if not line.tax_category and line.category:
        line.tax_category = line.category.default_tax_category
    compute_line_tax(line, ctx.rates, ctx.rounding)
    line.ocr_filled_fields = sorted(set(line.ocr_filled_fields or []) | set(filled))
    line.save()
    return LineFill(filled, do_split_line_by_rate(line, parts["8"], ctx) if parts else None)


def do_split_line_by_rate(line: ClaimLine, reduced_amount: int, ctx: LineContext) -> ClaimLine:
    """Add the 8% line of a mixed-rate receipt right after `line`, which holds the receipt.

    One line per rate keeps each line's tax a single rounding of that rate's total on the receipt (R6.2)
    and the per-rate amounts the books need (R6.5); the new line is evidenced by the same receipt.
    """
    ClaimLine.objects.filter(claim_id=line.claim_id, position__gt=line.position).update(position=F("position") + 1)
    reduced = ClaimLine(claim_id=line.claim_id, position=line.position + 1, receipt_line=line,
                        amount=reduced_amount, tax_category=RATE_CATEGORIES["8"],
                        ocr_filled_fields=sorted(set(line.ocr_filled_fields) | {"amount", "tax_category"}),
                        **{name: getattr(line, name) for name in SHARED_FIELDS})
    compute_line_tax(reduced, ctx.rates, ctx.rounding)
    reduced.save()
    return reduced
