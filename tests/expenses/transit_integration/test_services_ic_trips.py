"""IC import and business-trip services."""

import datetime

import pytest
from django.utils import timezone

from core.exceptions import ApplicationError, ValidationFailed
from expenses.models import ClaimLine
from expenses.services.ic_import import check_import_ic_trips, parse_ic_history, preview_ic_import
from expenses.services.trips import TripInput, check_create_business_trip
from expenses.transit.ic_formats import IcImportError
from expenses.transit_models import EmployeeGrade, Grade, ImportedIcTrip, TravelAllowanceRate

from .conftest import sample_card, sfcard_csv

pytestmark = pytest.mark.django_db


def _rows(user, data: bytes):
    today = timezone.localdate()
    return preview_ic_import(user, parse_ic_history(data=data, reference_date=today), today=today)


def test_preview_lists_rides_and_ignores_charges_and_purchases(alice, claim) -> None:
    result = parse_ic_history(data=sample_card(timezone.localdate()), reference_date=timezone.localdate())
    assert [(t.entry_station, t.exit_station, t.fare) for t in result.trips] == [
        ("新宿", "品川", 208), ("品川", "浜松町", 168), ("渋谷", "横浜", 317)]
    assert len(result.ignored) == 2  # 物販 and the auto-charge


def test_import_creates_lines_and_refuses_a_second_import(alice, bob, claim) -> None:
    today = timezone.localdate()
    result = parse_ic_history(data=sample_card(today), reference_date=today)
    lines = check_import_ic_trips(claim.pk, acting_user=alice, result=result, selected=[3, 7], destination="A社")
    assert [line.amount for line in lines] == [208, 317]
    assert all(line.transit.fare_kind == "ic" and line.transit.fare_source == "ic" for line in lines)
    assert lines[0].transit.special_case_note == "3万円未満の鉄道料金"
    assert ImportedIcTrip.objects.count() == 2
    with pytest.raises(ValidationFailed) as exc:
        check_import_ic_trips(claim.pk, acting_user=alice, result=result, selected=[3])
    assert "取り込み済み" in exc.value.message
    rows = {row.line_number: row for row in _rows(bob, sample_card(today))}
    assert rows[3].already_imported and not rows[3].selectable and rows[5].selectable


def test_ic_ride_inside_the_pass_is_deducted(alice, claim, alice_pass) -> None:
    rows = {row.line_number: row for row in _rows(alice, sample_card(timezone.localdate()))}
    assert rows[5].preview.deduction == "full" and not rows[5].selectable
    assert "定期区間控除" in rows[5].problem
    assert rows[3].preview.deduction == "partial"  # 新宿→品川 ends on the pass


def test_old_rows_are_not_selectable(alice, claim) -> None:
    old = timezone.localdate() - datetime.timedelta(days=400)
    rows = _rows(alice, sfcard_csv([(old, "新宿", "品川", 208, 1000, "")]))
    assert not rows[0].selectable and "精算できる期間" in rows[0].problem


@pytest.mark.parametrize(("data", "text"), [
    ("利用年月日,定期\n2026/01/01,".encode(), "Shift_JIS"),
    ("カードID=1,,,\r\n利用年月日,定期,鉄道会社名,入場駅/事業者名\r\n".encode("cp932"), "必要な列"),
    (b"", "CSV"),
])
def test_broken_files_have_clear_messages(data, text) -> None:
    with pytest.raises(IcImportError) as exc:
        parse_ic_history(data=data, reference_date=timezone.localdate())
    assert text in exc.value.message


def test_bad_amount_names_the_line() -> None:
    today = timezone.localdate()
    data = sfcard_csv([(today, "新宿", "品川", "2O8", 1000, "")])
    with pytest.raises(IcImportError) as exc:
        parse_ic_history(data=data, reference_date=today)
    assert exc.value.line_number == 3 and "3 行目" in exc.value.message


def test_duplicated_rows_in_one_file_are_reported(alice) -> None:
    today = timezone.localdate()
    data = sfcard_csv([(today, "新宿", "品川", 208, 1000, ""), (today, "新宿", "品川", 208, 1000, "")])
    result = parse_ic_history(data=data, reference_date=today)
    assert len(result.trips) == 1 and len(result.duplicates) == 1


def test_mobile_suica_paste(alice, claim) -> None:
    today = timezone.localdate()
    text = "月日\t種別\t利用場所\t種別\t利用場所\t残高\t入金・利用額\n" \
           f"{today:%m/%d}\t入\t板橋\t出\t恵比寿\t\\780\t-220\n{today:%m/%d}\t物販\t\t\t\t\\1,000\t-300\n"
    result = parse_ic_history(text=text, reference_date=today)
    lines = check_import_ic_trips(claim.pk, acting_user=alice, result=result, selected=[2])
    assert lines[0].amount == 220 and lines[0].transit.route_label == "板橋→恵比寿"


def test_nothing_selected_is_refused(alice, claim) -> None:
    result = parse_ic_history(data=sample_card(timezone.localdate()), reference_date=timezone.localdate())
    with pytest.raises(ValidationFailed):
        check_import_ic_trips(claim.pk, acting_user=alice, result=result, selected=[])


def test_domestic_trip_per_diem_and_lodging(alice, claim) -> None:
    EmployeeGrade.objects.create(user=alice, grade=Grade.KACHO)
    today = timezone.localdate()
    trip = check_create_business_trip(claim.pk, acting_user=alice, data=TripInput(
        destination="大阪", start_date=today - datetime.timedelta(days=2), end_date=today, nights=2))
    per_diem = ClaimLine.objects.get(pk=trip.per_diem_line_id)
    lodging = ClaimLine.objects.get(pk=trip.lodging_line_id)
    assert (per_diem.amount, lodging.amount) == (12000, 22000)
    assert (per_diem.tax_category, per_diem.tax_rate, per_diem.category.code) == ("standard", 10, "TRAVEL")
    assert per_diem.no_receipt_reason == "帳簿のみ保存（出張旅費等特例）"
    claim.refresh_from_db()
    assert claim.total_amount == 34000


def test_overseas_trip_is_out_of_scope(alice, claim) -> None:
    today = timezone.localdate()
    trip = check_create_business_trip(claim.pk, acting_user=alice, data=TripInput(
        destination="シンガポール", start_date=today - datetime.timedelta(days=1), end_date=today, nights=1,
        region="overseas"))
    line = ClaimLine.objects.get(pk=trip.per_diem_line_id)
    assert (line.amount, line.tax_category, line.tax_amount, line.category.code) == (12000, "out_of_scope", 0,
                                                                                      "TRAVEL_OS")


def test_policy_rows_are_dated(alice, claim) -> None:
    today = timezone.localdate()
    TravelAllowanceRate.objects.create(grade="ippan", region="domestic", kind="per_diem", amount=3500,
                                       valid_from=today - datetime.timedelta(days=1))
    trip = check_create_business_trip(claim.pk, acting_user=alice, data=TripInput(
        destination="名古屋", start_date=today, end_date=today))
    assert trip.per_diem_rate == 3500 and trip.lodging_line_id is None


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"destination": ""}, "destination"),
    ({"nights": 5}, "nights"),
    ({"end_offset": -3}, "end_date"),
    ({"end_offset": 2}, "end_date"),
])
def test_bad_trip_input(alice, claim, kwargs, field) -> None:
    today = timezone.localdate()
    end = today + datetime.timedelta(days=kwargs.pop("end_offset", 0))
    data = TripInput(destination=kwargs.get("destination", "大阪"), start_date=today - datetime.timedelta(days=1),
                     end_date=end, nights=kwargs.get("nights", 1))
    with pytest.raises(ValidationFailed) as exc:
        check_create_business_trip(claim.pk, acting_user=alice, data=data)
    assert field in exc.value.extra["fields"]


def test_trip_on_submitted_claim_is_refused(alice, claim) -> None:
    from expenses.services.claims import check_submit_claim
    from expenses.services.transit import check_add_transit_line

    from .conftest import trip as transit_trip

    check_add_transit_line(claim.pk, acting_user=alice, data=transit_trip(to_station="渋谷"))
    check_submit_claim(claim.pk, acting_user=alice)
    today = timezone.localdate()
    with pytest.raises(ApplicationError):
        check_create_business_trip(claim.pk, acting_user=alice, data=TripInput(
            destination="大阪", start_date=today, end_date=today))


def test_taxi_on_a_domestic_trip_is_book_only(alice, claim) -> None:
    from expenses.services.transit import check_add_transit_line

    from .conftest import trip as transit_trip

    today = timezone.localdate()
    business = check_create_business_trip(claim.pk, acting_user=alice, data=TripInput(
        destination="大阪", start_date=today, end_date=today))
    line = check_add_transit_line(claim.pk, acting_user=alice, data=transit_trip(
        mode="taxi", from_station="新大阪駅", to_station="B社", fare_oneway=2400, business_trip_id=business.pk))
    assert line.transit.special_case_note == "出張旅費等特例"
    assert line.no_receipt_reason == "帳簿のみ保存（出張旅費等特例）"


def test_trip_of_another_claim_is_refused(alice, claim) -> None:
    from expenses.services.claims import check_create_claim
    from expenses.services.transit import check_add_transit_line
    from tests.conftest import claim_input

    from .conftest import trip as transit_trip

    today = timezone.localdate()
    other = check_create_claim(acting_user=alice, data=claim_input("別"))
    business = check_create_business_trip(other.pk, acting_user=alice, data=TripInput(
        destination="大阪", start_date=today, end_date=today))
    with pytest.raises(ValidationFailed) as exc:
        check_add_transit_line(claim.pk, acting_user=alice, data=transit_trip(business_trip_id=business.pk))
    assert "business_trip" in exc.value.extra["fields"]


def test_transit_on_an_overseas_trip_is_out_of_scope(alice, claim) -> None:
    from expenses.services.transit import check_add_transit_line

    from .conftest import trip as transit_trip

    today = timezone.localdate()
    business = check_create_business_trip(claim.pk, acting_user=alice, data=TripInput(
        destination="ソウル", start_date=today, end_date=today, region="overseas"))
    line = check_add_transit_line(claim.pk, acting_user=alice, data=transit_trip(
        from_station="金浦空港", to_station="ソウル駅", fare_oneway=1500, business_trip_id=business.pk))
    line = ClaimLine.objects.get(pk=line.pk)
    assert (line.tax_category, line.tax_amount, line.category.code) == ("out_of_scope", 0, "TRAVEL_OS")
