"""E-mail building for approvals (templates/approvals/email/*.txt, Japanese). No enqueuing, no decisions."""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


@dataclass
class Mail:
    subject: str
    body: str
    to: list[str]


def _absolute(path: str) -> str:
    base = settings.SEISAN_BASE_URL.rstrip("/")
    return f"{base}{path}"


def _render(name: str, context: dict, to: list[str]) -> Mail | None:
    to = sorted({address for address in to if address})
    if not to:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"approvals/email/{name}_subject.txt", context).strip()
        body = render_to_string(f"approvals/email/{name}.txt", context)
    return Mail(subject=" ".join(subject.split()), body=body, to=to)


def step_recipients(step) -> list[str]:
    if step.approver_id is not None:
        from django.utils import timezone

        from approvals.models import Delegation

        today = timezone.localdate()
        delegates = Delegation.objects.filter(approver_id=step.approver_id, valid_from__lte=today,
                                              valid_to__gte=today).values_list("delegate__email", flat=True)
        return [step.approver.email, *delegates]
    if step.approver_group_id is not None:
        return [u.email for u in step.approver_group.user_set.filter(is_active=True)
                if u.pk != step.claim.applicant_id]
    return []


def build_step_mail(step) -> Mail | None:
    """To the approver(s) of a step that just became pending."""
    claim = step.claim
    context = {"step": step, "claim": claim, "url": _absolute(reverse("approvals:claim-review", args=[claim.pk]))}
    return _render("step_pending", context, step_recipients(step))


def build_applicant_mail(event) -> Mail | None:
    """To the applicant when the claim is approved, returned or rejected."""
    claim = event.claim
    names = {"approved": "claim_approved", "returned": "claim_returned", "rejected": "claim_rejected"}
    name = names.get(event.to_status)
    if name is None:
        return None
    context = {"event": event, "claim": claim,
               "url": _absolute(reverse("expenses:claim-detail", args=[claim.pk]))}
    return _render(name, context, [claim.applicant.email])


def build_reminder_mail(step, *, reminder_count: int, escalated: bool) -> Mail | None:
    """督促: to the approver (and delegates); on escalation also to the approver's manager."""
    claim = step.claim
    to = step_recipients(step)
    if escalated and step.escalated_to is not None:
        to.append(step.escalated_to.email)
    context = {"step": step, "claim": claim, "count": reminder_count, "escalated": escalated,
               "url": _absolute(reverse("approvals:claim-review", args=[claim.pk]))}
    return _render("reminder", context, to)
