"""Approval write paths: start a route, approve, return, reject, withdraw, correct a line, bulk approve.

Each step decision is a conditional UPDATE on the step (status = pending): of two approvers or a double
click, exactly one UPDATE matches; the other gets ConflictError ("already handled"). Claim status moves
only through approvals.events.transition_claim; every action writes a ClaimEvent row.
"""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.events import transition_claim
from approvals.models import (
    OPEN_STEP_STATUSES,
    ApprovalPolicy,
    ApprovalStep,
    ClaimEvent,
    Delegation,
    LineCorrection,
    ReturnPolicy,
    StepStatus,
)
from approvals.routing import build_steps
from approvals.selectors import access_step, get_current_round
from approvals.transitions import Actor, ClaimStatus
from core.exceptions import ApplicationError, ConflictError, NotFoundOrForbidden, ValidationFailed
from expenses.models import Claim, ClaimLine, ExpenseCategory
from expenses.selectors import access_claim

logger = logging.getLogger(__name__)

MAX_COMMENT = 2000
MAX_BULK = 200


def _already_handled() -> ConflictError:
    return ConflictError(_("この承認ステップはすでに処理されています（他の承認者または二重操作）。画面を更新してください。"))


def _notify_step(step_id: int) -> None:
    from approvals.tasks import send_step_notification

    transaction.on_commit(lambda: _enqueue(send_step_notification, step_id))


def _notify_applicant(event_id: int) -> None:
    from approvals.tasks import send_applicant_notification

    transaction.on_commit(lambda: _enqueue(send_applicant_notification, event_id))


def _enqueue(task, *args) -> None:
    # The broker may be down: the decision is committed; log and move on (style.md §11.7).
    try:
        task.delay(*args)
    except Exception:  # any broker error must not break the request
        logger.exception("could not enqueue %s%r", task.name, args)


def _step_event(step: ApprovalStep, *, action: str, acting_user, on_behalf_of=None, comment: str = "",
                extra: dict | None = None) -> ClaimEvent:
    """A step decision that does not change the claim status: an append-only event with the step diff."""
    claim = step.claim
    return ClaimEvent.objects.create(
        claim=claim, kind=ClaimEvent.Kind.STATUS, from_status=claim.status, to_status=claim.status,
        actor=acting_user, on_behalf_of=on_behalf_of, comment=comment,
        diff={"action": action, "step_id": step.pk, "step": step.name, "round": step.round, "order": step.order,
              **(extra or {})},
    )


def _activate(step: ApprovalStep) -> None:
    now = timezone.now()
    ApprovalStep.objects.filter(pk=step.pk, status=StepStatus.WAITING).update(status=StepStatus.PENDING,
                                                                              activated_at=now)
    step.status, step.activated_at = StepStatus.PENDING, now
    _notify_step(step.pk)


def _activate_next(claim: Claim, round_no: int) -> ApprovalStep | None:
    step = (ApprovalStep.objects.filter(claim=claim, round=round_no, status=StepStatus.WAITING)
            .select_related("claim").order_by("order").first())
    if step is not None:
        _activate(step)
    return step


def _cancel_open_steps(claim: Claim) -> None:
    ApprovalStep.objects.filter(claim=claim, status__in=OPEN_STEP_STATUSES).update(status=StepStatus.CANCELLED)


def _select_policy(claim: Claim) -> ApprovalPolicy:
    from approvals.defaults import ensure_default_policy

    ensure_default_policy()  # a fresh or flushed database still gets the standard route
    policies = ApprovalPolicy.objects.filter(is_active=True).order_by("priority", "id")
    for policy in policies:
        if policy.department_id is None or policy.department_id == claim.department_id:
            return policy
    raise ApplicationError(_("適用できる承認ルートがありません。管理者に連絡してください。"))


def _create_round(claim: Claim, specs, *, round_no: int, policy: ApprovalPolicy | None, template=None) -> list:
    steps = []
    for spec in specs:
        step = ApprovalStep(claim=claim, round=round_no, order=spec.order, name=spec.name,
                            approver_kind=spec.approver_kind, approver=spec.approver,
                            approver_group=spec.approver_group, is_accounting_check=spec.is_accounting_check,
                            status=spec.status, note=spec.note)
        source = policy or template
        step.return_policy = source.return_policy
        step.reminder_after_business_days = source.reminder_after_business_days
        step.reminder_interval_business_days = source.reminder_interval_business_days
        step.escalate_after = source.escalate_after
        for name, value in spec.extra.items():
            setattr(step, name, value)
        steps.append(step)
    return ApprovalStep.objects.bulk_create(steps)


def _copy_round(claim: Claim, previous: list[ApprovalStep], *, from_order: int, round_no: int) -> None:
    """Resume: a new round where steps before `from_order` keep their approval and `from_order` waits again."""
    from approvals.routing import StepSpec

    specs = []
    for old in previous:
        spec = StepSpec(order=old.order, name=old.name, approver_kind=old.approver_kind, approver=old.approver,
                        approver_group=old.approver_group, is_accounting_check=old.is_accounting_check, note=old.note)
        if old.status == StepStatus.SKIPPED:
            spec.status = StepStatus.SKIPPED
        elif old.order < from_order and old.status == StepStatus.APPROVED:
            spec.status = StepStatus.APPROVED
            spec.extra = {"acted_by": old.acted_by, "acted_for": old.acted_for, "acted_at": old.acted_at,
                          "comment": old.comment, "activated_at": old.activated_at}
        specs.append(spec)
    _create_round(claim, specs, round_no=round_no, policy=None, template=previous[0])


@transaction.atomic
def do_start_route(claim: Claim, *, acting_user) -> list[ApprovalStep]:
    """Snapshot the route at submission (called by do_submit_claim after the transition).

    First submission, or a resubmission under the `restart` policy: build the route from the current policy.
    Resubmission under `resume`: copy the last round; steps approved before the one that returned the
    claim stay approved, and that step decides again. Earlier rounds are kept as history.
    """
    previous = list(ApprovalStep.objects.filter(claim=claim).select_related("approver", "approver_group",
                                                                             "acted_by", "acted_for"))
    current = get_current_round(previous)
    round_no = (max(step.round for step in previous) + 1) if previous else 1
    _cancel_open_steps(claim)
    returned = next((s for s in current if s.status == StepStatus.RETURNED), None)
    if returned is not None and returned.return_policy == ReturnPolicy.RESUME:
        _copy_round(claim, current, from_order=returned.order, round_no=round_no)
    else:
        policy = _select_policy(claim)
        lines = list(ClaimLine.objects.filter(claim=claim).only("amount", "category_id", "project_id"))
        claim_for_route = Claim.objects.select_related(
            "applicant__manager__manager", "department__head", "department__parent__head",
            "department__parent__parent__head").get(pk=claim.pk)
        specs = build_steps(claim_for_route, lines, policy, list(policy.rules.select_related(
            "approver_user", "approver_user__manager", "approver_group")))
        _create_round(claim, specs, round_no=round_no, policy=policy)
    first = _activate_next(claim, round_no)
    if first is None:
        raise ApplicationError(_("承認ルートにステップがありません。管理者に連絡してください。"))
    return list(ApprovalStep.objects.filter(claim=claim, round=round_no).order_by("order"))


def _clean_comment(comment: str, *, required: bool) -> str:
    comment = (comment or "").strip()
    if required and not comment:
        raise ValidationFailed(_("コメントを入力してください。"), extra={"fields": {"comment": _("コメントは必須です。")}})
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed(_("コメントが長すぎます。"),
                               extra={"fields": {"comment": _("%(n)d文字以内で入力してください。") % {"n": MAX_COMMENT}}})
    return comment


def _decide(step: ApprovalStep, *, status: str, acting_user, comment: str) -> None:
    """The single-winner UPDATE: only a still-pending step of a still-submitted claim can be decided."""
    now = timezone.now()
    won = ApprovalStep.objects.filter(pk=step.pk, status=StepStatus.PENDING).update(
        status=status, acted_by=acting_user, acted_for=step.acting_for, acted_at=now, comment=comment)
    if won != 1:
        raise _already_handled()
    step.status, step.acted_by, step.acted_at, step.comment = status, acting_user, now, comment


def _load_for_decision(step_id: int, *, acting_user) -> ApprovalStep:
    step = access_step(acting_user, step_id)
    if step.status != StepStatus.PENDING or step.claim.status != ClaimStatus.SUBMITTED:
        raise _already_handled()
    return step


@transaction.atomic
def check_approve_step(step_id: int, *, acting_user, comment: str = "") -> ApprovalStep:
    comment = _clean_comment(comment, required=False)
    step = _load_for_decision(step_id, acting_user=acting_user)
    return do_approve_step(step, acting_user=acting_user, comment=comment)


@transaction.atomic
def do_approve_step(step: ApprovalStep, *, acting_user, comment: str = "") -> ApprovalStep:
    _decide(step, status=StepStatus.APPROVED, acting_user=acting_user, comment=comment)
    _step_event(step, action="approve", acting_user=acting_user, on_behalf_of=step.acting_for, comment=comment,
                extra={"from": StepStatus.PENDING, "to": StepStatus.APPROVED})
    if _activate_next(step.claim, step.round) is None:
        event = transition_claim(step.claim, to=ClaimStatus.APPROVED, actor=Actor.SYSTEM, acting_user=acting_user,
                                 on_behalf_of=step.acting_for)
        if step.is_accounting_check:
            # 経理確認 is the posting moment (計上仕訳, domain.md R10.1); it commits or fails with the approval.
            from accounting.services import do_post_claim

            do_post_claim(step.claim, acting_user=acting_user)
        _notify_applicant(event.pk)
    return step


def _actor_for(step: ApprovalStep) -> Actor:
    return Actor.ACCOUNTING if step.is_accounting_check else Actor.APPROVER


@transaction.atomic
def check_return_claim(step_id: int, *, acting_user, comment: str, to_step_id: int | None = None) -> ApprovalStep:
    """差戻し: to the applicant (claim → returned), or to an earlier approved step of the current round."""
    comment = _clean_comment(comment, required=True)
    step = _load_for_decision(step_id, acting_user=acting_user)
    target = None
    if to_step_id is not None:
        target = ApprovalStep.objects.filter(pk=to_step_id, claim=step.claim, round=step.round,
                                             order__lt=step.order, status=StepStatus.APPROVED).first()
        if target is None:
            raise ValidationFailed(_("差戻し先のステップを選び直してください。"),
                                   extra={"fields": {"to_step": _("この申請の前のステップを選んでください。")}})
    _decide(step, status=StepStatus.RETURNED, acting_user=acting_user, comment=comment)
    if target is None:
        _cancel_open_steps(step.claim)
        event = transition_claim(step.claim, to=ClaimStatus.RETURNED, actor=_actor_for(step),
                                 acting_user=acting_user, on_behalf_of=step.acting_for, comment=comment)
        _notify_applicant(event.pk)
        return step
    _cancel_open_steps(step.claim)
    round_steps = list(ApprovalStep.objects.filter(claim=step.claim, round=step.round)
                       .select_related("approver", "approver_group", "acted_by", "acted_for").order_by("order"))
    new_round = step.round + 1
    _copy_round(step.claim, round_steps, from_order=target.order, round_no=new_round)
    _step_event(step, action="return_to_step", acting_user=acting_user, on_behalf_of=step.acting_for,
                comment=comment, extra={"from": StepStatus.PENDING, "to": StepStatus.RETURNED,
                                        "to_step": target.name, "to_order": target.order})
    _activate_next(step.claim, new_round)
    return step


@transaction.atomic
def check_reject_claim(step_id: int, *, acting_user, comment: str) -> ApprovalStep:
    """否認: final. The claim cannot be resubmitted."""
    comment = _clean_comment(comment, required=True)
    step = _load_for_decision(step_id, acting_user=acting_user)
    _decide(step, status=StepStatus.REJECTED, acting_user=acting_user, comment=comment)
    _cancel_open_steps(step.claim)
    event = transition_claim(step.claim, to=ClaimStatus.REJECTED, actor=_actor_for(step), acting_user=acting_user,
                             on_behalf_of=step.acting_for, comment=comment)
    _notify_applicant(event.pk)
    return step


@transaction.atomic
def check_withdraw_claim(claim_id: int, *, acting_user, comment: str = "") -> Claim:
    """取下げ: the applicant takes back a submitted claim before final approval."""
    comment = _clean_comment(comment, required=False)
    claim = access_claim(acting_user, claim_id, for_update=True)
    if claim.status != ClaimStatus.SUBMITTED:
        raise ApplicationError(_("承認待ちの申請だけを取り下げできます。"))
    _cancel_open_steps(claim)
    transition_claim(claim, to=ClaimStatus.WITHDRAWN, actor=Actor.APPLICANT, acting_user=acting_user,
                     comment=comment)
    return claim


@transaction.atomic
def check_correct_line(step_id: int, line_id: int, *, acting_user, comment: str,
                       approved_amount: int | None = None, approved_category_id: int | None = None) -> ClaimLine:
    """An approver lowers a line's amount and/or changes its category. The claimed values stay on the line;
    each change is a LineCorrection row and an event the applicant sees."""
    comment = _clean_comment(comment, required=True)
    step = _load_for_decision(step_id, acting_user=acting_user)
    try:
        line = ClaimLine.objects.select_for_update(of=("self",)).select_related("category", "approved_category").get(
            pk=line_id, claim=step.claim)
    except (ClaimLine.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundOrForbidden from exc
    errors: dict[str, str] = {}
    changes: list[tuple[str, str, str, str, str]] = []
    if approved_amount is not None and approved_amount != line.effective_amount:
        if approved_amount < 0 or approved_amount > line.amount:
            errors["approved_amount"] = _("承認金額は0円以上、申請金額（¥%(amount)s）以下で入力してください。") % {
                "amount": f"{line.amount:,}"}
        else:
            changes.append((LineCorrection.Field.AMOUNT, str(line.effective_amount), str(approved_amount),
                            f"¥{line.effective_amount:,}", f"¥{approved_amount:,}"))
            line.approved_amount = approved_amount
    current_category = line.approved_category or line.category
    if approved_category_id is not None and approved_category_id != current_category.pk:
        category = ExpenseCategory.objects.filter(pk=approved_category_id, is_active=True).first()
        if category is None:
            errors["approved_category"] = _("経費科目を選び直してください。")
        else:
            changes.append((LineCorrection.Field.CATEGORY, str(current_category.pk), str(category.pk),
                            current_category.name, category.name))
            line.approved_category = category
    if errors:
        raise ValidationFailed(_("修正内容を確認してください。"), extra={"fields": errors})
    if not changes:
        raise ValidationFailed(_("変更がありません。"), extra={"fields": {"approved_amount": _("変更がありません。")}})
    line.save(update_fields=["approved_amount", "approved_category", "updated_at"])
    LineCorrection.objects.bulk_create([
        LineCorrection(line=line, step=step, field=field, from_value=old, to_value=new, from_label=old_label,
                       to_label=new_label, corrected_by=acting_user, corrected_for=step.acting_for, comment=comment)
        for field, old, new, old_label, new_label in changes
    ])
    ClaimEvent.objects.create(
        claim=step.claim, kind=ClaimEvent.Kind.EDITED, from_status=step.claim.status, to_status=step.claim.status,
        actor=acting_user, on_behalf_of=step.acting_for, comment=comment,
        diff={"action": "correct_line", "line_id": line.pk, "position": line.position,
              "changes": {field: {"from": old_label, "to": new_label} for field, _o, _n, old_label, new_label in changes}},
    )
    return line


def check_bulk_approve(step_ids: list[int], *, acting_user, comment: str = "") -> list[dict]:
    """Approve many steps; each in its own transaction so one failure does not undo the others.

    Returns one result per requested id: {"step_id", "claim_id", "number", "ok", "message"}.
    """
    if not step_ids:
        raise ValidationFailed(_("承認する申請を選んでください。"), extra={"fields": {"step_ids": _("1件以上選んでください。")}})
    if len(step_ids) > MAX_BULK:
        raise ValidationFailed(_("一度に承認できるのは%(n)d件までです。") % {"n": MAX_BULK},
                               extra={"fields": {"step_ids": _("%(n)d件以内にしてください。") % {"n": MAX_BULK}}})
    results = []
    for step_id in dict.fromkeys(step_ids):  # keep order, drop repeats
        try:
            step = check_approve_step(step_id, acting_user=acting_user, comment=comment)
        except NotFoundOrForbidden:
            results.append({"step_id": step_id, "claim_id": None, "number": "", "ok": False,
                            "message": _("見つかりません。")})
        except ApplicationError as exc:
            claim = Claim.objects.filter(approval_steps__pk=step_id).values("pk", "number").first() or {}
            results.append({"step_id": step_id, "claim_id": claim.get("pk"), "number": claim.get("number", ""),
                            "ok": False, "message": exc.message})
        else:
            results.append({"step_id": step_id, "claim_id": step.claim_id, "number": step.claim.number, "ok": True,
                            "message": _("承認しました。")})
    return results


@transaction.atomic
def check_set_delegation(*, acting_user, delegate_id: int, valid_from, valid_to) -> Delegation:
    """An approver names a delegate for a period (代理承認)."""
    from people.models import User

    errors: dict[str, str] = {}
    delegate = User.objects.filter(pk=delegate_id, is_active=True).first() if delegate_id else None
    if delegate is None:
        errors["delegate"] = _("代理者を選んでください。")
    elif delegate.pk == acting_user.pk:
        errors["delegate"] = _("本人を代理者にはできません。")
    if valid_from is None:
        errors["valid_from"] = _("開始日を入力してください。")
    if valid_to is None:
        errors["valid_to"] = _("終了日を入力してください。")
    elif valid_from is not None and valid_to < valid_from:
        errors["valid_to"] = _("終了日は開始日以降にしてください。")
    if errors:
        raise ValidationFailed(_("入力内容を確認してください。"), extra={"fields": errors})
    return Delegation.objects.create(approver=acting_user, delegate=delegate, valid_from=valid_from,
                                     valid_to=valid_to)


@transaction.atomic
def check_end_delegation(delegation_id: int, *, acting_user) -> None:
    today = timezone.localdate()
    delegation = Delegation.objects.filter(pk=delegation_id, approver=acting_user).first()
    if delegation is None:
        raise NotFoundOrForbidden
    if delegation.valid_from >= today:
        delegation.delete()
    elif delegation.valid_to >= today:
        # Keep the past period for the audit trail; end it yesterday so it stops now.
        Delegation.objects.filter(pk=delegation.pk).update(valid_to=today - datetime.timedelta(days=1))
