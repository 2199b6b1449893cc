"""The internal tax key of a journal line (formats.md §4, domain.md R2, R3.9, R4).

A line's key is ``(kind, rate_percent, reduced, deduction_ratio)``; exporters map it to vendor strings
through an editable mapping (``accounting/exporters/default_mappings.py``). Pure: the deduction schedule
and the special-case parameters come in as data; the DB seeds them from ``SCHEDULES`` and
``expenses.rules.special_cases.DEFAULTS``.

Decision for a line (``decide_tax_key``):

- 対象外 / 非課税 category → ``out_of_scope`` / ``non_taxable`` key, ratio 0, no note;
- taxable and a 帳簿のみ special case (R3) → ratio 100 and the R3.9 note — 少額特例 only while in
  force on the purchase date (R4.2), otherwise it falls through;
- taxable, qualified seller (valid 登録番号 on the purchase date, R1.7) → ratio 100;
- taxable, non-qualified seller → ratio from the date-effective schedule (R2.1, R2.3), note
  ``80%控除対象`` etc. (R2.6) or ``控除対象外`` at 0 %.
"""

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from expenses.rules.special_cases import DEFAULTS as SPECIAL_CASE_DEFAULTS
from expenses.rules.special_cases import SpecialCase, SpecialCaseParams


class TaxKind(enum.StrEnum):
    TAXABLE = "taxable"  # 課税仕入れ
    NON_TAXABLE = "non_taxable"  # 非課税
    OUT_OF_SCOPE = "out_of_scope"  # 不課税 / 対象外 (incl. 未払金 side, overseas travel)


class LineTaxCategory(enum.StrEnum):
    """The tax category chosen on a claim line (domain.md §13)."""

    STANDARD_10 = "standard_10"
    REDUCED_8 = "reduced_8"
    NON_TAXABLE = "non_taxable"
    OUT_OF_SCOPE = "out_of_scope"


_CATEGORY_RATES: Mapping[LineTaxCategory, tuple[int, bool]] = MappingProxyType(
    {LineTaxCategory.STANDARD_10: (10, False), LineTaxCategory.REDUCED_8: (8, True)}
)


class TaxKey(NamedTuple):
    """Cross-vendor key of formats.md §4. Non-taxable keys carry rate 0 and ratio 0.

    A NamedTuple, not a dataclass: exporters use it as a dict key on every line, and tuple hashing is C.
    """

    kind: TaxKind
    rate_percent: int = 0
    reduced: bool = False
    deduction_ratio: int = 0

    @property
    def code(self) -> str:
        """Stable string used as the mapping-table key, e.g. ``taxable/8/reduced/80``."""
        if self.kind is not TaxKind.TAXABLE:
            return self.kind.value
        return f"taxable/{self.rate_percent}/{'reduced' if self.reduced else 'std'}/{self.deduction_ratio}"

    @classmethod
    def from_code(cls, code: str) -> "TaxKey":
        if code in (TaxKind.NON_TAXABLE, TaxKind.OUT_OF_SCOPE):
            return cls(TaxKind(code))
        kind, rate, reduced, ratio = code.split("/")
        if kind != TaxKind.TAXABLE or reduced not in ("reduced", "std"):
            raise ValueError(f"not a tax key code: {code!r}")
        return cls(TaxKind.TAXABLE, int(rate), reduced == "reduced", int(ratio))

    @property
    def is_taxable(self) -> bool:
        return self.kind is TaxKind.TAXABLE


OUT_OF_SCOPE = TaxKey(TaxKind.OUT_OF_SCOPE)
NON_TAXABLE = TaxKey(TaxKind.NON_TAXABLE)


@dataclass(frozen=True, slots=True)
class DeductionScheduleRow:
    valid_from: dt.date
    valid_to: dt.date | None  # inclusive; None = open-ended
    ratio: int  # percent of the deemed input tax that may be deducted

    def covers(self, d: dt.date) -> bool:
        return self.valid_from <= d and (self.valid_to is None or d <= self.valid_to)


@dataclass(frozen=True, slots=True)
class DeductionSchedule:
    """R2.2: one named schedule of date-effective ratios for non-qualified sellers."""

    name: str
    rows: Sequence[DeductionScheduleRow]

    def ratio_on(self, d: dt.date) -> int:
        for row in self.rows:
            if row.covers(d):
                return row.ratio
        # before 2023-10-01 the invoice system did not exist: the caller must not ask
        raise LookupError(f"deduction schedule {self.name!r} has no row for {d.isoformat()}")


def _row(start: str, end: str | None, ratio: int) -> DeductionScheduleRow:
    valid_to = dt.date.fromisoformat(end) if end else None
    return DeductionScheduleRow(dt.date.fromisoformat(start), valid_to, ratio)


# R2.1, as seed data. current_law is the shipped default (R2.2).
CURRENT_LAW = DeductionSchedule(
    "current_law",
    (
        _row("2023-10-01", "2026-09-30", 80),
        _row("2026-10-01", "2029-09-30", 50),
        _row("2029-10-01", None, 0),
    ),
)
R8_REFORM_OUTLINE = DeductionSchedule(
    "r8_reform_outline",
    (
        _row("2023-10-01", "2026-09-30", 80),
        _row("2026-10-01", "2028-09-30", 70),
        _row("2028-10-01", "2030-09-30", 50),
        _row("2030-10-01", "2031-09-30", 30),
        _row("2031-10-01", None, 0),
    ),
)
SCHEDULES: Mapping[str, DeductionSchedule] = MappingProxyType(
    {s.name: s for s in (CURRENT_LAW, R8_REFORM_OUTLINE)}
)
DEFAULT_SCHEDULE = CURRENT_LAW

# R2.6 wording for the book; "{ratio}" is replaced by the percentage.
DEFAULT_TRANSITIONAL_NOTES: Mapping[str, str] = MappingProxyType(
    {"partial": "{ratio}%控除対象", "none": "控除対象外"}
)


@dataclass(frozen=True, slots=True)
class TaxLineFacts:
    purchase_date: dt.date
    category: LineTaxCategory
    seller_qualified: bool  # valid 登録番号 on the purchase date (R1.7)
    special_case: SpecialCase = SpecialCase.NONE
    special_case_note: str = ""  # R3.9 wording from classify_special_case; default wording if empty


@dataclass(frozen=True, slots=True)
class TaxDecision:
    key: TaxKey
    special_case: SpecialCase
    note: str  # goes into 摘要 (R3.9 / R2.6)

    @property
    def kind(self) -> TaxKind:
        return self.key.kind

    @property
    def rate_percent(self) -> int:
        return self.key.rate_percent

    @property
    def reduced(self) -> bool:
        return self.key.reduced

    @property
    def deduction_ratio(self) -> int:
        return self.key.deduction_ratio


@dataclass(frozen=True, slots=True)
class TaxRules:
    """The data a decision depends on; the company's active schedule comes from the DB."""

    schedule: DeductionSchedule = DEFAULT_SCHEDULE
    special_case_params: SpecialCaseParams = SPECIAL_CASE_DEFAULTS
    transitional_notes: Mapping[str, str] = field(default_factory=lambda: DEFAULT_TRANSITIONAL_NOTES)


DEFAULT_RULES = TaxRules()


def decide_tax_key(facts: TaxLineFacts, rules: TaxRules = DEFAULT_RULES) -> TaxDecision:
    """Decide the tax key of one expense line; see the module docstring."""
    if facts.category is LineTaxCategory.OUT_OF_SCOPE:
        return TaxDecision(OUT_OF_SCOPE, SpecialCase.NONE, "")
    if facts.category is LineTaxCategory.NON_TAXABLE:
        return TaxDecision(NON_TAXABLE, SpecialCase.NONE, "")

    rate, reduced = _CATEGORY_RATES[facts.category]
    case = SpecialCase(facts.special_case)
    params = rules.special_case_params
    if case is SpecialCase.SMALL_AMOUNT and not params.small_amount_in_force(facts.purchase_date):
        case = SpecialCase.NONE  # R4.2: purchases on/after 2029-10-01 are excluded

    if case.is_book_only:
        note = facts.special_case_note or params.note_for(case)
        return TaxDecision(TaxKey(TaxKind.TAXABLE, rate, reduced, 100), case, note)
    if facts.seller_qualified:
        return TaxDecision(TaxKey(TaxKind.TAXABLE, rate, reduced, 100), SpecialCase.NONE, "")

    ratio = rules.schedule.ratio_on(facts.purchase_date)
    template = rules.transitional_notes["partial" if ratio > 0 else "none"]
    key = TaxKey(TaxKind.TAXABLE, rate, reduced, ratio)
    return TaxDecision(key, SpecialCase.NONE, template.format(ratio=ratio))
