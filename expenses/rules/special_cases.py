"""R3.10: which 帳簿のみ保存 case (or 少額特例) a claim line falls under, and why.

Pure rule on plain facts (style.md §8): no ORM, no settings, no clock. Every threshold, date and
note string is data (``SpecialCaseParams`` / ``DEFAULTS``; the DB seeds its rows from ``DEFAULTS``).

Order of the checks, first match wins:

1. not a domestic taxable purchase (overseas trip or purchase, 非課税, 不課税) → ``none``, no invoice;
2. 通勤手当 paid to the employee (R3.8) → ``commuting``;
3. rail / bus / ship fare, whole purchase < ¥30,000 (R3.2, R3.3) → ``public_transport`` — also when the
   company paid (R3.6 keeps it);
4. 入場券等 (R3.1-2) → ``admission_ticket``; 自動販売機・自動サービス機 < ¥30,000 (R3.1-7) →
   ``vending_machine``; posting paid with 切手 (R3.1-8) → ``postage``;
5. domestic business-trip fare / lodging / 日当 paid to the employee (R3.5, R3.6, R3.7 company setting
   for actual-cost lines) → ``business_travel``;
6. 少額特例: company eligible for the line's fiscal year, whole purchase < ¥10,000, purchase date in
   [2023-10-01, 2029-09-30] (R4) → ``small_amount``;
7. otherwise ``none``: the seller's invoice is needed.
"""

import datetime as dt
import enum
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


class SpecialCase(enum.StrEnum):
    PUBLIC_TRANSPORT = "public_transport"  # 公共交通機関特例
    ADMISSION_TICKET = "admission_ticket"  # 入場券等
    VENDING_MACHINE = "vending_machine"  # 自動販売機・自動サービス機
    POSTAGE = "postage"  # 郵便切手類のみを対価とする郵便サービス
    BUSINESS_TRAVEL = "business_travel"  # 出張旅費等特例
    COMMUTING = "commuting"  # 通勤手当
    SMALL_AMOUNT = "small_amount"  # 少額特例 (R4, dated)
    NONE = "none"

    @property
    def is_book_only(self) -> bool:
        """Deductible with the book entry alone → exported with the 100 % key (R3.9)."""
        return self is not SpecialCase.NONE


class CategoryKind(enum.StrEnum):
    TRANSPORT = "transport"  # fares of any mode; the mode decides
    LODGING = "lodging"  # 宿泊費
    PER_DIEM = "per_diem"  # 日当
    COMMUTING = "commuting"  # 通勤手当 / 定期代
    ADMISSION_TICKET = "admission_ticket"
    VENDING_MACHINE = "vending_machine"  # incl. ATM fees, coin lockers
    POSTAGE = "postage"  # posting paid with stamps (not buying stamps: that is 非課税)
    OTHER = "other"  # supplies, meals, books, … (立替払い, R3.7)


class TransportMode(enum.StrEnum):
    RAIL = "rail"  # incl. 新幹線, monorail, 特急・寝台料金 (R3.2)
    BUS = "bus"  # 路線バス, 高速・空港アクセスバス
    SHIP = "ship"  # 定期航路
    TAXI = "taxi"
    AIR = "air"
    OTHER = "other"  # parking, 高速代, rental car …


class PaymentMethod(enum.StrEnum):
    EMPLOYEE = "employee"  # 立替: paid by the employee, reimbursed
    CORPORATE_CARD = "corporate_card"
    COMPANY_INVOICE = "company_invoice"


PUBLIC_TRANSPORT_MODES = frozenset({TransportMode.RAIL, TransportMode.BUS, TransportMode.SHIP})
# A line kept without a receipt under a 帳簿のみ保存 case says so in its reason: 「帳簿のみ保存（<R3.9 note>）」
BOOK_ONLY_PREFIX = "帳簿のみ保存"


class Reason(enum.StrEnum):
    """Machine-readable why, for the UI message (R3.10: show the employee why a receipt is needed or not)."""

    NOT_TAXABLE = "not_taxable_purchase"
    OVERSEAS = "overseas_out_of_scope"
    COMMUTING_ALLOWANCE = "commuting_allowance"
    PUBLIC_TRANSPORT_UNDER_LIMIT = "public_transport_under_limit"
    ADMISSION_TICKET = "admission_ticket"
    VENDING_MACHINE_UNDER_LIMIT = "vending_machine_under_limit"
    POSTAGE = "postage_paid_with_stamps"
    BUSINESS_TRAVEL_PAID_TO_EMPLOYEE = "business_travel_paid_to_employee"
    SMALL_AMOUNT = "small_amount_under_limit"
    PAID_BY_COMPANY = "paid_by_company"  # R3.6: hotel/air on corporate card or invoice
    ACTUAL_COST_SETTING_OFF = "actual_cost_travel_setting_off"  # R3.7 company setting
    NOT_PUBLIC_TRANSPORT = "not_public_transport"  # R3.4: taxi, air, parking
    OVER_LIMIT = "over_limit"
    INVOICE_REQUIRED = "invoice_required"


# Note keys: the SpecialCase value, or "public_transport.<mode>" for the fare wording of R3.9.
DEFAULT_NOTES: Mapping[str, str] = MappingProxyType(
    {
        "public_transport.rail": "3万円未満の鉄道料金",
        "public_transport.bus": "3万円未満のバス料金",
        "public_transport.ship": "3万円未満の船舶料金",
        SpecialCase.ADMISSION_TICKET.value: "入場券等",
        SpecialCase.VENDING_MACHINE.value: "自動販売機",
        SpecialCase.POSTAGE.value: "郵便切手類",
        SpecialCase.BUSINESS_TRAVEL.value: "出張旅費等特例",
        SpecialCase.COMMUTING.value: "通勤手当",
        SpecialCase.SMALL_AMOUNT.value: "少額特例",
    }
)


@dataclass(frozen=True, slots=True)
class SpecialCaseParams:
    """Dated thresholds of R3/R4 (tax-inclusive yen; "under" = strictly less than)."""

    public_transport_limit: int = 30_000  # R3.3
    vending_machine_limit: int = 30_000  # R3.1-7
    small_amount_limit: int = 10_000  # R4.1
    small_amount_from: dt.date = dt.date(2023, 10, 1)  # R4.2
    small_amount_until: dt.date = dt.date(2029, 9, 30)  # R4.2, inclusive
    notes: Mapping[str, str] = field(default_factory=lambda: DEFAULT_NOTES)

    def small_amount_in_force(self, d: dt.date) -> bool:
        return self.small_amount_from <= d <= self.small_amount_until

    def note_for(self, case: SpecialCase, mode: TransportMode | None = None) -> str:
        if case is SpecialCase.NONE:
            return ""
        if case is SpecialCase.PUBLIC_TRANSPORT:
            return self.notes[f"public_transport.{mode or TransportMode.RAIL}"]
        return self.notes[case.value]


DEFAULTS = SpecialCaseParams()


@dataclass(frozen=True, slots=True)
class LineFacts:
    """What the rule needs to know about one claim line."""

    purchase_date: dt.date
    category_kind: CategoryKind
    purchase_amount: int  # yen, tax-incl., of the WHOLE purchase (R3.3: one ticket purchase / receipt)
    payment_method: PaymentMethod = PaymentMethod.EMPLOYEE
    transport_mode: TransportMode | None = None
    overseas: bool = False
    on_business_trip: bool = False  # the line belongs to a 出張 (fares, taxis and air on a trip)
    actual_cost: bool = True  # 実費 (receipt amount) vs 概算 (fixed amount per 旅費規程)
    taxable_purchase: bool = True  # False for 非課税 / 不課税 lines (stamps at the post office, 香典)


@dataclass(frozen=True, slots=True)
class CompanyFacts:
    small_amount_eligible: bool = False  # R4.1, for the fiscal year of the line (entered by 経理)
    apply_travel_special_to_actual_cost: bool = True  # R3.7 setting, default on


DEFAULT_COMPANY = CompanyFacts()


@dataclass(frozen=True, slots=True)
class SpecialCaseResult:
    special_case: SpecialCase
    note: str  # R3.9 摘要 wording ("" for none)
    invoice_required: bool  # is the seller's 適格請求書 legally needed for the deduction?
    reason: Reason


def classify_special_case(
    facts: LineFacts,
    company: CompanyFacts = DEFAULT_COMPANY,
    params: SpecialCaseParams = DEFAULTS,
) -> SpecialCaseResult:
    """R3.10: classify one line; see the module docstring for the order of the checks."""
    if facts.purchase_amount < 0:
        raise ValueError("purchase_amount must be >= 0")

    def result(case: SpecialCase, reason: Reason) -> SpecialCaseResult:
        return SpecialCaseResult(case, params.note_for(case, facts.transport_mode), False, reason)

    kind = facts.category_kind
    amount = facts.purchase_amount
    employee_paid = facts.payment_method is PaymentMethod.EMPLOYEE

    if facts.overseas:
        return result(SpecialCase.NONE, Reason.OVERSEAS)  # R3.5/R9.1: 国外 = 不課税, no invoice
    if not facts.taxable_purchase:
        return result(SpecialCase.NONE, Reason.NOT_TAXABLE)

    if kind is CategoryKind.COMMUTING and employee_paid:
        return result(SpecialCase.COMMUTING, Reason.COMMUTING_ALLOWANCE)

    is_fare = kind in (CategoryKind.TRANSPORT, CategoryKind.COMMUTING)
    public_fare = is_fare and facts.transport_mode in PUBLIC_TRANSPORT_MODES
    if public_fare and amount < params.public_transport_limit:
        return result(SpecialCase.PUBLIC_TRANSPORT, Reason.PUBLIC_TRANSPORT_UNDER_LIMIT)

    if kind is CategoryKind.ADMISSION_TICKET:
        return result(SpecialCase.ADMISSION_TICKET, Reason.ADMISSION_TICKET)
    if kind is CategoryKind.VENDING_MACHINE and amount < params.vending_machine_limit:
        return result(SpecialCase.VENDING_MACHINE, Reason.VENDING_MACHINE_UNDER_LIMIT)
    if kind is CategoryKind.POSTAGE:
        return result(SpecialCase.POSTAGE, Reason.POSTAGE)

    # why the travel special case does not apply, if the line is travel at all
    fallback = Reason.INVOICE_REQUIRED
    is_travel = kind in (CategoryKind.LODGING, CategoryKind.PER_DIEM) or (
        kind is CategoryKind.TRANSPORT and facts.on_business_trip
    )
    if is_travel:
        if not employee_paid:
            fallback = Reason.PAID_BY_COMPANY  # R3.6
        elif (
            facts.actual_cost
            and kind is not CategoryKind.PER_DIEM
            and (not company.apply_travel_special_to_actual_cost)
        ):
            fallback = Reason.ACTUAL_COST_SETTING_OFF  # R3.7
        else:
            return result(SpecialCase.BUSINESS_TRAVEL, Reason.BUSINESS_TRAVEL_PAID_TO_EMPLOYEE)
    elif kind is CategoryKind.TRANSPORT and not public_fare:
        fallback = Reason.NOT_PUBLIC_TRANSPORT  # R3.4
    elif public_fare or kind is CategoryKind.VENDING_MACHINE:
        fallback = Reason.OVER_LIMIT

    if (
        company.small_amount_eligible
        and amount < params.small_amount_limit
        and params.small_amount_in_force(facts.purchase_date)
    ):
        return result(SpecialCase.SMALL_AMOUNT, Reason.SMALL_AMOUNT)

    return SpecialCaseResult(SpecialCase.NONE, "", True, fallback)


def purchase_totals(items: Iterable[tuple[K, int]]) -> dict[K, int]:
    """R3.3 helper: sum line amounts per purchase key (one ticket purchase / one receipt).

    Feed ``(purchase_key, amount)`` pairs; pass each line's purchase total as ``purchase_amount``.
    An IC-card ride is its own purchase (R12.5), so give each ride its own key.
    """
    totals: dict[K, int] = {}
    for key, amount in items:
        totals[key] = totals.get(key, 0) + amount
    return totals
