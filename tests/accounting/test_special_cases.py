"""R3.10 classification of 帳簿のみ special cases (domain.md R3, R4).

Lives next to the tax-key tests because the two rules are exercised together; the rule itself is
``expenses/rules/special_cases.py``.
"""

import datetime as dt

import pytest

from expenses.rules.special_cases import (
    DEFAULT_NOTES,
    DEFAULTS,
    CategoryKind,
    CompanyFacts,
    LineFacts,
    PaymentMethod,
    Reason,
    SpecialCase,
    SpecialCaseParams,
    TransportMode,
    classify_special_case,
    purchase_totals,
)

D = dt.date
DAY = D(2026, 11, 5)
ELIGIBLE = CompanyFacts(small_amount_eligible=True)
ACTUAL_COST_OFF = CompanyFacts(apply_travel_special_to_actual_cost=False)


def line(kind, amount, mode=None, paid=PaymentMethod.EMPLOYEE, **kw):
    return LineFacts(
        purchase_date=kw.pop("day", DAY),
        category_kind=kind,
        purchase_amount=amount,
        payment_method=paid,
        transport_mode=mode,
        **kw,
    )


def classify(facts, company=CompanyFacts(), params=DEFAULTS):  # noqa: B008 - frozen default
    r = classify_special_case(facts, company, params)
    return r.special_case, r.note, r.invoice_required, r.reason


# ---- R3.2 / R3.3 公共交通機関特例 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "note"),
    [
        (TransportMode.RAIL, "3万円未満の鉄道料金"),
        (TransportMode.BUS, "3万円未満のバス料金"),
        (TransportMode.SHIP, "3万円未満の船舶料金"),
    ],
)
def test_r3_2_public_transport_under_30000(mode, note):
    assert classify(line(CategoryKind.TRANSPORT, 29_999, mode)) == (
        SpecialCase.PUBLIC_TRANSPORT,
        note,
        False,
        Reason.PUBLIC_TRANSPORT_UNDER_LIMIT,
    )


def test_r3_3_aggregate_of_one_purchase_at_30000_needs_an_invoice():
    # NTA example: 4 Shinkansen tickets of ¥13,000 bought together = ¥52,000 → not eligible
    totals = purchase_totals([("receipt-1", 13_000)] * 4 + [("ic-ride-7", 210)])
    assert totals == {"receipt-1": 52_000, "ic-ride-7": 210}
    assert classify(line(CategoryKind.TRANSPORT, totals["receipt-1"], TransportMode.RAIL)) == (
        SpecialCase.NONE,
        "",
        True,
        Reason.OVER_LIMIT,
    )
    assert classify(line(CategoryKind.TRANSPORT, 30_000, TransportMode.RAIL))[0] is SpecialCase.NONE
    assert classify(line(CategoryKind.TRANSPORT, totals["ic-ride-7"], TransportMode.RAIL))[0] is (
        SpecialCase.PUBLIC_TRANSPORT
    )


def test_r3_6_public_transport_still_applies_when_the_company_paid():
    result = classify(line(CategoryKind.TRANSPORT, 14_000, TransportMode.RAIL, PaymentMethod.CORPORATE_CARD))
    assert result[:3] == (SpecialCase.PUBLIC_TRANSPORT, "3万円未満の鉄道料金", False)


@pytest.mark.parametrize("mode", [TransportMode.TAXI, TransportMode.AIR, TransportMode.OTHER])
def test_r3_4_taxi_air_parking_need_an_invoice_outside_a_trip(mode):
    assert classify(line(CategoryKind.TRANSPORT, 2_500, mode)) == (
        SpecialCase.NONE,
        "",
        True,
        Reason.NOT_PUBLIC_TRANSPORT,
    )


# ---- R3.5 – R3.7 出張旅費等特例 ------------------------------------------------------------------


@pytest.mark.parametrize("mode", [TransportMode.TAXI, TransportMode.AIR, TransportMode.RAIL])
def test_r3_5_trip_fares_paid_to_the_employee(mode):
    # a ¥45,000 fare on a trip: over the public-transport limit but covered by 出張旅費等特例
    assert classify(line(CategoryKind.TRANSPORT, 45_000, mode, on_business_trip=True)) == (
        SpecialCase.BUSINESS_TRAVEL,
        "出張旅費等特例",
        False,
        Reason.BUSINESS_TRAVEL_PAID_TO_EMPLOYEE,
    )


def test_r3_5_cheap_trip_train_fare_is_booked_as_public_transport():
    result = classify(line(CategoryKind.TRANSPORT, 13_000, TransportMode.RAIL, on_business_trip=True))
    assert result[:2] == (SpecialCase.PUBLIC_TRANSPORT, "3万円未満の鉄道料金")


@pytest.mark.parametrize("kind", [CategoryKind.LODGING, CategoryKind.PER_DIEM])
def test_r3_5_lodging_and_per_diem_paid_to_the_employee(kind):
    assert classify(line(kind, 12_000))[:3] == (SpecialCase.BUSINESS_TRAVEL, "出張旅費等特例", False)


@pytest.mark.parametrize("paid", [PaymentMethod.CORPORATE_CARD, PaymentMethod.COMPANY_INVOICE])
def test_r3_6_hotel_paid_by_the_company_needs_the_hotels_invoice(paid):
    assert classify(line(CategoryKind.LODGING, 12_000, paid=paid)) == (
        SpecialCase.NONE,
        "",
        True,
        Reason.PAID_BY_COMPANY,
    )
    air = line(CategoryKind.TRANSPORT, 45_000, TransportMode.AIR, paid, on_business_trip=True)
    assert classify(air)[2:] == (True, Reason.PAID_BY_COMPANY)


def test_r3_6_small_amount_can_still_rescue_a_company_paid_line():
    assert classify(line(CategoryKind.LODGING, 9_999, paid=PaymentMethod.CORPORATE_CARD), ELIGIBLE)[:3] == (
        SpecialCase.SMALL_AMOUNT,
        "少額特例",
        False,
    )


def test_r3_7_company_setting_off_excludes_actual_cost_lines():
    assert classify(line(CategoryKind.LODGING, 12_000), ACTUAL_COST_OFF) == (
        SpecialCase.NONE,
        "",
        True,
        Reason.ACTUAL_COST_SETTING_OFF,
    )
    # fixed-amount (概算) lodging and 日当 stay under the special case
    assert classify(line(CategoryKind.LODGING, 12_000, actual_cost=False), ACTUAL_COST_OFF)[0] is (
        SpecialCase.BUSINESS_TRAVEL
    )
    assert classify(line(CategoryKind.PER_DIEM, 3_000), ACTUAL_COST_OFF)[0] is SpecialCase.BUSINESS_TRAVEL


@pytest.mark.parametrize("kind", [CategoryKind.LODGING, CategoryKind.PER_DIEM, CategoryKind.OTHER])
def test_r9_1_overseas_is_out_of_scope_no_invoice(kind):
    assert classify(line(kind, 80_000, overseas=True, on_business_trip=True)) == (
        SpecialCase.NONE,
        "",
        False,
        Reason.OVERSEAS,
    )


# ---- R3.8 通勤手当, R3.1 other cases --------------------------------------------------------------


def test_r3_8_commuting_allowance_in_full():
    assert classify(line(CategoryKind.COMMUTING, 95_000, TransportMode.RAIL)) == (
        SpecialCase.COMMUTING,
        "通勤手当",
        False,
        Reason.COMMUTING_ALLOWANCE,
    )


def test_commuter_pass_bought_by_the_company_follows_the_fare_rules():
    pass_ = line(CategoryKind.COMMUTING, 95_000, TransportMode.RAIL, PaymentMethod.CORPORATE_CARD)
    assert classify(pass_)[:3] == (SpecialCase.NONE, "", True)
    cheap = line(CategoryKind.COMMUTING, 9_000, TransportMode.BUS, PaymentMethod.CORPORATE_CARD)
    assert classify(cheap)[:2] == (SpecialCase.PUBLIC_TRANSPORT, "3万円未満のバス料金")


def test_r3_1_admission_ticket_has_no_threshold():
    assert classify(line(CategoryKind.ADMISSION_TICKET, 50_000))[:3] == (
        SpecialCase.ADMISSION_TICKET,
        "入場券等",
        False,
    )


def test_r3_1_vending_machine_under_30000():
    assert classify(line(CategoryKind.VENDING_MACHINE, 29_999))[:3] == (
        SpecialCase.VENDING_MACHINE,
        "自動販売機",
        False,
    )
    over = classify(line(CategoryKind.VENDING_MACHINE, 30_000))
    assert over == (SpecialCase.NONE, "", True, Reason.OVER_LIMIT)


def test_r3_1_postage_paid_with_stamps():
    assert classify(line(CategoryKind.POSTAGE, 84))[:3] == (SpecialCase.POSTAGE, "郵便切手類", False)


def test_non_taxable_purchase_needs_no_invoice():
    assert classify(line(CategoryKind.OTHER, 500, taxable_purchase=False)) == (
        SpecialCase.NONE,
        "",
        False,
        Reason.NOT_TAXABLE,
    )


# ---- R4 少額特例 ----------------------------------------------------------------------------------


def test_r4_1_small_amount_needs_eligibility_and_under_10000():
    supplies = line(CategoryKind.OTHER, 9_999)
    assert classify(supplies) == (SpecialCase.NONE, "", True, Reason.INVOICE_REQUIRED)
    assert classify(supplies, ELIGIBLE) == (SpecialCase.SMALL_AMOUNT, "少額特例", False, Reason.SMALL_AMOUNT)
    assert classify(line(CategoryKind.OTHER, 10_000), ELIGIBLE)[0] is SpecialCase.NONE


def test_r4_1_taxi_outside_a_trip_under_10000():
    taxi = line(CategoryKind.TRANSPORT, 3_200, TransportMode.TAXI)
    assert classify(taxi, ELIGIBLE)[:3] == (SpecialCase.SMALL_AMOUNT, "少額特例", False)


@pytest.mark.parametrize(
    ("day", "case"),
    [
        (D(2023, 9, 30), SpecialCase.NONE),
        (D(2023, 10, 1), SpecialCase.SMALL_AMOUNT),
        (D(2029, 9, 30), SpecialCase.SMALL_AMOUNT),
        (D(2029, 10, 1), SpecialCase.NONE),
    ],
)
def test_r4_2_small_amount_dates(day, case):
    assert classify(line(CategoryKind.OTHER, 5_000, day=day), ELIGIBLE)[0] is case


def test_thresholds_and_notes_are_data():
    params = SpecialCaseParams(
        public_transport_limit=40_000,
        small_amount_limit=20_000,
        small_amount_until=D(2031, 9, 30),
        notes={**DEFAULT_NOTES, "public_transport.rail": "公共交通機関特例"},
    )
    assert classify(line(CategoryKind.TRANSPORT, 35_000, TransportMode.RAIL), params=params)[:2] == (
        SpecialCase.PUBLIC_TRANSPORT,
        "公共交通機関特例",
    )
    later = line(CategoryKind.OTHER, 15_000, day=D(2030, 1, 1))
    assert classify(later, ELIGIBLE, params)[0] is SpecialCase.SMALL_AMOUNT
    assert DEFAULTS.public_transport_limit == 30_000
    assert DEFAULTS.small_amount_limit == 10_000
    assert DEFAULTS.small_amount_until == D(2029, 9, 30)


def test_book_only_flag():
    assert SpecialCase.PUBLIC_TRANSPORT.is_book_only is True
    assert SpecialCase.NONE.is_book_only is False


def test_negative_amount_is_refused():
    with pytest.raises(ValueError, match="purchase_amount"):
        classify_special_case(line(CategoryKind.OTHER, -1))
