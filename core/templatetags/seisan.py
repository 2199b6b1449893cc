"""Display helpers: amounts read ¥1,234 and dates 2026/11/21 in every language."""

import datetime

from django import template
from django.utils import timezone

from core.money import format_yen

register = template.Library()


@register.filter
def yen(value) -> str:
    if value is None or value == "":
        return ""
    try:
        return format_yen(int(value))
    except (TypeError, ValueError):
        return ""


@register.filter
def jdate(value) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y/%m/%d")
    if isinstance(value, datetime.date):
        return value.strftime("%Y/%m/%d")
    return str(value)


@register.filter
def jdatetime(value) -> str:
    if not value:
        return ""
    return timezone.localtime(value).strftime("%Y/%m/%d %H:%M")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
