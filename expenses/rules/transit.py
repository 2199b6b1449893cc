"""Fare rules for transit lines: round trips, implausible amounts, and R3.3 transaction grouping.

Pure functions on plain values (style.md §8). Limits are data passed in by the caller (company settings
seeded from `DEFAULT_FARE_LIMITS`); the 公共交通機関特例 threshold and 摘要 notes come from
`expenses.rules.special_cases.SpecialCaseParams`, so R3.3 has one source of truth.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from django.utils.translation import gettext

from core.exceptions import ApplicationError
from expenses.rules.special_cases import (
    DEFAULTS,
    PUBLIC_TRANSPORT_MODES,
    SpecialCase,
    SpecialCaseParams,
    TransportMode,
)

# Seed values for the per-mode "this cannot be one fare" limit (yen, one way, charges included).
# Company data, not law: the longest domestic rail fares with 特急料金 stay far below ¥100,000.
DEFAULT_FARE_LIMITS: Mapping[TransportMode, int] = MappingProxyType(
    {
        TransportMode.RAIL: 100_000,
        TransportMode.BUS: 50_000,
        TransportMode.SHIP: 100_000,
        TransportMode.TAXI: 100_000,
        TransportMode.AIR: 1_000_000,  # international tickets
    }
)

MODE_LABELS: Mapping[TransportMode, str] = MappingProxyType(
    {
        TransportMode.RAIL: "鉄道",
        TransportMode.BUS: "バス",
        TransportMode.SHIP: "船舶",
        TransportMode.TAXI: "タクシー",
        TransportMode.AIR: "航空",
        TransportMode.OTHER: "その他",
    }
)


class FareRefused(ApplicationError):
    """A fare that cannot be right; the message tells the employee what to check."""


def _yen(amount: int) -> str:
    return f"¥{amount:,}"


def _require_yen(value: object, name: str) -> int:
    # bool is an int subclass and float/Decimal are not money here: refuse both early.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int number of yen, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0")
    return value


def trip_amount(
    fare_oneway: int, *, charges_oneway: int = 0, round_trip: bool = False, charges_both_ways: bool = True
) -> int:
    """Amount of one transit line: a round trip doubles the fare, and the charges when paid both ways.

    `charges_both_ways=False` covers e.g. 特急 one way and a local train back.
    """
    fare = _require_yen(fare_oneway, "fare_oneway")
    charges = _require_yen(charges_oneway, "charges_oneway")
    if not round_trip:
        return fare + charges
    return 2 * fare + (2 * charges if charges_both_ways else charges)


def fare_problem(amount: int, *, mode: TransportMode, limits: Mapping[TransportMode, int]) -> str | None:
    """Why `amount` (one way, yen) cannot be a fare for `mode`, or None. A mode without a limit passes."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        return gettext("運賃は円単位の整数で入力してください。")
    if amount < 0:
        return gettext("運賃にマイナスの金額は入力できません。")
    limit = limits.get(mode)
    if limit is not None and amount > limit:
        return gettext(
            "%(mode)sの運賃 %(amount)s は上限 %(limit)s を超えています。"
            "金額（桁の誤りや往復・複数人分の合算）を確認してください。"
        ) % {"mode": MODE_LABELS.get(mode, str(mode)), "amount": _yen(amount), "limit": _yen(limit)}
    return None


def validate_fare(amount: int, *, mode: TransportMode, limits: Mapping[TransportMode, int]) -> None:
    """Raise FareRefused when `fare_problem` finds one (services call this before saving a line)."""
    problem = fare_problem(amount, mode=mode, limits=limits)
    if problem:
        raise FareRefused(problem, extra={"field": "amount"})


# --- R3.3: one transaction per purchase --------------------------------------------------------------


@dataclass(frozen=True)
class FareLine:
    """One transit claim line as the R3.3 rule needs it."""

    ref: Hashable  # the caller's id for the line
    mode: TransportMode
    fare_oneway: int
    charges_oneway: int = 0
    round_trip: bool = False
    charges_both_ways: bool = True
    purchase_key: Hashable | None = None  # same ticket purchase / same receipt → same key
    paid_by_ic: bool = False

    @property
    def amount(self) -> int:
        return trip_amount(
            self.fare_oneway,
            charges_oneway=self.charges_oneway,
            round_trip=self.round_trip,
            charges_both_ways=self.charges_both_ways,
        )

    @property
    def transaction_amount_alone(self) -> int:
        """The amount judged when this line is its own transaction.

        An IC ride is one transaction per ride (R3.3, R12.5): a round trip by IC is two rides of one fare.
        """
        if self.paid_by_ic:
            return trip_amount(self.fare_oneway, charges_oneway=self.charges_oneway)
        return self.amount


@dataclass(frozen=True)
class Transaction:
    key: tuple[str, Hashable]
    refs: tuple[Hashable, ...]
    total: int  # yen, tax-incl.: what R3.3 compares with the threshold


@dataclass(frozen=True)
class PublicTransportDecision:
    ref: Hashable
    applies: bool  # 公共交通機関特例: no invoice needed
    purchase_amount: int  # the transaction total (feed LineFacts.purchase_amount with it)
    note: str  # R3.9 摘要 wording when it applies, else ""
    message: str  # why, for the employee


def group_transactions(lines: Sequence[FareLine]) -> list[Transaction]:
    """R3.3: lines sharing a purchase_key form one transaction (4 tickets at ¥13,000 = ¥52,000).

    IC lines are always their own transaction, whatever their key. A line without a key is its own
    transaction; a round-trip ticket counts as one purchase of both ways.
    """
    groups: dict[tuple[str, Hashable], list[FareLine]] = {}
    for line in lines:
        if line.paid_by_ic:
            key: tuple[str, Hashable] = ("ic", line.ref)
        elif line.purchase_key is None:
            key = ("line", line.ref)
        else:
            key = ("purchase", line.purchase_key)
        groups.setdefault(key, []).append(line)
    transactions = []
    for key, members in groups.items():
        if key[0] == "purchase":
            # Every line of the purchase counts, public transport or not: a larger total can only make
            # the special case less likely, which is the safe side (an invoice is kept).
            total = sum(member.amount for member in members)
        else:
            total = sum(member.transaction_amount_alone for member in members)
        transactions.append(Transaction(key, tuple(member.ref for member in members), total))
    return transactions


def decide_public_transport(
    lines: Sequence[FareLine], *, params: SpecialCaseParams = DEFAULTS
) -> dict[Hashable, PublicTransportDecision]:
    """R3.2–R3.4 per line: rail/bus/ship and the line's transaction under the limit; taxi and air never."""
    limit = params.public_transport_limit
    by_ref = {line.ref: line for line in lines}
    if len(by_ref) != len(lines):
        raise ValueError("FareLine.ref must be unique")
    decisions: dict[Hashable, PublicTransportDecision] = {}
    for transaction in group_transactions(lines):
        for ref in transaction.refs:
            line = by_ref[ref]
            if line.mode not in PUBLIC_TRANSPORT_MODES:
                decisions[ref] = PublicTransportDecision(
                    ref,
                    False,
                    transaction.total,
                    "",
                    gettext(
                        "%(mode)sは公共交通機関特例の対象外です。領収書（適格請求書）を添付してください。"
                    )
                    % {"mode": MODE_LABELS.get(line.mode, str(line.mode))},
                )
            elif transaction.total < limit:
                decisions[ref] = PublicTransportDecision(
                    ref,
                    True,
                    transaction.total,
                    params.note_for(SpecialCase.PUBLIC_TRANSPORT, line.mode),
                    gettext(
                        "1 回の購入が %(limit)s 未満のため、領収書なしで処理できます（公共交通機関特例）。"
                    )
                    % {"limit": _yen(limit)},
                )
            else:
                decisions[ref] = PublicTransportDecision(
                    ref,
                    False,
                    transaction.total,
                    "",
                    gettext(
                        "1 回の購入の合計 %(total)s が %(limit)s 以上のため、公共交通機関特例は使えません。"
                        "領収書を添付してください。"
                    )
                    % {"total": _yen(transaction.total), "limit": _yen(limit)},
                )
    return decisions
