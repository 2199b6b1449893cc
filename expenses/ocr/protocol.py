"""The parser contract and the result types every parser returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from PIL import Image

T = TypeVar("T")

# Printed by `read_receipt` (tax_basis stays on the object: the command's shape is fixed).
JSON_FIELD_NAMES = (
    "issue_date",
    "total",
    "vendor",
    "registration_number",
    "tax_breakdown",
    "payment_method",
)
FIELD_NAMES = (
    "issue_date",
    "total",
    "vendor",
    "registration_number",
    "tax_breakdown",
    "tax_basis",
    "payment_method",
)


@dataclass(frozen=True)
class FieldReading(Generic[T]):
    """One extracted value with how sure we are (0 = guess/absent, 1 = certain)."""

    value: T | None
    confidence: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "confidence", round(min(1.0, max(0.0, float(self.confidence))), 3))


def _empty() -> FieldReading[Any]:
    return FieldReading(None, 0.0)


@dataclass
class ReceiptReading:
    issue_date: FieldReading[date] = field(default_factory=_empty)
    total: FieldReading[int] = field(default_factory=_empty)
    vendor: FieldReading[str] = field(default_factory=_empty)
    registration_number: FieldReading[str] = field(default_factory=_empty)
    # rate percent as a string ("10", "8") -> {"taxable": int yen, "tax": int yen}
    tax_breakdown: FieldReading[dict[str, dict[str, int]]] = field(
        default_factory=lambda: FieldReading({}, 0.0)
    )
    tax_basis: FieldReading[str] = field(default_factory=_empty)
    payment_method: FieldReading[str] = field(default_factory=_empty)
    raw_text: str = ""
    seconds: float = 0.0
    # Degrees (counter-clockwise) the parser turned the photo to read it: it lay sideways or upside down.
    page_turn: int = 0

    def to_json_dict(self) -> dict[str, Any]:
        """The shape printed by `read_receipt` and stored with the receipt (without `file`)."""
        issue_date = self.issue_date.value
        return {
            "issue_date": issue_date.isoformat() if issue_date else None,
            "total": self.total.value,
            "vendor": self.vendor.value,
            "registration_number": self.registration_number.value,
            "tax_breakdown": {
                rate: {"taxable": int(v["taxable"]), "tax": int(v["tax"])}
                for rate, v in (self.tax_breakdown.value or {}).items()
            },
            "payment_method": self.payment_method.value,
            "confidence": {name: getattr(self, name).confidence for name in JSON_FIELD_NAMES},
            "seconds": round(self.seconds, 3),
        }


@runtime_checkable
class ReceiptParser(Protocol):
    """A parser is a context manager that owns its temporary files.

    `score(mime)` returns None to decline a file type, otherwise a priority (highest wins).
    `parse(image)` receives an orientation-corrected RGB/L image and MUST NOT keep references to it.
    """

    def __enter__(self) -> ReceiptParser: ...

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None: ...

    def score(self, mime: str) -> int | None: ...

    def parse(self, image: Image.Image) -> ReceiptReading: ...
