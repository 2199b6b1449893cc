"""The pending-approval count in the header: one COUNT query, only for approvers and accounting."""

from typing import Any

from django.http import HttpRequest

from people.roles import Role, user_roles


def pending_approvals(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user_roles(user)
    if not ({Role.APPROVER, Role.ACCOUNTING} & roles):
        return {}
    from approvals.selectors import count_pending_steps

    return {"can_approve": True, "is_accounting": Role.ACCOUNTING in roles,
            "pending_approval_count": count_pending_steps(user)}
