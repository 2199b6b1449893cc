"""Approval reads: who may act on which step, the queue, the route of a claim, stalled steps."""

import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from approvals.models import ApprovalStep, Delegation, LineCorrection, StepStatus
from approvals.transitions import ClaimStatus
from core.calendar import CalendarKind, business_days_between
from core.exceptions import NotFoundOrForbidden
from expenses.models import Claim, ClaimLine, DatedLimit, ExpenseCategory, Receipt
from people.roles import Role, has_role

SORTS = {
    "age": ("activated_at", "id"),
    "-age": ("-activated_at", "-id"),
    "amount": ("claim__total_amount", "id"),
    "-amount": ("-claim__total_amount", "-id"),
    "applicant": ("claim__applicant__name", "id"),
    "department": ("claim__department__code", "id"),
}
WARNINGS = ("warn_missing_receipt", "warn_duplicate", "warn_entertainment", "warn_commuter_pass")


def _actor_ids(user, today: datetime.date) -> tuple[list[int], list[int]]:
    """The user's group ids and the approvers they stand in for today; cached on the user for the request."""
    cached = getattr(user, "_seisan_actor_ids", None)
    if cached is not None and cached[0] == today:
        return cached[1], cached[2]
    groups = list(user.groups.through.objects.filter(user_id=user.pk).values_list("group_id", flat=True))
    delegators = list(Delegation.objects.filter(delegate=user, valid_from__lte=today, valid_to__gte=today)
                      .values_list("approver_id", flat=True))
    user._seisan_actor_ids = (today, groups, delegators)
    return groups, delegators


def actionable_q(user, *, today: datetime.date | None = None) -> Q:
    """Steps `user` may act on: own, own group's (never own claims), delegated to them, escalated to them.

    Ids are resolved first (two tiny queries, cached per request) so that PostgreSQL can combine the
    (approver, status) / (approver_group, status) indexes with a BitmapOr instead of scanning every step.
    """
    today = today or timezone.localdate()
    groups, delegators = _actor_ids(user, today)
    q = Q(approver=user) | Q(escalated_to=user)
    if groups:
        q |= Q(approver_group_id__in=groups)
    if delegators:
        q |= Q(approver_id__in=delegators)
    return q & ~Q(claim__applicant_id=user.pk)


def acting_for(user, step: ApprovalStep, *, today: datetime.date | None = None):
    """Whom `user` acts for on `step` (None when acting in their own right); raises if they may not act."""
    today = today or timezone.localdate()
    if step.claim.applicant_id == user.pk:
        raise NotFoundOrForbidden
    if step.approver_id == user.pk:
        return None
    groups, delegators = _actor_ids(user, today)  # the same ids the queue was built from
    if step.approver_group_id is not None and step.approver_group_id in groups:
        return None
    if step.approver_id is not None and (step.escalated_to_id == user.pk or step.approver_id in delegators):
        return step.approver
    raise NotFoundOrForbidden


def access_step(user, step_id: int, *, for_update: bool = False) -> ApprovalStep:
    """A step the user may act on (approver, group member, active delegate, escalation target); else 404."""
    queryset = ApprovalStep.objects.select_related("claim", "claim__applicant", "approver", "approver_group")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        step = queryset.get(pk=step_id)
    except (ApprovalStep.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundOrForbidden from exc
    step.acting_for = acting_for(user, step)
    return step


def can_review_claim(user, claim: Claim) -> bool:
    if claim.applicant_id == user.pk:
        return False
    if has_role(user, Role.ACCOUNTING):
        return claim.status != ClaimStatus.DRAFT  # drafts stay private until submitted
    return ApprovalStep.objects.filter(actionable_q(user), claim=claim).exists() or ApprovalStep.objects.filter(
        claim=claim, acted_by=user).exists()


def access_claim_for_review(user, claim_id: int) -> Claim:
    """The claim for its approvers (any round), their delegates, escalation targets and accounting; else 404."""
    try:
        claim = Claim.objects.select_related("applicant", "applicant__manager", "department").get(pk=claim_id)
    except (Claim.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundOrForbidden from exc
    if not can_review_claim(user, claim):
        raise NotFoundOrForbidden
    return claim


def get_route(claim: Claim) -> list[ApprovalStep]:
    """All steps of all rounds, oldest first."""
    return list(ApprovalStep.objects.filter(claim=claim)
                .select_related("approver", "approver_group", "acted_by", "acted_for", "escalated_to"))


def get_current_round(steps: list[ApprovalStep]) -> list[ApprovalStep]:
    if not steps:
        return []
    last = max(step.round for step in steps)
    return [step for step in steps if step.round == last]


def get_pending_step(claim: Claim) -> ApprovalStep | None:
    return ApprovalStep.objects.filter(claim=claim, status=StepStatus.PENDING).first()


def get_corrections(claim: Claim) -> list[LineCorrection]:
    return list(LineCorrection.objects.filter(line__claim=claim)
                .select_related("corrected_by", "corrected_for", "line").order_by("created_at", "id"))


def _entertainment_limit(today: datetime.date) -> int:
    row = (DatedLimit.objects.filter(key=DatedLimit.Key.ENTERTAINMENT_PER_PERSON, valid_from__lte=today)
           .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today)).order_by("-valid_from").first())
    return row.amount if row else 10_000


def annotate_warnings(queryset: QuerySet, *, claim_ref: str, limit: int) -> QuerySet:
    """Policy warnings as EXISTS subqueries: one SQL statement for the whole page, whatever its size."""
    lines = ClaimLine.objects.filter(claim=OuterRef(claim_ref))
    # 領収書なし: the category needs a receipt at this amount and none is attached (a reason may be given).
    missing_receipt = lines.filter(category__receipt_required=True).filter(
        Q(category__receipt_required_from__isnull=True) | Q(amount__gte=F("category__receipt_required_from")))
    current = Receipt.objects.filter(line=OuterRef("pk"), deleted_at__isnull=True, replaced_at__isnull=True)
    missing_receipt = missing_receipt.filter(~Exists(current))
    # The same expense (date, amount, category) in another live claim of the same applicant.
    same = ClaimLine.objects.filter(
        claim__applicant=OuterRef("claim__applicant"), expense_date=OuterRef("expense_date"),
        amount=OuterRef("amount"), category=OuterRef("category"),
    ).exclude(claim=OuterRef("claim")).exclude(claim__status__in=["draft", "withdrawn", "rejected"])
    duplicate = lines.filter(Exists(same))
    entertainment = lines.filter(
        category__kind__in=[ExpenseCategory.Kind.ENTERTAINMENT, ExpenseCategory.Kind.MEETING],
        attendee_count__gt=0, amount__gt=F("attendee_count") * limit,
    )
    # The trip overlaps the applicant's registered 定期区間 (fully or partly deducted when entered).
    commuter = lines.filter(transit__pass_deduction__in=["full", "partial"])
    return queryset.annotate(
        warn_missing_receipt=Exists(missing_receipt),
        warn_duplicate=Exists(duplicate),
        warn_entertainment=Exists(entertainment),
        warn_commuter_pass=Exists(commuter),
    )


def list_pending_steps_for_approver(
    user,
    *,
    query: str = "",
    department_id: int | None = None,
    warning: str = "",
    accounting_only: bool = False,
    sort: str = "age",
    today: datetime.date | None = None,
) -> QuerySet[ApprovalStep]:
    """The approver's queue: joins for each row, no per-row reads; warnings come per page (attach_warnings)."""
    today = today or timezone.localdate()
    queryset = (
        ApprovalStep.objects.filter(actionable_q(user, today=today), status=StepStatus.PENDING)
        .select_related("claim", "claim__applicant", "claim__department", "approver", "approver_group")
    )
    if query:
        queryset = queryset.filter(Q(claim__number__icontains=query) | Q(claim__title__icontains=query)
                                   | Q(claim__applicant__name__icontains=query))
    if department_id:
        queryset = queryset.filter(claim__department_id=department_id)
    if accounting_only:
        queryset = queryset.filter(is_accounting_check=True)
    queryset = queryset.order_by(*SORTS.get(sort, SORTS["age"]))
    if warning in WARNINGS or warning == "any":
        # Filtering by warning: flag every candidate claim in chunks, then keep the matching steps.
        candidates = list(queryset.values_list("pk", "claim_id"))
        flags = get_claim_warnings({claim_id for _pk, claim_id in candidates}, today=today)
        names = WARNINGS if warning == "any" else (warning,)
        keep = [pk for pk, claim_id in candidates if any(flags.get(claim_id, {}).get(n) for n in names)]
        queryset = queryset.filter(pk__in=keep)
    return queryset


WARNING_CHUNK = 50


def get_claim_warnings(claim_ids, *, today: datetime.date | None = None) -> dict[int, dict[str, bool]]:
    """warn_* flags per claim, probing per claim through the indexes.

    Kept out of the queue query on purpose: with EXISTS columns over an unrestricted set, PostgreSQL hashes
    each subquery over every line in the database (seconds at 200,000 claims); restricted to a few dozen
    claim ids it probes per claim (milliseconds). One query per 50 claims: a page is one query."""
    claim_ids = sorted(set(claim_ids))
    if not claim_ids:
        return {}
    limit = _entertainment_limit(today or timezone.localdate())
    flags: dict[int, dict[str, bool]] = {}
    for start in range(0, len(claim_ids), WARNING_CHUNK):
        chunk = claim_ids[start:start + WARNING_CHUNK]
        rows = annotate_warnings(Claim.objects.filter(pk__in=chunk).order_by(), claim_ref="pk",
                                 limit=limit).values("pk", *WARNINGS)
        flags.update({row["pk"]: {name: bool(row[name]) for name in WARNINGS} for row in rows})
    return flags


def attach_warnings(steps, *, today: datetime.date | None = None) -> None:
    """Set warn_* on the steps of one page (one query for a page of up to 50 claims)."""
    steps = list(steps)
    flags = get_claim_warnings({step.claim_id for step in steps}, today=today)
    for step in steps:
        for name in WARNINGS:
            setattr(step, name, flags.get(step.claim_id, {}).get(name, False))


def count_pending_steps(user) -> int:
    return ApprovalStep.objects.filter(actionable_q(user), status=StepStatus.PENDING).count()


def step_age_business_days(step: ApprovalStep, *, now: datetime.datetime) -> int:
    if step.activated_at is None:
        return 0
    return business_days_between(timezone.localtime(step.activated_at).date(), timezone.localtime(now).date(),
                                 kind=CalendarKind.COMPANY)


def is_reminder_due(step: ApprovalStep, *, now: datetime.datetime) -> bool:
    """Pending for N business days, and no reminder in the current interval (weekends and 祝日 excluded)."""
    if step_age_business_days(step, now=now) < step.reminder_after_business_days:
        return False
    if step.last_reminded_at is None:
        return True
    since = business_days_between(timezone.localtime(step.last_reminded_at).date(),
                                  timezone.localtime(now).date(), kind=CalendarKind.COMPANY)
    return since >= step.reminder_interval_business_days


def list_stalled_steps(*, now: datetime.datetime) -> list[ApprovalStep]:
    """Pending steps due a reminder. SQL narrows the candidates (a business day is at least a calendar
    day); the business-day test (jpholiday) runs in Python on that short list."""
    candidates = (
        ApprovalStep.objects.filter(status=StepStatus.PENDING, activated_at__isnull=False)
        .filter(Q(reminder_after_business_days=0) | Q(activated_at__lte=now - datetime.timedelta(days=1)))
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=now - datetime.timedelta(hours=12)))
        .select_related("claim", "claim__applicant", "approver", "approver__manager", "approver_group")
        .order_by("activated_at", "id")
    )
    return [step for step in candidates if is_reminder_due(step, now=now)]
