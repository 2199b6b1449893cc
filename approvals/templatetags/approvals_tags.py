"""`{% approval_route claim %}`: the route, corrections and withdraw button on the applicant's claim page."""

from django import template

from approvals.models import StepStatus
from approvals.selectors import get_corrections, get_route
from approvals.transitions import ClaimStatus

register = template.Library()


@register.inclusion_tag("approvals/_route_card.html", takes_context=True)
def approval_route(context, claim) -> dict:
    steps = get_route(claim)
    corrections = get_corrections(claim)
    request = context.get("request")
    user = getattr(request, "user", None)
    approved_total = None
    if corrections:
        from expenses.models import ClaimLine

        approved_total = sum(line.effective_amount for line in ClaimLine.objects.filter(claim=claim)
                             .only("amount", "approved_amount"))
    return {
        "claim": claim,
        "steps": steps,
        "pending": next((s for s in steps if s.status == StepStatus.PENDING), None),
        "corrections": corrections,
        "approved_total": approved_total,
        "can_withdraw": user is not None and claim.applicant_id == user.pk and claim.status == ClaimStatus.SUBMITTED,
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
