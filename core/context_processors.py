from typing import Any

from django.http import HttpRequest

from people.roles import Role, user_roles


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": frozenset()}
    return {"nav_roles": user_roles(user), "Role": Role}
