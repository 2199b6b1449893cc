"""DRF glue: one error shape `{"message": ..., "extra": {...}}` and pagination."""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ApplicationError, ConflictError, NotFoundOrForbidden


class StandardPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


def _flatten(detail: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(detail, dict):
        flat: dict[str, str] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flatten(value, name))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": " ".join(str(item) for item in detail)}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": str(detail)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NotFoundOrForbidden | Http404):
        return Response({"message": _("見つかりません。"), "extra": {}}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, ConflictError):
        return Response({"message": exc.message, "extra": exc.extra}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ApplicationError):
        return Response({"message": exc.message, "extra": exc.extra}, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        response.data = {"message": _("入力内容を確認してください。"), "extra": {"fields": fields}}
    else:
        detail = getattr(exc, "detail", "")
        response.data = {"message": str(detail), "extra": {}}
    return response
