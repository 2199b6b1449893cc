"""Approvals API: queue with a query budget, every action, 404 for others, one error shape, bulk results."""

import pytest
from rest_framework.test import APIClient

from approvals.models import ApprovalStep, StepStatus
from approvals.transitions import ClaimStatus
from expenses.models import ClaimLine
from tests.approvals.conftest import pending_step, submit_claim

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _fill_queue(people, categories, n: int) -> None:
    for i in range(n):
        submit_claim(people["alice"], categories, 1_000 + i, code=("MEETING" if i % 3 == 0 else "SUPPLIES"))


@pytest.mark.parametrize("n", [5, 30])
def test_queue_query_count_is_constant(all_people, categories, django_assert_max_num_queries, n) -> None:
    _fill_queue(all_people, categories, n)
    bob = api_for(all_people["bob"])
    with django_assert_max_num_queries(6):
        response = bob.get("/api/v1/approvals/queue/?page_size=100")
    assert response.status_code == 200
    assert response.data["count"] == n
    first = response.data["results"][0]
    assert first["number"].startswith("EX-") and first["applicant"]["name"] == "山田 太郎"
    assert "missing_receipt" in first["warnings"]


def test_queue_filters_and_sorting(all_people, categories) -> None:
    p = all_people
    small = submit_claim(p["alice"], categories, 1_000, title="少額")
    big = submit_claim(p["alice"], categories, 9_000, title="高額")
    bob = api_for(p["bob"])
    numbers = [r["number"] for r in bob.get("/api/v1/approvals/queue/?sort=-amount").data["results"]]
    assert numbers == [big.number, small.number]
    assert [r["number"] for r in bob.get("/api/v1/approvals/queue/?q=高額").data["results"]] == [big.number]
    assert api_for(p["helen"]).get("/api/v1/approvals/queue/").data["count"] == 0
    assert api_for(p["alice"]).get("/api/v1/approvals/queue/").data["count"] == 0


def test_claim_detail_for_the_approver_and_404_for_others(all_people, categories, dave) -> None:
    claim = submit_claim(all_people["alice"], categories, 60_000)
    response = api_for(all_people["bob"]).get(f"/api/v1/approvals/claims/{claim.pk}/")
    assert response.status_code == 200
    assert [s["name"] for s in response.data["steps"]] == ["上長承認", "部門長承認", "経理確認"]
    assert response.data["lines"][0]["amount"] == 60_000
    for outsider in (dave, all_people["erin"], all_people["alice"]):
        response = api_for(outsider).get(f"/api/v1/approvals/claims/{claim.pk}/")
        assert response.status_code == 404
        assert response.data == {"message": "見つかりません。", "extra": {}}
    assert api_for(all_people["carol"]).get(f"/api/v1/approvals/claims/{claim.pk}/").status_code == 200


def test_approve_then_double_submit_gets_409(all_people, categories) -> None:
    claim = submit_claim(all_people["alice"], categories, 3_000)
    step = pending_step(claim)
    bob = api_for(all_people["bob"])
    url = f"/api/v1/approvals/steps/{step.pk}/approve/"
    first = bob.post(url, {"comment": "OK"}, format="json")
    assert first.status_code == 200 and first.data["status"] == "approved"
    second = bob.post(url, {"comment": "OK"}, format="json")
    assert second.status_code == 409
    assert "すでに処理されています" in second.data["message"]
    assert bob.get(url).status_code == 405


def test_approve_by_a_non_approver_is_404(all_people, categories, dave) -> None:
    step = pending_step(submit_claim(all_people["alice"], categories, 3_000))
    for user in (dave, all_people["alice"], all_people["helen"]):
        assert api_for(user).post(f"/api/v1/approvals/steps/{step.pk}/approve/").status_code == 404
    assert ApprovalStep.objects.get(pk=step.pk).status == StepStatus.PENDING


def test_return_without_comment_is_400_with_our_error_shape(all_people, categories) -> None:
    step = pending_step(submit_claim(all_people["alice"], categories, 3_000))
    bob = api_for(all_people["bob"])
    response = bob.post(f"/api/v1/approvals/steps/{step.pk}/return/", {"comment": ""}, format="json")
    assert response.status_code == 400
    assert response.data["message"] == "コメントを入力してください。"
    assert "comment" in response.data["extra"]["fields"]
    bad = bob.post(f"/api/v1/approvals/steps/{step.pk}/return/", {"to_step_id": "x"}, format="json")
    assert bad.status_code == 400 and "to_step_id" in bad.data["extra"]["fields"]
    ok = bob.post(f"/api/v1/approvals/steps/{step.pk}/return/", {"comment": "直してください"}, format="json")
    assert ok.status_code == 200
    assert step.claim.__class__.objects.get(pk=step.claim_id).status == ClaimStatus.RETURNED


def test_reject(all_people, categories) -> None:
    step = pending_step(submit_claim(all_people["alice"], categories, 3_000))
    response = api_for(all_people["bob"]).post(f"/api/v1/approvals/steps/{step.pk}/reject/",
                                                {"comment": "私費"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "rejected"


def test_correct_line(all_people, categories) -> None:
    claim = submit_claim(all_people["alice"], categories, 3_000)
    step = pending_step(claim)
    line = ClaimLine.objects.get(claim=claim)
    bob = api_for(all_people["bob"])
    url = f"/api/v1/approvals/steps/{step.pk}/lines/{line.pk}/correct/"
    too_much = bob.post(url, {"approved_amount": 4_000, "comment": "x"}, format="json")
    assert too_much.status_code == 400 and "approved_amount" in too_much.data["extra"]["fields"]
    ok = bob.post(url, {"approved_amount": 2_500, "comment": "上限超過分を減額"}, format="json")
    assert ok.status_code == 200 and ok.data["amount"] == 3_000
    detail = bob.get(f"/api/v1/approvals/claims/{claim.pk}/").data
    assert detail["corrections"][0]["to_label"] == "¥2,500"
    assert api_for(all_people["erin"]).post(url, {"approved_amount": 1, "comment": "x"}, format="json").status_code == 404


def test_withdraw(all_people, categories) -> None:
    claim = submit_claim(all_people["alice"], categories, 3_000)
    assert api_for(all_people["bob"]).post(f"/api/v1/approvals/claims/{claim.pk}/withdraw/").status_code == 404
    response = api_for(all_people["alice"]).post(f"/api/v1/approvals/claims/{claim.pk}/withdraw/")
    assert response.status_code == 200 and response.data["status"] == "withdrawn"
    again = api_for(all_people["alice"]).post(f"/api/v1/approvals/claims/{claim.pk}/withdraw/")
    assert again.status_code == 400 and again.data["message"]


def test_bulk_approve_returns_a_result_per_claim(all_people, categories, dave) -> None:
    p = all_people
    claims = [submit_claim(p["alice"], categories, 1_000 + i) for i in range(3)]
    ids = [pending_step(c).pk for c in claims]
    bob = api_for(p["bob"])
    response = bob.post("/api/v1/approvals/bulk-approve/", {"step_ids": [*ids, ids[0]], "comment": "一括"},
                        format="json")
    assert response.status_code == 200
    assert [(r["number"], r["ok"]) for r in response.data["results"]] == [(c.number, True) for c in claims]
    again = bob.post("/api/v1/approvals/bulk-approve/", {"step_ids": ids[:1]}, format="json")
    assert again.data["results"][0]["ok"] is False
    empty = bob.post("/api/v1/approvals/bulk-approve/", {"step_ids": []}, format="json")
    assert empty.status_code == 400 and "step_ids" in empty.data["extra"]["fields"]


def test_delegations_api(all_people) -> None:
    bob = api_for(all_people["bob"])
    response = bob.post("/api/v1/approvals/delegations/", {"delegate_id": all_people["erin"].pk,
                                                          "valid_from": "2026-11-23", "valid_to": "2026-11-30"},
                        format="json")
    assert response.status_code == 201 and response.data["delegate"]["name"] == "代理 恵理"
    bad = bob.post("/api/v1/approvals/delegations/", {"delegate_id": all_people["erin"].pk,
                                                     "valid_from": "2026-11-30", "valid_to": "2026-11-23"},
                   format="json")
    assert bad.status_code == 400 and "valid_to" in bad.data["extra"]["fields"]
