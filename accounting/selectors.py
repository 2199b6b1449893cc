"""Accounting reads: rules data from the DB, work queues, export rows, dashboard totals."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from accounting.exporters.base import VendorMapping
from accounting.exporters.default_mappings import mapping_from_rows
from accounting.models import (
    Account,
    DeductionScheduleRow,
    ExportBatch,
    JournalEntry,
    JournalLine,
    PaymentBatch,
    PaymentItem,
    TaxCategoryMapping,
)
from accounting.rules.tax_category import DeductionSchedule
from accounting.rules.tax_category import DeductionScheduleRow as ScheduleRow
from approvals.models import ApprovalStep, StepStatus
from approvals.transitions import ClaimStatus
from core.exceptions import NotFoundOrForbidden
from core.models import CompanySettings
from expenses.models import Claim, ClaimLine
from people.roles import Role, has_role

DEFAULT_SCHEDULE_NAME = "current_law"


def is_accounting_user(user) -> bool:
    return bool(user.is_authenticated) and (has_role(user, Role.ACCOUNTING) or has_role(user, Role.ADMIN))


def require_accounting(user) -> None:
    """Accounting pages and writes: anyone else gets the same 404 as for a missing object."""
    if not is_accounting_user(user):
        raise NotFoundOrForbidden


def get_deduction_schedule(name: str) -> DeductionSchedule:
    rows = DeductionScheduleRow.objects.filter(schedule=name).order_by("valid_from")
    return DeductionSchedule(name, tuple(ScheduleRow(r.valid_from, r.valid_to, r.ratio) for r in rows))


def list_schedule_names() -> list[str]:
    return list(DeductionScheduleRow.objects.order_by("schedule").values_list("schedule", flat=True).distinct())


def get_vendor_mapping(vendor: str) -> VendorMapping:
    """The vendor's (edited) mapping rows; account names fall back to the internal chart."""
    rows = TaxCategoryMapping.objects.filter(vendor=vendor).values_list("table", "key", "value")
    mapping = mapping_from_rows(vendor, iter(rows))
    accounts = dict(Account.objects.values_list("code", "name"))
    accounts.update(mapping.accounts)
    return VendorMapping(vendor=vendor, tax_names=mapping.tax_names, accounts=accounts,
                         invoice_names=mapping.invoice_names,
                         accounting_method_marks=mapping.accounting_method_marks, literals=mapping.literals)


def active_accrual_q() -> Q:
    """Posted and not reversed."""
    return Q(kind=JournalEntry.Kind.ACCRUAL, reversed_by__isnull=True)


def active_accruals_by_claim(claim_ids) -> dict[int, JournalEntry]:
    """The current 計上仕訳 of each claim (the highest active revision), lines prefetched: two queries."""
    entries = (JournalEntry.objects.filter(active_accrual_q(), claim_id__in=claim_ids)
               .order_by("claim_id", "revision").prefetch_related("lines"))
    return {entry.claim_id: entry for entry in entries}  # a later (higher) revision replaces an earlier one


def get_active_accrual(claim_id: int) -> JournalEntry | None:
    return JournalEntry.objects.filter(active_accrual_q(), claim_id=claim_id).order_by("-revision").first()


def list_claims_to_post() -> QuerySet[Claim]:
    """Approved claims without a current 計上仕訳 (normally none: posting runs at the accounting step). With
    posting style "payment only", only those with lines the employee did not pay (card, company invoice)."""
    posted = JournalEntry.objects.filter(active_accrual_q(), claim_id=OuterRef("pk"))
    claims = Claim.objects.filter(status=ClaimStatus.APPROVED)
    if CompanySettings.load().books_employee_paid_at_payment:
        company_paid = ClaimLine.objects.filter(claim_id=OuterRef("pk")).exclude(
            payment_method=ClaimLine.PaymentMethod.EMPLOYEE)
        claims = claims.filter(Exists(company_paid))
    return (claims.exclude(Exists(posted))
            .select_related("applicant", "department").order_by("updated_at", "id"))


def list_payable_claims() -> QuerySet[Claim]:
    """Posted (or, with posting style "payment only", approved), not in any payment batch yet."""
    paid = PaymentItem.objects.filter(claim_id=OuterRef("pk"))
    if CompanySettings.load().books_employee_paid_at_payment:
        claims = Claim.objects.filter(status=ClaimStatus.APPROVED)
    else:
        claims = Claim.objects.filter(Exists(JournalEntry.objects.filter(active_accrual_q(), claim_id=OuterRef("pk"))))
    return (claims.exclude(Exists(paid))
            .select_related("applicant", "applicant__bank_account", "department").order_by("applicant_id", "id"))


def list_pending_accounting_claims() -> QuerySet[Claim]:
    """Claims waiting at the 経理確認 step of the approval route."""
    pending = ApprovalStep.objects.filter(claim_id=OuterRef("pk"), is_accounting_check=True,
                                          status=StepStatus.PENDING)
    return (Claim.objects.filter(status=ClaimStatus.SUBMITTED).filter(Exists(pending))
            .select_related("applicant", "department").order_by("submitted_at", "id"))


def count_unexported(*, period_from: datetime.date | None = None, period_to: datetime.date | None = None) -> dict:
    queryset = JournalEntry.objects.filter(export_item__isnull=True)
    if period_from:
        queryset = queryset.filter(entry_date__gte=period_from)
    if period_to:
        queryset = queryset.filter(entry_date__lte=period_to)
    return queryset.aggregate(entries=Count("id"), total=Sum("debit_total"))


def list_export_batches() -> QuerySet[ExportBatch]:
    return ExportBatch.objects.select_related("created_by", "cancelled_by").order_by("-created_at", "-id")


def list_payment_batches() -> QuerySet[PaymentBatch]:
    return PaymentBatch.objects.select_related("created_by", "paid_by").order_by("-created_at", "-id")


def access_export_batch(user, batch_id: int) -> ExportBatch:
    require_accounting(user)
    try:
        return ExportBatch.objects.select_related("created_by").get(pk=batch_id)
    except (ExportBatch.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundOrForbidden from exc


def access_payment_batch(user, batch_id: int) -> PaymentBatch:
    require_accounting(user)
    try:
        return PaymentBatch.objects.select_related("created_by", "paid_by").get(pk=batch_id)
    except (PaymentBatch.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundOrForbidden from exc


def get_payment_items(batch: PaymentBatch) -> list[PaymentItem]:
    return list(batch.items.select_related("claim", "payee").order_by("id"))


def monthly_totals(*, months: int = 6, today: datetime.date) -> dict:
    """Posted expense (debit) amounts per month by department and by account, net of reversals."""
    first = (today.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    base = JournalLine.objects.filter(entry__kind__in=[JournalEntry.Kind.ACCRUAL, JournalEntry.Kind.REVERSAL],
                                      entry__entry_date__gte=first, claim_line__isnull=False)
    signed = Sum("amount", filter=Q(side="debit"))
    reversed_amount = Sum("amount", filter=Q(side="credit"))

    def grouped(field: str) -> list[dict]:
        data = (base.annotate(month=TruncMonth("entry__entry_date")).values("month", field)
                .annotate(debit=signed, credit=reversed_amount).order_by("month", field))
        return [{"month": row["month"], "key": row[field] or "—",
                 "amount": (row["debit"] or 0) - (row["credit"] or 0)} for row in data]

    return {"by_department": grouped("department"), "by_category": grouped("account_name"), "from": first}


def list_claim_lines_for_posting(claim: Claim) -> list[ClaimLine]:
    from expenses.selectors import current_receipts, link_receipt_lines

    return link_receipt_lines(list(ClaimLine.objects.filter(claim=claim)
                                   .select_related("category", "approved_category", "project")
                                   .prefetch_related(current_receipts()).order_by("position", "id")))
