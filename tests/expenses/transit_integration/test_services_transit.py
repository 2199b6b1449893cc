"""Transit line services: amounts, tax, 帳簿のみ保存, pass deduction, bad input, period."""

import datetime

import pytest
from django.utils import timezone

from approvals.models import ClaimEvent
from core.exceptions import ApplicationError, NotFoundOrForbidden, ValidationFailed
from expenses.models import Claim, ClaimLine
from expenses.services.claims import check_submit_claim
from expenses.services.transit import check_add_transit_line
from expenses.services.transit_personal import check_repeat_trips, check_use_favourite
from expenses.transit_models import FavouriteRoute, PassDeductionKind, TransitDetail
from expenses.transit_selectors import suggest_fares, transit_warnings_for_lines

from .conftest import trip

pytestmark = pytest.mark.django_db


def test_round_trip_doubles_fare_and_is_book_only(alice, claim, stations) -> None:
    line = check_add_transit_line(claim.pk, acting_user=alice, data=trip(round_trip=True, purpose="打合せ",
                                                                         destination="A社"))
    line.refresh_from_db()
    detail = line.transit
    assert line.amount == 416
    assert line.category.code == "TRANSIT"
    assert (line.tax_category, line.tax_rate, line.tax_amount) == ("standard", 10, 37)
    assert detail.round_trip and detail.gross_amount == 416
    assert detail.special_case == "public_transport"
    assert detail.special_case_note == "3万円未満の鉄道料金"
    assert line.no_receipt_reason == "帳簿のみ保存（3万円未満の鉄道料金）"
    assert "新宿⇄品川" in line.description and "A社" in line.description
    claim.refresh_from_db()
    assert (claim.total_amount, claim.line_count, claim.version) == (416, 1, 2)
    assert ClaimEvent.objects.filter(claim=claim, kind="edited", diff__transit_lines_added=1).count() == 1


def test_book_only_line_submits_without_receipt(alice, claim, stations) -> None:
    check_add_transit_line(claim.pk, acting_user=alice, data=trip())
    submitted = check_submit_claim(claim.pk, acting_user=alice)
    assert submitted.status == "submitted"


def test_taxi_needs_a_receipt(alice, claim) -> None:
    line = check_add_transit_line(claim.pk, acting_user=alice, data=trip(mode="taxi", from_station="品川駅",
                                                                         to_station="A社", fare_oneway=2300))
    line.refresh_from_db()
    assert line.category.code == "TAXI" and line.transit.special_case == "" and line.no_receipt_reason == ""
    with pytest.raises(ValidationFailed) as exc:
        check_submit_claim(claim.pk, acting_user=alice)
    assert "lines.0.no_receipt_reason" in exc.value.extra["fields"]


def test_air_is_not_public_transport(alice, claim) -> None:
    line = check_add_transit_line(claim.pk, acting_user=alice, data=trip(mode="air", from_station="羽田空港",
                                                                         to_station="伊丹空港", fare_oneway=25000))
    assert ClaimLine.objects.get(pk=line.pk).category.code == "AIR"
    assert line.transit.special_case_note == ""


def test_r3_3_one_purchase_over_30000_is_not_book_only(alice, claim, stations) -> None:
    """Four shinkansen tickets bought together (¥13,000 each) are one ¥52,000 purchase."""
    for _ in range(4):
        check_add_transit_line(claim.pk, acting_user=alice, data=trip(
            mode="shinkansen", fare_kind="ticket", fare_oneway=8000, charges_oneway=5000, purchase_ref="P1",
            from_station="東京", to_station="新大阪"))
    details = TransitDetail.objects.filter(line__claim=claim)
    assert {d.special_case_note for d in details} == {""}
    assert {d.line.no_receipt_reason for d in details} == {""}


def test_ic_round_trip_is_two_transactions(alice, claim) -> None:
    """An IC round trip of ¥16,000 each way stays under ¥30,000 per ride (R3.3, R12.5)."""
    line = check_add_transit_line(claim.pk, acting_user=alice, data=trip(
        fare_oneway=16000, round_trip=True, fare_kind="ic", from_station="東京", to_station="仙台"))
    assert line.transit.special_case_note == "3万円未満の鉄道料金"
    assert ClaimLine.objects.get(pk=line.pk).no_receipt_reason.startswith("帳簿のみ保存")


def test_full_pass_deduction_refuses_a_zero_line(alice, claim, alice_pass) -> None:
    with pytest.raises(ApplicationError) as exc:
        check_add_transit_line(claim.pk, acting_user=alice, data=trip(from_station="品川", to_station="浜松町",
                                                                      fare_oneway=168))
    assert "定期区間控除" in exc.value.message
    assert not ClaimLine.objects.filter(claim=claim).exists()


def test_full_pass_deduction_keeps_the_charges(alice, claim, alice_pass) -> None:
    line = check_add_transit_line(claim.pk, acting_user=alice, data=trip(
        from_station="品川", to_station="浜松町", fare_oneway=168, charges_oneway=300))
    detail = TransitDetail.objects.get(line=line)
    assert line.amount == 300
    assert (detail.pass_deduction, detail.pass_deducted_amount, detail.claimed_fare_oneway) == ("full", 168, 0)


def test_partial_overlap_needs_the_deducted_fare(alice, claim, alice_pass) -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_add_transit_line(claim.pk, acting_user=alice, data=trip(from_station="品川", to_station="横浜",
                                                                      fare_oneway=308))
    assert "deducted_fare_oneway" in exc.value.extra["fields"]
    line = check_add_transit_line(claim.pk, acting_user=alice, data=trip(
        from_station="品川", to_station="横浜", fare_oneway=308, deducted_fare_oneway=308 - 0, round_trip=True))
    assert line.transit.pass_deduction == PassDeductionKind.PARTIAL
    line2 = check_add_transit_line(claim.pk, acting_user=alice, data=trip(
        from_station="浜松町", to_station="横浜", fare_oneway=400, deducted_fare_oneway=308))
    assert (line2.amount, line2.transit.pass_deducted_amount) == (308, 92)
    warnings = transit_warnings_for_lines([line2])
    assert "控除額 ¥92" in warnings[line2.pk][0]


def test_approver_sees_pass_overlap_and_unknown_station(alice, claim, alice_pass, stations) -> None:
    line = check_add_transit_line(claim.pk, acting_user=alice, data=trip(from_station="新橋", to_station="大崎",
                                                                         via="品川", fare_oneway=200,
                                                                         deducted_fare_oneway=170))
    odd = check_add_transit_line(claim.pk, acting_user=alice, data=trip(from_station="新宿", to_station="ほげ駅",
                                                                        fare_oneway=200))
    warnings = transit_warnings_for_lines(ClaimLine.objects.filter(claim=claim))
    assert any("定期区間" in w for w in warnings[line.pk])
    assert warnings[odd.pk] == ["駅マスタにない駅名: ほげ駅"]
    assert odd.transit.to_unknown and not odd.transit.from_unknown


def test_warnings_query_count_is_constant(alice, claim, alice_pass, django_assert_max_num_queries) -> None:
    for n in range(5):
        check_add_transit_line(claim.pk, acting_user=alice, data=trip(to_station="渋谷", fare_oneway=200 + n))
        check_add_transit_line(claim.pk, acting_user=alice, data=trip(to_station="品川", fare_oneway=200 + n,
                                                                      deducted_fare_oneway=150))
    lines = list(ClaimLine.objects.filter(claim=claim))
    with django_assert_max_num_queries(2):
        transit_warnings_for_lines(lines)


@pytest.mark.parametrize(("kwargs", "field", "text"), [
    ({"fare_oneway": 100_001}, "fare_oneway", "上限"),
    ({"mode": "bus", "fare_oneway": 60_000}, "fare_oneway", "上限"),
    ({"fare_oneway": None}, "fare_oneway", "運賃"),
    ({"from_station": " "}, "from_station", "出発駅"),
    ({"to_station": ""}, "to_station", "到着駅"),
    ({"mode": "rocket"}, "mode", "交通手段"),
])
def test_bad_input_is_refused_with_a_field_message(alice, claim, kwargs, field, text) -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_add_transit_line(claim.pk, acting_user=alice, data=trip(**kwargs))
    assert text in exc.value.extra["fields"][field]


def test_dates_outside_the_claim_period_are_refused(alice, claim, settings) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as exc:
        check_add_transit_line(claim.pk, acting_user=alice, data=trip(day=today + datetime.timedelta(days=1)))
    assert exc.value.extra["fields"]["expense_date"] == "未来の日付は入力できません。"
    settings.SEISAN_TRANSIT_MAX_AGE_DAYS = 30
    with pytest.raises(ValidationFailed) as exc:
        check_add_transit_line(claim.pk, acting_user=alice, data=trip(day=today - datetime.timedelta(days=31)))
    assert "30日以内" in exc.value.extra["fields"]["expense_date"]
    assert check_add_transit_line(claim.pk, acting_user=alice, data=trip(day=today - datetime.timedelta(days=30)))


def test_unknown_stations_are_allowed_but_flagged(alice, claim, stations) -> None:
    line = check_add_transit_line(claim.pk, acting_user=alice, data=trip(to_station="存在しない駅"))
    assert line.transit.to_unknown and not line.transit.from_unknown


def test_other_users_claim_is_not_found(dave, claim, transit_data) -> None:
    with pytest.raises(NotFoundOrForbidden):
        check_add_transit_line(claim.pk, acting_user=dave, data=trip())


def test_submitted_claim_is_not_editable(alice, claim) -> None:
    check_add_transit_line(claim.pk, acting_user=alice, data=trip())
    check_submit_claim(claim.pk, acting_user=alice)
    with pytest.raises(ApplicationError, match="提出済み"):
        check_add_transit_line(claim.pk, acting_user=alice, data=trip())


def test_route_master_then_history_suggest_the_fare(alice, claim, routes) -> None:
    found = suggest_fares(alice, "品川", "新宿", fare_kind="ic")
    assert [(s.source, s.fare_oneway) for s in found] == [("route_master", 208)]
    check_add_transit_line(claim.pk, acting_user=alice, data=trip(from_station="新宿", to_station="品川",
                                                                  fare_oneway=220))
    found = suggest_fares(alice, "新宿", "品川", fare_kind="ic")
    assert [(s.source, s.fare_oneway) for s in found] == [("route_master", 208), ("history", 220)]
    assert suggest_fares(alice, "新宿", "品川", fare_kind="ticket")[0].fare_oneway == 210


def test_favourite_is_saved_and_reused_in_one_click(alice, claim) -> None:
    check_add_transit_line(claim.pk, acting_user=alice, data=trip(round_trip=True, destination="A社",
                                                                  save_favourite_as="A社定例"))
    favourite = FavouriteRoute.objects.get(user=alice)
    line = check_use_favourite(claim.pk, favourite.pk, acting_user=alice, on_date=None)
    assert (line.amount, line.transit.destination, line.expense_date) == (416, "A社", timezone.localdate())


def test_favourite_of_another_user_is_not_found(alice, dave, claim) -> None:
    favourite = FavouriteRoute.objects.create(user=dave, name="x", from_station="a", to_station="b", fare_oneway=1)
    with pytest.raises(NotFoundOrForbidden):
        check_use_favourite(claim.pk, favourite.pk, acting_user=alice, on_date=None)


def test_repeat_last_months_trips(alice, claim, settings) -> None:
    today = timezone.localdate()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    src = check_add_transit_line(claim.pk, acting_user=alice, data=trip(day=last_month, destination="A社"))
    lines = check_repeat_trips(claim.pk, acting_user=alice, line_ids=[src.transit.pk])
    assert lines[0].expense_date == last_month.replace(month=today.month, year=today.year)
    assert Claim.objects.get(pk=claim.pk).line_count == 2
