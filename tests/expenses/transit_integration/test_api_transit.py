"""Transit API: owner / non-owner, error shape, duplicate import, query budgets."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from expenses.services.transit import check_add_transit_line
from expenses.transit.providers import FareProviderUnavailable

from .conftest import sample_card, trip

pytestmark = pytest.mark.django_db


@pytest.fixture
def dave_api(dave) -> APIClient:
    api = APIClient()
    api.force_authenticate(dave)
    return api


def _body(**kwargs) -> dict:
    body = {"expense_date": timezone.localdate().isoformat(), "from_station": "新宿", "to_station": "渋谷",
            "fare_oneway": 178, "round_trip": True}
    body.update(kwargs)
    return body


def test_create_and_list_transit_lines(alice_api, claim, stations) -> None:
    response = alice_api.post(f"/api/v1/claims/{claim.pk}/transit-lines/", _body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["amount"], data["round_trip"], data["special_case_note"]) == (356, True, "3万円未満の鉄道料金")
    listed = alice_api.get(f"/api/v1/claims/{claim.pk}/transit-lines/").json()["results"]
    assert [row["amount"] for row in listed] == [356] and listed[0]["warnings"] == []


def test_other_users_get_404(dave_api, claim) -> None:
    assert dave_api.post(f"/api/v1/claims/{claim.pk}/transit-lines/", _body(), format="json").status_code == 404
    assert dave_api.get(f"/api/v1/claims/{claim.pk}/transit-lines/").status_code == 404
    upload = SimpleUploadedFile("card.csv", sample_card(timezone.localdate()))
    assert dave_api.post(f"/api/v1/claims/{claim.pk}/ic-import/preview/", {"file": upload}).status_code == 404
    assert dave_api.post(f"/api/v1/claims/{claim.pk}/business-trips/", {}, format="json").status_code == 404


def test_pass_of_other_user_is_404(dave_api, alice_pass) -> None:
    assert dave_api.delete(f"/api/v1/transit/passes/{alice_pass.pk}/").status_code == 404


def test_validation_errors_have_the_project_shape(alice_api, claim) -> None:
    response = alice_api.post(f"/api/v1/claims/{claim.pk}/transit-lines/", _body(fare_oneway=150_000), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "入力内容を確認してください。"
    assert "上限" in body["extra"]["fields"]["fare_oneway"]
    response = alice_api.post(f"/api/v1/claims/{claim.pk}/transit-lines/", {"from_station": "x"}, format="json")
    assert response.status_code == 400 and "fare_oneway" in response.json()["extra"]["fields"]


def test_wrong_method_is_405(alice_api, claim) -> None:
    assert alice_api.delete(f"/api/v1/claims/{claim.pk}/transit-lines/").status_code == 405


def test_ic_import_preview_import_and_duplicate_refused(alice_api, claim) -> None:
    data = sample_card(timezone.localdate())
    preview = alice_api.post(f"/api/v1/claims/{claim.pk}/ic-import/preview/",
                             {"file": SimpleUploadedFile("card.csv", data)})
    assert preview.status_code == 200
    trips = preview.json()["trips"]
    assert [(t["line"], t["fare"], t["selectable"]) for t in trips] == [(3, 208, True), (5, 168, True),
                                                                       (7, 317, True)]
    url = f"/api/v1/claims/{claim.pk}/ic-import/"
    first = alice_api.post(url, {"file": SimpleUploadedFile("card.csv", data), "selected": [3, 7]})
    assert first.status_code == 201, first.json()
    assert [row["amount"] for row in first.json()["results"]] == [208, 317]
    again = alice_api.post(url, {"file": SimpleUploadedFile("card.csv", data), "selected": [3]})
    assert again.status_code == 400
    assert "取り込み済み" in again.json()["message"]
    assert "selected.3" in again.json()["extra"]["fields"]


def test_ic_import_wrong_encoding_is_400_with_message(alice_api, claim) -> None:
    data = sample_card(timezone.localdate()).decode("cp932").encode("utf-16")
    response = alice_api.post(f"/api/v1/claims/{claim.pk}/ic-import/preview/",
                              {"file": SimpleUploadedFile("card.csv", data)})
    assert response.status_code == 400
    assert response.json()["message"]


def test_fare_lookup_and_stations(alice_api, routes, stations, alice_pass) -> None:
    data = alice_api.get("/api/v1/transit/fare/", {"from": "新宿", "to": "品川", "fare_kind": "ticket"}).json()
    assert data["suggestions"][0]["fare_oneway"] == 210 and data["provider"] == "null"
    assert data["deduction"] == "partial"
    full = alice_api.get("/api/v1/transit/fare/", {"from": "品川", "to": "浜松町", "fare": "168"}).json()
    assert (full["deduction"], full["amount"], full["gross_amount"]) == ("full", 0, 168)
    assert alice_api.get("/api/v1/transit/stations/", {"q": "新"}).json()["results"][:2] == ["新宿", "新橋"]


def test_provider_unavailable_gives_a_message(alice_api, routes, settings, monkeypatch) -> None:
    settings.SEISAN_FARE_PROVIDER = "ekispert"
    settings.SEISAN_EKISPERT_API_KEY = "k"

    def fail(self, *args, **kwargs):
        raise FareProviderUnavailable("駅すぱあとが 5 秒以内に応答しませんでした。", code="timeout")

    monkeypatch.setattr("expenses.transit.providers.EkispertProvider.search", fail)
    data = alice_api.get("/api/v1/transit/fare/", {"from": "新宿", "to": "品川"}).json()
    assert "応答しませんでした" in data["provider_error"]
    assert data["suggestions"][0]["source"] == "route_master"  # the master still helps


def test_passes_crud(alice_api) -> None:
    today = timezone.localdate()
    body = {"from_station": "品川", "to_station": "浜松町", "stations": ["田町"], "valid_from": today.isoformat(),
            "valid_until": (today + datetime.timedelta(days=90)).isoformat()}
    created = alice_api.post("/api/v1/transit/passes/", body, format="json")
    assert created.status_code == 201
    bad = alice_api.post("/api/v1/transit/passes/", {**body, "valid_until": "2000-01-01"}, format="json")
    assert bad.status_code == 400 and "valid_until" in bad.json()["extra"]["fields"]
    assert len(alice_api.get("/api/v1/transit/passes/").json()["results"]) == 1
    assert alice_api.delete(f"/api/v1/transit/passes/{created.json()['id']}/").status_code == 204


def test_business_trip_api(alice_api, claim) -> None:
    today = timezone.localdate()
    response = alice_api.post(f"/api/v1/claims/{claim.pk}/business-trips/", {
        "destination": "大阪", "start_date": (today - datetime.timedelta(days=1)).isoformat(),
        "end_date": today.isoformat(), "nights": 1}, format="json")
    assert response.status_code == 201
    assert (response.json()["per_diem_amount"], response.json()["lodging_amount"]) == (6000, 10000)


def test_favourite_use_api(alice_api, alice, claim) -> None:
    check_add_transit_line(claim.pk, acting_user=alice, data=trip(to_station="渋谷", save_favourite_as="定例"))
    favourites = alice_api.get("/api/v1/transit/favourites/").json()["results"]
    response = alice_api.post(f"/api/v1/claims/{claim.pk}/favourites/{favourites[0]['id']}/use/", {}, format="json")
    assert response.status_code == 201 and response.json()["amount"] == 208


@pytest.mark.parametrize("n", [1, 8])
def test_list_query_budget(alice_api, alice, claim, n, django_assert_max_num_queries) -> None:
    for i in range(n):
        check_add_transit_line(claim.pk, acting_user=alice, data=trip(to_station="渋谷", fare_oneway=100 + i))
    with django_assert_max_num_queries(6):
        response = alice_api.get(f"/api/v1/claims/{claim.pk}/transit-lines/")
    assert len(response.json()["results"]) == n


def test_double_submit_adds_one_line(alice_api, claim) -> None:
    url = f"/api/v1/claims/{claim.pk}/transit-lines/"
    first = alice_api.post(url, _body(version=claim.version), format="json")
    second = alice_api.post(url, _body(version=claim.version), format="json")
    assert (first.status_code, second.status_code) == (201, 409)
    assert second.json()["extra"]["current_version"] == claim.version + 1
    assert len(alice_api.get(url).json()["results"]) == 1


def test_route_search_evidence_is_stored(alice_api, claim) -> None:
    response = alice_api.post(f"/api/v1/claims/{claim.pk}/transit-lines/", _body(
        fare_source="provider", provider="ekispert", engine_version="1.27.0.0", serialize_data="VkV4QR..."),
        format="json")
    assert response.status_code == 201
    from expenses.transit_models import TransitDetail

    detail = TransitDetail.objects.get(pk=response.json()["id"])
    assert (detail.fare_source, detail.provider, detail.serialize_data) == ("provider", "ekispert", "VkV4QR...")


def test_favourite_delete_is_owner_only(alice_api, dave_api, alice, claim) -> None:
    check_add_transit_line(claim.pk, acting_user=alice, data=trip(to_station="渋谷", save_favourite_as="定例"))
    favourite_id = alice_api.get("/api/v1/transit/favourites/").json()["results"][0]["id"]
    assert dave_api.delete(f"/api/v1/transit/favourites/{favourite_id}/").status_code == 404
    assert alice_api.delete(f"/api/v1/transit/favourites/{favourite_id}/").status_code == 204


def test_repeat_api(alice_api, alice, claim) -> None:
    today = timezone.localdate()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    src = check_add_transit_line(claim.pk, acting_user=alice, data=trip(day=last_month, to_station="渋谷"))
    response = alice_api.post(f"/api/v1/claims/{claim.pk}/transit-lines/repeat/", {"transit_ids": [src.transit.pk]},
                              format="json")
    assert response.status_code == 201
    assert response.json()["results"][0]["expense_date"] == last_month.replace(year=today.year,
                                                                               month=today.month).isoformat()
    bad = alice_api.post(f"/api/v1/claims/{claim.pk}/transit-lines/repeat/", {"transit_ids": []}, format="json")
    assert bad.status_code == 400
