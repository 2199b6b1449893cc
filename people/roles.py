"""Roles are Django groups; a user may hold several."""

import enum

from django.utils.translation import gettext_lazy as _


class Role(enum.StrEnum):
    EMPLOYEE = "employee"
    APPROVER = "approver"
    ACCOUNTING = "accounting"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.EMPLOYEE: _("申請者"),
    Role.APPROVER: _("承認者"),
    Role.ACCOUNTING: _("経理"),
    Role.ADMIN: _("管理者"),
}


def user_roles(user) -> frozenset[Role]:
    """The roles of a user, cached on the instance for the request."""
    cached = getattr(user, "_seisan_roles", None)
    if cached is not None:
        return cached
    names = set(user.groups.values_list("name", flat=True))
    roles = frozenset(role for role in Role if role.value in names)
    if user.is_superuser:
        roles = roles | {Role.ADMIN}
    user._seisan_roles = roles
    return roles


def has_role(user, role: Role) -> bool:
    return role in user_roles(user)
