"""Approver pages: queue (constant queries, filters, sorting), review page, actions, permissions."""

import pytest
from django.test import Client

from approvals.models import ApprovalStep, StepStatus
from approvals.transitions import ClaimStatus
from expenses.models import Claim
from tests.approvals.conftest import pending_step, submit_claim

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("n", [5, 30])
def test_queue_page_query_count_is_constant(all_people, categories, django_assert_max_num_queries, n) -> None:
    for i in range(n):
        submit_claim(all_people["alice"], categories, 1_000 + i)
    bob = client_for(all_people["bob"])
    bob.get("/approvals/")  # warm the session
    with django_assert_max_num_queries(12):
        response = bob.get("/approvals/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("data-step-check>") == min(n, 25)
    assert f"承認待ち (<span data-pending-count>{n}</span>)" in body


def test_queue_filters_and_sorting(all_people, categories) -> None:
    p = all_people
    small = submit_claim(p["alice"], categories, 1_000, title="少額の申請")
    big = submit_claim(p["alice"], categories, 9_000, title="高額の申請")
    bob = client_for(p["bob"])
    body = bob.get("/approvals/?sort=-amount").content.decode()
    assert body.index(big.number) < body.index(small.number)
    body = bob.get("/approvals/?sort=amount").content.decode()
    assert body.index(small.number) < body.index(big.number)
    body = bob.get("/approvals/?q=高額").content.decode()
    assert big.number in body and small.number not in body
    body = bob.get("/approvals/?warning=warn_duplicate").content.decode()
    assert "承認待ちの申請はありません" in body
    assert "領収書なし" in bob.get("/approvals/?warning=warn_missing_receipt").content.decode()


def test_employees_see_no_queue_link(all_people) -> None:
    body = client_for(all_people["alice"]).get("/claims/").content.decode()
    assert "承認待ち (" not in body
    carol = client_for(all_people["carol"]).get("/claims/").content.decode()
    assert "経理確認" in carol


def test_review_page_shows_lines_receipts_and_actions(all_people, categories) -> None:
    claim = submit_claim(all_people["alice"], categories, 60_000)
    response = client_for(all_people["bob"]).get(f"/approvals/claims/{claim.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "¥60,000" in body and "data-receipts" in body and "承認する" in body
    assert "上長承認" in body and "部門長承認" in body


def test_review_page_is_404_for_others(all_people, categories, dave) -> None:
    claim = submit_claim(all_people["alice"], categories, 3_000)
    for user in (dave, all_people["erin"], all_people["alice"]):
        assert client_for(user).get(f"/approvals/claims/{claim.pk}/").status_code == 404
    step = pending_step(claim)
    assert client_for(dave).post(f"/approvals/steps/{step.pk}/approve/").status_code == 404
    assert client_for(all_people["alice"]).post(f"/approvals/steps/{step.pk}/approve/").status_code == 404
    assert client_for(dave).post(f"/approvals/claims/{claim.pk}/withdraw/").status_code == 404


def test_approve_and_double_click_from_the_page(all_people, categories) -> None:
    claim = submit_claim(all_people["alice"], categories, 3_000)
    step = pending_step(claim)
    bob = client_for(all_people["bob"])
    first = bob.post(f"/approvals/steps/{step.pk}/approve/", {"comment": "OK", "claim_id": claim.pk}, follow=True)
    assert "を承認しました" in first.content.decode()
    second = bob.post(f"/approvals/steps/{step.pk}/approve/", {"claim_id": claim.pk}, follow=True)
    assert "すでに処理されています" in second.content.decode()
    assert ApprovalStep.objects.get(pk=step.pk).status == StepStatus.APPROVED


def test_return_needs_a_comment_on_the_page(all_people, categories) -> None:
    claim = submit_claim(all_people["alice"], categories, 3_000)
    step = pending_step(claim)
    bob = client_for(all_people["bob"])
    response = bob.post(f"/approvals/steps/{step.pk}/return/", {"comment": "", "claim_id": claim.pk}, follow=True)
    assert "コメントを入力してください" in response.content.decode()
    bob.post(f"/approvals/steps/{step.pk}/return/", {"comment": "修正を", "claim_id": claim.pk})
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.RETURNED


def test_bulk_approve_from_the_queue(all_people, categories) -> None:
    claims = [submit_claim(all_people["alice"], categories, 1_000 + i) for i in range(3)]
    ids = [pending_step(c).pk for c in claims]
    response = client_for(all_people["bob"]).post("/approvals/bulk-approve/", {"step": ids}, follow=True)
    assert "3件を承認しました" in response.content.decode()


def test_applicant_sees_route_corrections_and_can_withdraw(all_people, categories) -> None:
    from approvals.services import check_correct_line
    from expenses.models import ClaimLine

    claim = submit_claim(all_people["alice"], categories, 3_000)
    step = pending_step(claim)
    check_correct_line(step.pk, ClaimLine.objects.get(claim=claim).pk, acting_user=all_people["bob"],
                       comment="上限超過", approved_amount=2_000)
    alice = client_for(all_people["alice"])
    body = alice.get(f"/claims/{claim.pk}/").content.decode()
    assert "承認ルート" in body and "上長承認" in body and "佐藤 花子" in body
    assert "承認者による修正" in body and "¥3,000" in body and "¥2,000" in body and "上限超過" in body
    assert "申請を取り下げる" in body
    response = alice.post(f"/approvals/claims/{claim.pk}/withdraw/", follow=True)
    assert "を取り下げました" in response.content.decode()


def test_delegation_page(all_people, categories) -> None:
    bob = client_for(all_people["bob"])
    assert bob.get("/approvals/delegations/").status_code == 200
    bad = bob.post("/approvals/delegations/", {"delegate": all_people["erin"].pk, "valid_from": "2026-11-30",
                                               "valid_to": "2026-11-01"})
    assert bad.status_code == 400 and "終了日は開始日以降" in bad.content.decode()
    ok = bob.post("/approvals/delegations/", {"delegate": all_people["erin"].pk, "valid_from": "2026-11-01",
                                              "valid_to": "2099-11-30"}, follow=True)
    assert "代理承認者を設定しました" in ok.content.decode()
    claim = submit_claim(all_people["alice"], categories, 3_000)
    erin_body = client_for(all_people["erin"]).get("/approvals/").content.decode()
    assert claim.number in erin_body and "佐藤 花子 の代理" in erin_body


def test_attached_receipt_shows_beside_its_line_and_clears_the_warning(all_people, categories) -> None:
    from expenses.models import ClaimLine
    from expenses.receipt_models import Receipt

    p = all_people
    with_receipt = submit_claim(p["alice"], categories, 4_000, title="領収書あり")
    without = submit_claim(p["alice"], categories, 4_000, title="領収書なし")
    line = ClaimLine.objects.get(claim=with_receipt)
    Receipt.objects.create(claim=with_receipt, line=line, uploaded_by=p["alice"], original="r/1.jpg",
                           original_name="receipt-0001.jpg", mime="image/jpeg", size_bytes=1, width=1, height=1,
                           sha256="0" * 64)
    bob = client_for(p["bob"])
    body = bob.get("/approvals/?warning=warn_missing_receipt").content.decode()
    assert without.number in body and with_receipt.number not in body
    review = bob.get(f"/approvals/claims/{with_receipt.pk}/").content.decode()
    assert "receipt-0001.jpg" in review and "/original/" in review


def test_admin_shows_policies_and_reminder_state(all_people, categories) -> None:
    from approvals.models import ApprovalPolicy
    from people.models import User

    submit_claim(all_people["alice"], categories, 3_000)
    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    client = client_for(admin)
    steps = client.get("/admin/approvals/approvalstep/")
    assert steps.status_code == 200 and "督促回数" in steps.content.decode()
    policy = ApprovalPolicy.objects.get()
    page = client.get(f"/admin/approvals/approvalpolicy/{policy.pk}/change/")
    assert page.status_code == 200 and "部門長承認" in page.content.decode()
    assert client.get("/admin/approvals/delegation/").status_code == 200
    assert client.get("/admin/approvals/linecorrection/").status_code == 200
