"""The one way a claim changes state: a conditional UPDATE plus an append-only event row."""

from django.utils import timezone

from approvals.models import ClaimEvent
from approvals.transitions import Actor, ClaimStatus, is_allowed
from core.exceptions import InvalidTransitionError


def transition_claim(
    claim,
    *,
    to: ClaimStatus,
    actor: Actor,
    acting_user,
    comment: str = "",
    on_behalf_of=None,
    extra_updates: dict | None = None,
) -> ClaimEvent:
    """Move `claim` to `to`; raise InvalidTransitionError if the table forbids it or someone moved it first."""
    from expenses.models import Claim

    source = claim.status
    if not is_allowed(source, to, actor):
        raise InvalidTransitionError(source, to)
    now = timezone.now()
    updates = {"status": to, "updated_at": now, **(extra_updates or {})}
    if Claim.objects.filter(pk=claim.pk, status=source).update(**updates) != 1:
        raise InvalidTransitionError(source, to)
    for field, value in updates.items():
        setattr(claim, field, value)
    return ClaimEvent.objects.create(
        claim=claim,
        kind=ClaimEvent.Kind.STATUS,
        from_status=source,
        to_status=to,
        actor=acting_user,
        on_behalf_of=on_behalf_of,
        comment=comment,
    )


def record_claim_event(claim, *, kind: str, acting_user, diff: dict | None = None, comment: str = "") -> ClaimEvent:
    return ClaimEvent.objects.create(
        claim=claim,
        kind=kind,
        from_status=claim.status,
        to_status=claim.status,
        actor=acting_user,
        comment=comment,
        diff=diff or {},
    )
