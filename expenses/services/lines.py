"""Line validation, line writes and totals. Called only from the claim services."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import CompanySettings
from core.money import Rounding, tax_included_part
from expenses.inputs import LineInput
from expenses.models import (
    TAXABLE_CATEGORIES,
    Claim,
    ClaimLine,
    DatedLimit,
    ExpenseCategory,
    Project,
    TaxCategory,
    TaxRate,
    rate_for,
)
from expenses.rules.entertainment import EntertainmentOutcome, judge_per_person
from expenses.rules.invoice_number import InvoiceNumberStatus, check_invoice_number

MAX_VENDOR = 100
MAX_DESCRIPTION = 500


@dataclass
class LineContext:
    """Master data loaded once per request so validating N lines costs a constant number of queries."""

    categories: dict[int, ExpenseCategory]
    projects: dict[int, Project]
    rates: list[TaxRate]
    rounding: Rounding
    today: datetime.date

    @classmethod
    def load(cls) -> "LineContext":
        return cls(
            categories={c.pk: c for c in ExpenseCategory.objects.filter(is_active=True)},
            projects={p.pk: p for p in Project.objects.filter(is_active=True)},
            rates=list(TaxRate.objects.all()),
            rounding=CompanySettings.load().rounding,
            today=timezone.localdate(),
        )


def _err(errors: dict[str, str], key: str, name: str, message: str) -> None:
    errors.setdefault(f"{key}.{name}" if key else name, message)


def validate_line(line: LineInput, ctx: LineContext, errors: dict[str, str]) -> None:
    """Shape and rule checks on every save. Drafts may leave date, category and amount empty (a receipt
    waiting for OCR); what is given must be valid."""
    key = line.key
    if line.expense_date is not None:
        if line.expense_date > ctx.today:
            _err(errors, key, "expense_date", _("未来の日付は入力できません。"))
        elif line.expense_date < datetime.date(2000, 1, 1):
            _err(errors, key, "expense_date", _("利用日が古すぎます。"))
    if line.category_id is not None and line.category_id not in ctx.categories:
        _err(errors, key, "category", _("経費科目を選択してください。"))
    if line.amount is not None:
        if line.amount <= 0:
            _err(errors, key, "amount", _("金額は1円以上で入力してください。"))
        elif line.amount > settings.SEISAN_MAX_LINE_AMOUNT:
            _err(
                errors,
                key,
                "amount",
                _("金額が上限（¥%(limit)s）を超えています。") % {"limit": f"{settings.SEISAN_MAX_LINE_AMOUNT:,}"},
            )
    if line.tax_category and line.tax_category not in TaxCategory.values:
        _err(errors, key, "tax_category", _("税区分を選択してください。"))
    if len(line.vendor) > MAX_VENDOR:
        _err(errors, key, "vendor", _("支払先は%(n)d文字以内で入力してください。") % {"n": MAX_VENDOR})
    if len(line.description) > MAX_DESCRIPTION:
        _err(errors, key, "description", _("内容は%(n)d文字以内で入力してください。") % {"n": MAX_DESCRIPTION})
    if line.registration_number.strip():
        check = check_invoice_number(line.registration_number)
        if check.status is InvoiceNumberStatus.ERROR:
            _err(errors, key, "registration_number", check.message)
    if line.project_id and line.project_id not in ctx.projects:
        _err(errors, key, "project", _("プロジェクトを選択し直してください。"))
    if line.payment_method not in ClaimLine.PaymentMethod.values:
        _err(errors, key, "payment_method", _("支払方法を選択してください。"))
    if line.attendee_count is not None and not (1 <= line.attendee_count <= 1000):
        _err(errors, key, "attendee_count", _("参加人数は1〜1000人で入力してください。"))


def validate_line_for_submission(line: ClaimLine, key: str, errors: dict[str, str]) -> None:
    """Requirements that must hold before a claim leaves the applicant (receipts, attendees)."""
    if line.expense_date is None:
        _err(errors, key, "expense_date", _("利用日を入力してください。"))
    if line.amount is None:
        _err(errors, key, "amount", _("金額を入力してください。"))
    category = line.category
    if category is None:
        _err(errors, key, "category", _("経費科目を選択してください。"))
        return
    if category.attendees_required:
        if not line.attendee_count:
            _err(errors, key, "attendee_count", _("この経費科目では参加人数の入力が必要です。"))
        if not line.attendee_names.strip():
            _err(errors, key, "attendee_names", _("この経費科目では参加者（会社名・氏名）の入力が必要です。"))
    if line.amount is not None and category.needs_receipt(line.amount) and not line_has_receipt(line) and not line.no_receipt_reason.strip():
        _err(
            errors,
            key,
            "no_receipt_reason",
            _("この経費には領収書が必要です。領収書を添付するか、ない理由を入力してください。"),
        )


def line_has_receipt(line: ClaimLine) -> bool:
    """A line is evidenced by a current (not deleted, not replaced) receipt, its own or the one it shares
    with the other rate's line; uses the prefetch when present."""
    return bool(line.evidence_receipts())


def entertainment_summary(line: ClaimLine, limits: list[DatedLimit]) -> dict | None:
    """The ¥10,000-per-person test (R8) shown beside 会議費/交際費 lines."""
    if line.category is None or not line.category.attendees_required or not line.attendee_count or not line.amount:
        return None
    limit = limit_on(limits, DatedLimit.Key.ENTERTAINMENT_PER_PERSON, line.expense_date)
    if limit is None:
        return None
    result = judge_per_person(line.amount, line.attendee_count, includes_external=line.includes_external, limit=limit)
    messages = {
        EntertainmentOutcome.MEETING_EXPENSE_OK: _(
            "1人あたり¥%(pp)s（上限¥%(limit)s以下）: 交際費から除かれる飲食費として扱えます。"
        ),
        EntertainmentOutcome.ENTERTAINMENT: _("1人あたり¥%(pp)s（上限¥%(limit)s超）: 全額が交際費になります。"),
        EntertainmentOutcome.INTERNAL_ONLY: _("社内の参加者のみの飲食は、金額にかかわらず交際費になります。"),
    }
    return {
        "per_person": result.per_person,
        "limit": result.limit,
        "outcome": result.outcome.value,
        "message": messages[result.outcome] % {"pp": f"{result.per_person:,}", "limit": f"{result.limit:,}"},
    }


def limit_on(limits: list[DatedLimit], key: str, on_date: datetime.date) -> int | None:
    for row in limits:
        if row.key == key and row.valid_from <= on_date and (row.valid_to is None or on_date <= row.valid_to):
            return row.amount
    return None


def apply_line(target: ClaimLine, line: LineInput, ctx: LineContext, position: int) -> ClaimLine:
    """Copy validated input onto a line and compute its tax (one rounding per receipt per rate, R6.2).

    A field OCR filled stays when the input leaves it empty (the editor may have been opened before OCR
    finished); a value the employee typed always wins and stops counting as OCR-filled."""
    ocr_filled = set(target.ocr_filled_fields or [])
    values = {
        "expense_date": line.expense_date,
        "amount": line.amount,
        "vendor": line.vendor.strip(),
        "registration_number_raw": line.registration_number.strip(),
        "tax_category": line.tax_category,
    }
    for name, value in values.items():
        if name in ocr_filled and value in (None, ""):
            continue
        if name in ocr_filled and value != getattr(target, name):
            ocr_filled.discard(name)
        setattr(target, name, value)
    category = ctx.categories.get(line.category_id) if line.category_id else None
    if category is not None or "category" not in ocr_filled:
        target.category = category
    target.position = position
    target.tax_category = target.tax_category or (target.category.default_tax_category if target.category else "")
    target.description = line.description.strip()
    target.attendee_count = line.attendee_count
    target.attendee_names = line.attendee_names.strip()
    target.includes_external = line.includes_external
    target.project = ctx.projects.get(line.project_id) if line.project_id else None
    target.payment_method = line.payment_method
    target.no_receipt_reason = line.no_receipt_reason.strip()
    target.ocr_filled_fields = sorted(ocr_filled)
    if target.approved_amount is not None and (target.amount or 0) < target.approved_amount:
        # The employee lowered the amount below an approver's correction: the correction no longer applies
        # (its LineCorrection record stays in the history).
        target.approved_amount = None
    set_registration_number(target, target.registration_number_raw)
    compute_line_tax(target, ctx.rates, ctx.rounding)
    return target


def set_registration_number(target: ClaimLine, raw: str) -> None:
    target.registration_number_raw = raw
    if raw:
        check = check_invoice_number(raw)
        target.registration_number = check.normalised
        target.registration_status = check.status.value
    else:
        target.registration_number = ""
        target.registration_status = ClaimLine.RegistrationStatus.NONE


def compute_line_tax(target: ClaimLine, rates: list[TaxRate], rounding: Rounding) -> None:
    target.tax_rate = rate_for(target.tax_category, target.expense_date, rates)
    amount = target.amount or 0
    target.tax_amount = tax_included_part(amount, target.tax_rate, rounding) if target.tax_rate else 0


def recompute_totals(claim: Claim, lines: list[ClaimLine]) -> None:
    """Totals are always derived on the server from the stored lines."""
    claim.total_amount = sum(line.amount or 0 for line in lines)
    claim.taxable_10_amount = sum(line.amount or 0 for line in lines if line.tax_rate == 10)
    claim.tax_10_amount = sum(line.tax_amount for line in lines if line.tax_rate == 10)
    claim.taxable_8_amount = sum(line.amount or 0 for line in lines if line.tax_rate == 8)
    claim.tax_8_amount = sum(line.tax_amount for line in lines if line.tax_rate == 8)
    claim.other_amount = sum(line.amount or 0 for line in lines if line.tax_category not in TAXABLE_CATEGORIES)
    claim.line_count = len(lines)
