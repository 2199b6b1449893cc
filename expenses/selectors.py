"""Reads: permission-checked access and the tuned queries behind list pages."""

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from approvals.models import ClaimEvent
from core.exceptions import ApplicationError, NotFoundOrForbidden
from expenses.models import Claim, ClaimLine, Receipt
from people.roles import Role, has_role


def access_claim(user, claim_id: int, *, for_update: bool = False) -> Claim:
    """The claim if `user` may see it; the same error for missing and forbidden."""
    queryset = Claim.objects.select_related("applicant", "department")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        claim = queryset.get(pk=claim_id)
    except (Claim.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundOrForbidden from exc
    if claim.applicant_id != user.pk:
        raise NotFoundOrForbidden
    return claim


def access_editable_claim(user, claim_id: int) -> Claim:
    """The applicant's claim, locked for a write, while it can still be edited (draft or returned)."""
    claim = access_claim(user, claim_id, for_update=True)
    if not claim.is_editable:
        raise ApplicationError(_("提出済みの申請は編集できません。"))
    return claim


def access_receipt(user, receipt_id: int) -> Receipt:
    """A receipt its viewer may see: the applicant, accounting, or a reviewer of the claim."""
    try:
        receipt = Receipt.objects.select_related("claim").get(pk=receipt_id)
    except (Receipt.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundOrForbidden from exc
    if receipt.claim.applicant_id == user.pk or has_role(user, Role.ACCOUNTING):
        return receipt
    if can_review_claim(user, receipt.claim):
        return receipt
    raise NotFoundOrForbidden


def can_review_claim(user, claim: Claim) -> bool:
    """Approvers see the claims routed to them; the approval workflow answers when it is installed."""
    try:
        from approvals.selectors import access_claim_for_review
    except ImportError:
        return False
    try:
        access_claim_for_review(user, claim.pk)
    except NotFoundOrForbidden:
        return False
    return True


def list_claim_receipts(claim: Claim) -> list[Receipt]:
    return list(Receipt.objects.filter(claim=claim).order_by("id"))


def current_receipts() -> Prefetch:
    """Prefetch of each line's current receipts (not deleted, not replaced), oldest first."""
    return Prefetch(
        "receipts", queryset=Receipt.objects.filter(deleted_at__isnull=True, replaced_at__isnull=True).order_by("id")
    )


def get_claim_lines(claim: Claim) -> list[ClaimLine]:
    return link_receipt_lines(list(
        ClaimLine.objects.filter(claim=claim)
        .select_related("category", "project")
        .prefetch_related(current_receipts())
        .order_by("position", "id")
    ))


def link_receipt_lines(lines: list[ClaimLine]) -> list[ClaimLine]:
    """Point each per-rate line at the loaded line holding its receipt, whose receipts are prefetched:
    no query per line."""
    by_id = {line.pk: line for line in lines}
    for line in lines:
        if line.receipt_line_id in by_id:
            line.receipt_line = by_id[line.receipt_line_id]
    return lines


def get_claim_events(claim: Claim) -> list[ClaimEvent]:
    return list(ClaimEvent.objects.filter(claim=claim).select_related("actor", "on_behalf_of").order_by("created_at", "id"))


def list_claims_for_user(
    user,
    *,
    status: str | None = None,
    query: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Claim]:
    """My claims: totals are denormalised on the claim, so the list costs the same for 1 or 1,000 lines."""
    queryset = Claim.objects.filter(applicant=user).select_related("department")
    if status:
        queryset = queryset.filter(status=status)
    if query:
        queryset = queryset.filter(Q(title__icontains=query) | Q(number__icontains=query))
    if date_from:
        queryset = queryset.filter(created_at__date__gte=date_from)
    if date_to:
        queryset = queryset.filter(created_at__date__lte=date_to)
    return queryset.order_by("-created_at", "-id")


def list_claims_with_lines_for_user(user) -> QuerySet[Claim]:
    lines = ClaimLine.objects.select_related("category", "project").order_by("position", "id")
    return list_claims_for_user(user).prefetch_related(Prefetch("lines", queryset=lines))
