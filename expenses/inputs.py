"""Plain input shapes that forms and serializers build and services validate."""

import datetime
from dataclasses import dataclass, field


@dataclass
class LineInput:
    expense_date: datetime.date | None
    category_id: int | None
    amount: int | None
    tax_category: str = ""
    vendor: str = ""
    registration_number: str = ""
    description: str = ""
    attendee_count: int | None = None
    attendee_names: str = ""
    includes_external: bool = False
    project_id: int | None = None
    payment_method: str = "employee"
    no_receipt_reason: str = ""
    id: int | None = None  # an existing line to update; None creates one
    key: str = ""  # where errors for this line are reported (the form row or list index)


@dataclass
class ClaimInput:
    title: str
    purpose: str = ""
    lines: list[LineInput] | None = None  # None leaves the lines untouched (header-only update)
    extra: dict = field(default_factory=dict)
