"""Application errors shared by services, views and the API."""

from typing import Any


class ApplicationError(Exception):
    """A rule refused the request. `message` is translated and shown to the user as is."""

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ValidationFailed(ApplicationError):
    """Field-level validation errors: `extra` maps field names (or `lines.N.field`) to messages."""


class ConflictError(ApplicationError):
    """The object changed since the user loaded it (optimistic concurrency)."""


class NotFoundOrForbidden(Exception):
    """The same error for 'does not exist' and 'not yours', so ids cannot be probed."""


class InvalidTransitionError(ApplicationError):
    def __init__(self, source: str, target: str, message: str | None = None) -> None:
        from django.utils.translation import gettext

        super().__init__(message or gettext("この申請はすでに処理されています。画面を更新してください。"))
        self.source = source
        self.target = target
