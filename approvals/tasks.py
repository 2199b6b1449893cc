"""Approval tasks: e-mails after commit and the stalled-approval reminder sweep (beat). Thin, idempotent."""

import logging

from celery import shared_task
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

logger = logging.getLogger(__name__)

RETRY = {"autoretry_for": (OSError, TimeoutError), "retry_backoff": True, "max_retries": 3}


def _send_once(key: str, build) -> bool:
    """Send the mail built by `build()` unless `key` was sent before. The key row and the send share one
    transaction: a failed send leaves no key, so a retry sends; a duplicate task finds the key and stops."""
    from approvals.models import ApprovalNotification

    try:
        with transaction.atomic():
            _row, created = ApprovalNotification.objects.get_or_create(key=key)
            if not created:
                return False
            mail = build()
            if mail is None:
                return False
            send_mail(mail.subject, mail.body, None, mail.to)
            return True
    except IntegrityError:  # a concurrent twin inserted the key first
        return False


@shared_task(**RETRY)
def send_step_notification(step_id: int) -> bool:
    """承認依頼 to the approver of a step that became pending."""
    from approvals.models import ApprovalStep, StepStatus
    from approvals.notifications import build_step_mail

    step = (ApprovalStep.objects.select_related("claim", "claim__applicant", "claim__department", "approver",
                                                "approver_group").filter(pk=step_id).first())
    if step is None:
        logger.warning("step %s vanished before its notification", step_id)
        return False
    if step.status != StepStatus.PENDING:
        return False
    return _send_once(f"step:{step_id}", lambda: build_step_mail(step))


@shared_task(**RETRY)
def send_applicant_notification(event_id: int) -> bool:
    """承認・差戻し・否認 to the applicant, keyed by the event row."""
    from approvals.models import ClaimEvent
    from approvals.notifications import build_applicant_mail

    event = ClaimEvent.objects.select_related("claim", "claim__applicant", "actor", "on_behalf_of").filter(
        pk=event_id).first()
    if event is None:
        logger.warning("event %s not found", event_id)
        return False
    return _send_once(f"event:{event_id}", lambda: build_applicant_mail(event))


@shared_task(**RETRY)
def send_reminder_email(step_id: int, reminder_count: int) -> bool:
    from approvals.models import ApprovalStep, StepStatus
    from approvals.notifications import build_reminder_mail

    step = (ApprovalStep.objects.select_related("claim", "claim__applicant", "approver", "approver_group",
                                                "escalated_to").filter(pk=step_id).first())
    if step is None or step.status != StepStatus.PENDING:
        return False
    escalated = step.escalated_to_id is not None and reminder_count > step.escalate_after
    return _send_once(f"reminder:{step_id}:{reminder_count}",
                      lambda: build_reminder_mail(step, reminder_count=reminder_count, escalated=escalated))


def _enqueue(task, *args) -> None:
    try:
        task.delay(*args)
    except Exception:  # broker down: the claim on the row stays; the mail is lost, logged
        logger.exception("could not enqueue %s%r", task.name, args)


@shared_task
def send_stalled_approval_reminders() -> int:
    """Beat: remind approvers of steps pending N business days, once per interval; escalate after M.

    Each step is claimed with a compare-and-set UPDATE on (last_reminded_at, reminder_count): with two beat
    processes or a retried task only one UPDATE matches, and only that one enqueues the e-mail.
    """
    from approvals.models import ApprovalStep, StepStatus
    from approvals.selectors import list_stalled_steps

    now = timezone.now()
    sent = 0
    for step in list_stalled_steps(now=now):
        count = step.reminder_count + 1
        updates = {"last_reminded_at": now, "reminder_count": F("reminder_count") + 1}
        manager = step.approver.manager if step.approver_id else None
        if count > step.escalate_after and step.escalated_to_id is None and manager is not None:
            updates["escalated_to"] = manager
        with transaction.atomic():
            won = ApprovalStep.objects.filter(
                pk=step.pk, status=StepStatus.PENDING, last_reminded_at=step.last_reminded_at,
                reminder_count=step.reminder_count,
            ).update(**updates)
            if won != 1:
                continue
            sent += 1
            transaction.on_commit(lambda step_id=step.pk, n=count: _enqueue(send_reminder_email, step_id, n))
    return sent
