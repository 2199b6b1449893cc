"""Transit pages: permission checks, form errors, IC import round trip, detail rendering."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from expenses.models import ClaimLine
from expenses.services.transit import check_add_transit_line

from .conftest import sample_card, trip

pytestmark = pytest.mark.django_db


def test_pages_are_404_for_other_users(client, dave, claim) -> None:
    client.force_login(dave)
    for suffix in ("transit/", "transit/ic/", "transit/trip/"):
        assert client.get(f"/claims/{claim.pk}/{suffix}").status_code == 404


def test_add_round_trip_from_the_form(alice_client, claim, stations) -> None:
    response = alice_client.post(f"/claims/{claim.pk}/transit/", {
        "expense_date": timezone.localdate().isoformat(), "mode": "train", "from_station": "新宿",
        "to_station": "渋谷", "round_trip": "1", "fare_kind": "ic", "fare_oneway": "¥178", "destination": "A社"})
    assert response.status_code == 302
    line = ClaimLine.objects.get(claim=claim)
    assert line.amount == 356 and line.transit.round_trip
    page = alice_client.get(f"/claims/{claim.pk}/").content.decode()
    assert "新宿 ⇄ 渋谷" in page and "往復" in page and "帳簿のみ保存" in page and "¥356" in page


def test_form_errors_keep_the_input(alice_client, claim) -> None:
    response = alice_client.post(f"/claims/{claim.pk}/transit/", {
        "expense_date": timezone.localdate().isoformat(), "mode": "train", "from_station": "新宿",
        "to_station": "渋谷", "round_trip": "0", "fare_kind": "ic", "fare_oneway": "250000"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "上限" in body and 'value="新宿"' in body


def test_ic_import_flow(alice_client, claim) -> None:
    upload = SimpleUploadedFile("card.csv", sample_card(timezone.localdate()), content_type="text/csv")
    preview = alice_client.post(f"/claims/{claim.pk}/transit/ic/", {"file": upload})
    assert preview.status_code == 200
    rows = preview.context["rows"]
    assert [r.trip.fare for r in rows] == [208, 168, 317]
    response = alice_client.post(f"/claims/{claim.pk}/transit/ic/", {
        "kind": preview.context["kind"], "payload": preview.context["payload"], "selected": ["3", "7"],
        "import": "1", "destination": "A社"})
    assert response.status_code == 302
    assert ClaimLine.objects.filter(claim=claim).count() == 2
    again = alice_client.post(f"/claims/{claim.pk}/transit/ic/", {
        "kind": preview.context["kind"], "payload": preview.context["payload"], "selected": ["3"], "import": "1"})
    assert again.status_code == 400 and "取り込み済み" in again.content.decode()


def test_broken_ic_file_shows_the_line(alice_client, claim) -> None:
    data = "カードID=1,,,\r\n利用年月日,定期,鉄道会社名,入場駅/事業者名\r\n".encode("cp932")
    response = alice_client.post(f"/claims/{claim.pk}/transit/ic/", {"file": SimpleUploadedFile("c.csv", data)})
    assert response.status_code == 400 and "2 行目" in response.content.decode()


def test_business_trip_page(alice_client, claim) -> None:
    today = timezone.localdate().isoformat()
    form = {"destination": "大阪", "start_date": today, "end_date": today, "nights": "0", "region": "domestic"}
    preview = alice_client.post(f"/claims/{claim.pk}/transit/trip/", form)
    assert preview.status_code == 200 and "¥3,000" in preview.content.decode()
    assert alice_client.post(f"/claims/{claim.pk}/transit/trip/", {**form, "confirm": "1"}).status_code == 302
    assert ClaimLine.objects.get(claim=claim).amount == 3000


def test_passes_page_and_json(alice_client, alice, claim, stations, alice_pass) -> None:
    page = alice_client.get("/claims/transit/passes/")
    assert "品川 〜 浜松町" in page.content.decode()
    assert alice_client.get("/claims/transit/stations/", {"q": "品"}).json()["results"] == ["品川"]
    fare = alice_client.get("/claims/transit/fare/", {"from": "品川", "to": "浜松町", "fare": "168"}).json()
    assert fare["deduction"] == "full"


def test_claim_detail_query_count_does_not_grow(alice_client, alice, claim, django_assert_max_num_queries) -> None:
    for i in range(6):
        check_add_transit_line(claim.pk, acting_user=alice, data=trip(to_station="渋谷", fare_oneway=100 + i))
    with django_assert_max_num_queries(25):
        alice_client.get(f"/claims/{claim.pk}/")


def test_double_submitted_form_adds_one_line(alice_client, claim) -> None:
    form = {"expense_date": timezone.localdate().isoformat(), "mode": "train", "from_station": "新宿",
            "to_station": "渋谷", "round_trip": "0", "fare_kind": "ic", "fare_oneway": "178",
            "version": str(claim.version)}
    assert alice_client.post(f"/claims/{claim.pk}/transit/", form).status_code == 302
    again = alice_client.post(f"/claims/{claim.pk}/transit/", form, follow=True)
    assert "すでに追加済み" in again.content.decode()
    assert ClaimLine.objects.filter(claim=claim).count() == 1


def test_last_months_trips_filtered_by_client(alice_client, alice, claim) -> None:
    import datetime

    today = timezone.localdate()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    check_add_transit_line(claim.pk, acting_user=alice, data=trip(day=last_month, to_station="渋谷", destination="A社"))
    check_add_transit_line(claim.pk, acting_user=alice, data=trip(day=last_month, to_station="新橋", destination="B社"))
    page = alice_client.get(f"/claims/{claim.pk}/transit/", {"destination": "A社"})
    assert [d.destination for d in page.context["recent"]] == ["A社"]
    assert page.context["destinations"] == ["A社", "B社"]
    ids = [str(d.pk) for d in page.context["recent"]]
    assert alice_client.post(f"/claims/{claim.pk}/transit/repeat/", {"detail": ids}).status_code == 302
    assert ClaimLine.objects.filter(claim=claim).count() == 3
