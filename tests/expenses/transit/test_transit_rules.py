"""Fare rules: round trips, implausible fares, R3.3 transaction grouping (pure, no database)."""

from decimal import Decimal

import pytest

from core.exceptions import ApplicationError
from expenses.rules.special_cases import SpecialCaseParams, TransportMode
from expenses.rules.transit import (
    DEFAULT_FARE_LIMITS,
    FareLine,
    FareRefused,
    decide_public_transport,
    fare_problem,
    group_transactions,
    trip_amount,
    validate_fare,
)

RAIL, BUS, SHIP, TAXI, AIR = (
    TransportMode.RAIL,
    TransportMode.BUS,
    TransportMode.SHIP,
    TransportMode.TAXI,
    TransportMode.AIR,
)


# --- round trips ----------------------------------------------------------------------------------------


def test_one_way_is_fare_plus_charges():
    assert trip_amount(1_340, charges_oneway=1_760) == 3_100


def test_round_trip_doubles_fare_and_charges():
    assert trip_amount(1_340, charges_oneway=1_760, round_trip=True) == 6_200


def test_round_trip_with_charges_one_way_only():
    assert trip_amount(1_340, charges_oneway=1_760, round_trip=True, charges_both_ways=False) == 4_440


@pytest.mark.parametrize("bad", [1.5, Decimal("100"), "100", True, None])
def test_money_must_be_int_yen(bad):
    with pytest.raises(TypeError):
        trip_amount(bad)  # type: ignore[arg-type]


def test_negative_fares_are_programming_errors():
    with pytest.raises(ValueError):
        trip_amount(100, charges_oneway=-1)


# --- implausible fares ------------------------------------------------------------------------------------


def test_rail_fare_over_100000_is_refused_with_a_clear_message():
    with pytest.raises(FareRefused) as excinfo:
        validate_fare(120_000, mode=RAIL, limits=DEFAULT_FARE_LIMITS)
    assert isinstance(excinfo.value, ApplicationError)
    assert "鉄道" in excinfo.value.message
    assert "¥120,000" in excinfo.value.message
    assert "¥100,000" in excinfo.value.message
    assert excinfo.value.extra == {"field": "amount"}


@pytest.mark.parametrize(
    ("mode", "amount", "ok"),
    [
        (RAIL, 100_000, True),  # at the limit is allowed
        (RAIL, 100_001, False),
        (BUS, 15_000, True),
        (BUS, 50_001, False),
        (TAXI, 100_001, False),
        (AIR, 250_000, True),
        (TransportMode.OTHER, 5_000_000, True),  # no limit configured
        (RAIL, 0, True),  # 定期区間控除 can leave 0
        (RAIL, -1, False),
    ],
)
def test_default_limits_per_mode(mode, amount, ok):
    assert (fare_problem(amount, mode=mode, limits=DEFAULT_FARE_LIMITS) is None) is ok


def test_limits_are_data_passed_in():
    limits = {RAIL: 30_000}
    assert fare_problem(30_001, mode=RAIL, limits=limits) is not None
    assert fare_problem(30_001, mode=BUS, limits=limits) is None
    assert "整数" in fare_problem(1.5, mode=RAIL, limits=limits)  # type: ignore[arg-type, operator]
    validate_fare(500, mode=RAIL, limits=limits)  # no exception, returns None


# --- R3.3 aggregation -------------------------------------------------------------------------------------


def test_r3_3_four_shinkansen_tickets_bought_together_are_one_transaction():
    """NTA example: 4 tickets × ¥13,000 bought together = ¥52,000 → not eligible."""
    lines = [FareLine(ref=n, mode=RAIL, fare_oneway=13_000, purchase_key="receipt-1") for n in range(4)]
    decisions = decide_public_transport(lines)
    assert {d.purchase_amount for d in decisions.values()} == {52_000}
    assert not any(d.applies for d in decisions.values())
    assert "¥52,000" in decisions[0].message
    assert decisions[0].note == ""


def test_r3_3_the_same_tickets_bought_separately_are_each_eligible():
    lines = [FareLine(ref=n, mode=RAIL, fare_oneway=13_000) for n in range(4)]
    decisions = decide_public_transport(lines)
    assert all(d.applies and d.purchase_amount == 13_000 for d in decisions.values())
    assert decisions[0].note == "3万円未満の鉄道料金"


def test_r3_3_under_the_limit_is_strict():
    at_limit = decide_public_transport([FareLine(ref="a", mode=RAIL, fare_oneway=30_000)])["a"]
    below = decide_public_transport([FareLine(ref="b", mode=RAIL, fare_oneway=29_999)])["b"]
    assert (at_limit.applies, below.applies) == (False, True)


def test_r3_3_round_trip_ticket_is_one_purchase_of_both_ways():
    line = FareLine(ref="x", mode=RAIL, fare_oneway=14_000, charges_oneway=1_000, round_trip=True)
    decision = decide_public_transport([line])["x"]
    assert (decision.purchase_amount, decision.applies) == (30_000, False)


def test_r3_3_r12_5_each_ic_ride_is_its_own_transaction():
    """GIVEN IC round trips sharing a receipt key WHEN judged THEN every ride counts alone."""
    lines = [
        FareLine(
            ref="ic1", mode=RAIL, fare_oneway=16_000, round_trip=True, paid_by_ic=True, purchase_key="k"
        ),
        FareLine(ref="ic2", mode=BUS, fare_oneway=15_000, paid_by_ic=True, purchase_key="k"),
    ]
    decisions = decide_public_transport(lines)
    assert decisions["ic1"].purchase_amount == 16_000
    assert decisions["ic2"].purchase_amount == 15_000
    assert decisions["ic1"].applies and decisions["ic2"].applies
    assert decisions["ic2"].note == "3万円未満のバス料金"
    assert len(group_transactions(lines)) == 2


def test_r3_4_taxi_and_air_never_apply():
    lines = [
        FareLine(ref="taxi", mode=TAXI, fare_oneway=1_500),
        FareLine(ref="air", mode=AIR, fare_oneway=12_000),
        FareLine(ref="ship", mode=SHIP, fare_oneway=2_000),
    ]
    decisions = decide_public_transport(lines)
    assert (decisions["taxi"].applies, decisions["air"].applies, decisions["ship"].applies) == (
        False,
        False,
        True,
    )
    assert "タクシー" in decisions["taxi"].message
    assert "航空" in decisions["air"].message
    assert decisions["ship"].note == "3万円未満の船舶料金"


def test_r3_3_a_mixed_purchase_counts_every_line():
    """A travel-agency receipt with rail + air: the rail line is judged on the whole purchase (safe side)."""
    lines = [
        FareLine(ref="rail", mode=RAIL, fare_oneway=9_000, purchase_key="agency"),
        FareLine(ref="air", mode=AIR, fare_oneway=25_000, purchase_key="agency"),
    ]
    decisions = decide_public_transport(lines)
    assert decisions["rail"].purchase_amount == 34_000
    assert not decisions["rail"].applies


def test_r3_3_threshold_comes_from_params():
    line = FareLine(ref="a", mode=RAIL, fare_oneway=25_000)
    assert (
        decide_public_transport([line], params=SpecialCaseParams(public_transport_limit=20_000))["a"].applies
        is False
    )
    assert decide_public_transport([line])["a"].applies is True


def test_group_transactions_keys_and_totals():
    lines = [
        FareLine(ref=1, mode=RAIL, fare_oneway=500, purchase_key="r"),
        FareLine(ref=2, mode=RAIL, fare_oneway=700, charges_oneway=300, purchase_key="r"),
        FareLine(ref=3, mode=RAIL, fare_oneway=200),
    ]
    transactions = {t.key: t for t in group_transactions(lines)}
    assert transactions[("purchase", "r")].refs == (1, 2)
    assert transactions[("purchase", "r")].total == 1_500
    assert transactions[("line", 3)].total == 200


def test_refs_must_be_unique():
    line = FareLine(ref=1, mode=RAIL, fare_oneway=500)
    with pytest.raises(ValueError):
        decide_public_transport([line, line])
