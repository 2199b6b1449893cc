import re

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from approvals.transitions import ClaimStatus
from expenses.models import Claim
from expenses.services.claims import check_create_claim
from tests.conftest import claim_input, line

pytestmark = pytest.mark.django_db


def _payload(categories, today, **extra) -> dict:
    return {
        "title": "API申請",
        "lines": [
            {"expense_date": today.isoformat(), "category": categories["TRANSIT"].pk, "amount": 1320},
            {"expense_date": today.isoformat(), "category": categories["BOOKS"].pk, "amount": 864,
             "tax_category": "reduced", "no_receipt_reason": "電子書籍（領収書メールなし）"},
        ],
        **extra,
    }


def test_it_requires_authentication() -> None:
    response = APIClient().get(reverse("api-claim-list"))
    assert response.status_code in (401, 403)
    assert "message" in response.json()


def test_token_auth_works(alice, categories) -> None:
    token = Token.objects.create(user=alice)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(reverse("api-claim-list")).status_code == 200


def test_create_read_submit(alice_api, categories, today) -> None:
    response = alice_api.post(reverse("api-claim-list"), _payload(categories, today), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["total_amount"], body["tax_10_amount"], body["tax_8_amount"]) == (2184, 120, 64)
    assert [line["tax_rate"] for line in body["lines"]] == [10, 8]
    detail = alice_api.get(reverse("api-claim-detail", args=[body["id"]])).json()
    assert detail["number"] == body["number"]
    submitted = alice_api.post(reverse("api-claim-submit", args=[body["id"]]), {"version": detail["version"]},
                               format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == ClaimStatus.SUBMITTED
    again = alice_api.post(reverse("api-claim-submit", args=[body["id"]]), {}, format="json")
    assert again.status_code == 400 and "すでに提出" in again.json()["message"]


def test_validation_errors_name_the_field(alice_api, categories, today) -> None:
    payload = _payload(categories, today)
    payload["lines"][1]["registration_number"] = "T0000"
    payload["lines"][0]["amount"] = -5
    response = alice_api.post(reverse("api-claim-list"), payload, format="json")
    assert response.status_code == 400
    fields = response.json()["extra"]["fields"]
    assert "1円以上" in fields["lines.0.amount"]
    assert "13桁" in fields["lines.1.registration_number"]
    assert not Claim.objects.exists()


def test_malformed_input_gets_the_same_error_shape(alice_api) -> None:
    response = alice_api.post(reverse("api-claim-list"), {"title": "x", "lines": [{"amount": "abc"}]}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["message"] and "lines.0.amount" in body["extra"]["fields"]


def test_update_with_stale_version_is_a_conflict(alice_api, alice, categories, today) -> None:
    claim = check_create_claim(acting_user=alice, data=claim_input(lines=[line(categories, "TRANSIT", 100)]))
    url = reverse("api-claim-detail", args=[claim.pk])
    assert alice_api.patch(url, {"title": "新しい件名", "version": 1}, format="json").status_code == 200
    stale = alice_api.patch(url, {"title": "古い画面から", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["extra"]["current_version"] == 2
    claim.refresh_from_db()
    assert claim.title == "新しい件名" and claim.total_amount == 100


def test_another_employees_claim_is_404(alice, dave, categories) -> None:
    claim = check_create_claim(acting_user=alice, data=claim_input(lines=[line(categories, "TRANSIT", 100)]))
    api = APIClient()
    api.force_authenticate(dave)
    assert api.get(reverse("api-claim-detail", args=[claim.pk])).status_code == 404
    assert api.patch(reverse("api-claim-detail", args=[claim.pk]), {"title": "x"}, format="json").status_code == 404
    assert api.post(reverse("api-claim-submit", args=[claim.pk]), {}, format="json").status_code == 404
    assert api.get(reverse("api-claim-list")).json()["count"] == 0


def test_wrong_method_is_405(alice_api) -> None:
    assert alice_api.delete(reverse("api-claim-list")).status_code == 405


def test_list_query_count_is_constant(alice_api, alice, categories, django_assert_max_num_queries) -> None:
    for _ in range(30):
        check_create_claim(acting_user=alice, data=claim_input(lines=[line(categories, "TRANSIT", 100)] * 4))
    with django_assert_max_num_queries(4):
        response = alice_api.get(reverse("api-claim-list"))
    assert response.json()["count"] == 30 and len(response.json()["results"]) == 25


def test_detail_query_count_does_not_grow_with_lines(alice_api, alice, categories, django_assert_max_num_queries):
    claim = check_create_claim(acting_user=alice, data=claim_input(lines=[line(categories, "TRANSIT", 100)] * 40))
    with django_assert_max_num_queries(4):
        assert len(alice_api.get(reverse("api-claim-detail", args=[claim.pk])).json()["lines"]) == 40


def test_schema_and_docs_are_served(alice_client) -> None:
    schema = alice_client.get(reverse("api-schema"))
    assert schema.status_code == 200 and b"/api/v1/claims/" in schema.content
    docs = alice_client.get(reverse("api-docs"))
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
    # Every asset is served by this site (no CDN on an intranet). Not a search for "cdn" in the page:
    # its random CSRF token holds those letters now and then (in 2 pages of 300 in one probe).
    assets = re.findall(rb'(?:src|href)="([^"]+)"', docs.content)
    assert assets and all(asset.startswith(b"/static/") for asset in assets)
    assert re.findall(rb"(?:https?:)?//[^\s\"'<>]+", docs.content) == []
