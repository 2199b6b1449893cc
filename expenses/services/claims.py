"""Claim write paths: create, edit a draft, submit. Views, API and tasks all call these."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.events import record_claim_event, transition_claim
from approvals.models import ClaimEvent
from approvals.transitions import Actor, ClaimStatus
from core.exceptions import ApplicationError, ConflictError, ValidationFailed
from expenses.inputs import ClaimInput
from expenses.models import Claim, ClaimLine, ClaimNumberSequence
from expenses.selectors import access_claim, access_editable_claim, get_claim_lines
from expenses.services.lines import (
    LineContext,
    apply_line,
    recompute_totals,
    validate_line,
    validate_line_for_submission,
)
from expenses.services.receipts import do_delete_receipts_of_lines

MAX_TITLE = 100
MAX_PURPOSE = 1000


def _validate_header(data: ClaimInput, errors: dict[str, str]) -> None:
    if not data.title.strip():
        errors["title"] = _("件名を入力してください。")
    elif len(data.title) > MAX_TITLE:
        errors["title"] = _("件名は%(n)d文字以内で入力してください。") % {"n": MAX_TITLE}
    if len(data.purpose) > MAX_PURPOSE:
        errors["purpose"] = _("目的・備考は%(n)d文字以内で入力してください。") % {"n": MAX_PURPOSE}


def _validate(data: ClaimInput, ctx: LineContext) -> None:
    errors: dict[str, str] = {}
    _validate_header(data, errors)
    if data.lines is not None:
        if len(data.lines) > settings.SEISAN_MAX_LINES_PER_CLAIM:
            errors["lines"] = _("明細は%(n)d行までです。") % {"n": settings.SEISAN_MAX_LINES_PER_CLAIM}
        for index, line in enumerate(data.lines):
            line.key = line.key or f"lines.{index}"
            validate_line(line, ctx, errors)
    if errors:
        raise ValidationFailed(_("入力内容を確認してください。"), extra={"fields": errors})


def _next_claim_number(today: datetime.date) -> str:
    sequence, _created = ClaimNumberSequence.objects.select_for_update().get_or_create(year=today.year)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"{settings.SEISAN_CLAIM_NUMBER_PREFIX}-{today.year}-{sequence.last_value:06d}"


def _save_lines(claim: Claim, data: ClaimInput, ctx: LineContext, acting_user) -> tuple[list[ClaimLine], dict]:
    """Replace the claim's lines with the input: update by id, create new ones, delete the rest."""
    existing = {line.pk: line for line in get_claim_lines(claim)}
    kept: list[ClaimLine] = []
    for position, line_input in enumerate(data.lines or [], start=1):
        target = existing.pop(line_input.id, None) if line_input.id else None
        if line_input.id and target is None:
            raise ConflictError(_("編集中に明細が変更されました。画面を更新してから入力し直してください。"))
        kept.append(apply_line(target or ClaimLine(claim=claim), line_input, ctx, position))
    created = [line for line in kept if line.pk is None]
    updated = [line for line in kept if line.pk is not None]
    if existing:
        for line in updated:
            if line.receipt_line_id in existing:
                line.receipt_line = None  # its receipt went with the removed line: it now needs its own
        do_delete_receipts_of_lines(list(existing), acting_user=acting_user)
        ClaimLine.objects.filter(pk__in=list(existing)).delete()
    if created:
        ClaimLine.objects.bulk_create(created)
    if updated:
        now = timezone.now()
        for line in updated:
            line.updated_at = now
        ClaimLine.objects.bulk_update(updated, fields=[f.name for f in ClaimLine._meta.concrete_fields
                                                       if f.name not in ("id", "claim", "created_at")])
    diff = {"lines_added": len(created), "lines_updated": len(updated), "lines_removed": len(existing)}
    return kept, diff


@transaction.atomic
def check_create_claim(*, acting_user, data: ClaimInput) -> Claim:
    ctx = LineContext.load()
    _validate(data, ctx)
    claim = Claim(
        number=_next_claim_number(ctx.today),
        applicant=acting_user,
        department_id=acting_user.department_id,
        title=data.title.strip(),
        purpose=data.purpose.strip(),
    )
    claim.save()
    lines, diff = _save_lines(claim, data, ctx, acting_user)
    recompute_totals(claim, lines)
    claim.save()
    record_claim_event(claim, kind=ClaimEvent.Kind.CREATED, acting_user=acting_user, diff=diff)
    return claim


@transaction.atomic
def check_update_claim(claim_id: int, *, acting_user, data: ClaimInput, expected_version: int | None) -> Claim:
    """Edit a draft or returned claim. `expected_version` guards against a second tab's stale save."""
    claim = access_editable_claim(acting_user, claim_id)
    if expected_version is not None and expected_version != claim.version:
        raise ConflictError(
            _("この申請は別の画面で更新されています。入力内容は残っていますので、最新の内容を確認してから保存し直してください。"),
            extra={"current_version": claim.version},
        )
    ctx = LineContext.load()
    _validate(data, ctx)
    changes = {}
    for field in ("title", "purpose"):
        new_value = getattr(data, field).strip()
        if getattr(claim, field) != new_value:
            changes[field] = {"from": getattr(claim, field), "to": new_value}
            setattr(claim, field, new_value)
    if data.lines is not None:
        lines, line_diff = _save_lines(claim, data, ctx, acting_user)
        changes.update({k: v for k, v in line_diff.items() if v})
    else:
        lines = get_claim_lines(claim)
    before_total = claim.total_amount
    recompute_totals(claim, lines)
    if claim.total_amount != before_total:
        changes["total_amount"] = {"from": before_total, "to": claim.total_amount}
    claim.version += 1
    claim.save()
    record_claim_event(claim, kind=ClaimEvent.Kind.EDITED, acting_user=acting_user, diff=changes)
    return claim


def validate_for_submission(claim: Claim, lines: list[ClaimLine]) -> None:
    errors: dict[str, str] = {}
    if not lines:
        errors["lines"] = _("明細を1行以上入力してください。")
    today = timezone.localdate()
    for index, line in enumerate(lines):
        key = f"lines.{index}"
        if line.expense_date and line.expense_date > today:
            errors[f"{key}.expense_date"] = _("未来の日付は入力できません。")
        validate_line_for_submission(line, key, errors)
    if errors:
        raise ValidationFailed(_("提出できません。入力内容を確認してください。"), extra={"fields": errors})


@transaction.atomic
def check_submit_claim(claim_id: int, *, acting_user, expected_version: int | None = None) -> Claim:
    claim = access_claim(acting_user, claim_id, for_update=True)
    if claim.status not in (ClaimStatus.DRAFT, ClaimStatus.RETURNED):
        raise ApplicationError(_("この申請はすでに提出されています。"))
    if expected_version is not None and expected_version != claim.version:
        raise ConflictError(_("この申請は別の画面で更新されています。最新の内容を確認してから提出してください。"))
    lines = get_claim_lines(claim)
    validate_for_submission(claim, lines)
    return do_submit_claim(claim, acting_user=acting_user)


@transaction.atomic
def do_submit_claim(claim: Claim, *, acting_user) -> Claim:
    transition_claim(
        claim,
        to=ClaimStatus.SUBMITTED,
        actor=Actor.APPLICANT,
        acting_user=acting_user,
        extra_updates={
            "submitted_at": timezone.now(),
            "department_id": claim.applicant.department_id,
            "version": claim.version + 1,
        },
    )
    from approvals.services import do_start_route  # imported here: approvals imports expenses

    do_start_route(claim, acting_user=acting_user)
    return claim
