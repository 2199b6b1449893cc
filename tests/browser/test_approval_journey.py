"""The approval journey in headless Chromium with the demo users.

Demo route for yamada (営業1課): 上長承認 sato → 部門長承認 suzuki → 経理確認 tanaka. sato is both yamada's
manager and head of 営業1課, so the department-head step goes up the chain to suzuki (head of 営業部)
instead of asking sato twice.
"""

import io

import pytest
from django.core.management import call_command

from approvals.models import ApprovalStep
from approvals.transitions import ClaimStatus
from expenses.models import Claim, ExpenseCategory
from people.models import User
from tests.plugins.browser import login, screenshot, start_claim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_from_queue(page, base: str, number: str) -> None:
    page.click("[data-testid=nav-approvals]")
    page.wait_for_url(f"{base}/approvals/")
    page.click(f"text={number}")
    page.wait_for_url("**/approvals/claims/*/")


def _approve(page, comment: str = "") -> None:
    if comment:
        page.fill("form[action$='/approve/'] textarea[name=comment]", comment)
    page.click("[data-action=approve]")
    page.wait_for_selector(".message--success")


def test_submit_approve_return_resubmit_approve_and_accounting_check(page, live_server, default_data) -> None:
    """
    GIVEN the demo company
    WHEN yamada submits ¥55,000, sato approves, suzuki returns it, yamada fixes and resubmits,
         sato and suzuki approve and tanaka does the 経理確認
    THEN every step is recorded, the route is visible to yamada, and the claim ends approved
    """
    call_command("seed_demo", stdout=io.StringIO())
    base = live_server.url
    login(page, base, "yamada")
    start_claim(page, "展示会用 備品購入", day="2026-11-19", category="消耗品費", amount="55000")
    page.fill("[name=lines-0-vendor]", "オフィス用品のサクラ")
    page.fill("[name=lines-0-description]", "展示会ブース用パネル")
    page.fill("[name=lines-0-no_receipt_reason]", "後日郵送される")
    page.click("button[name=submit]")
    page.wait_for_url("**/claims/*/")
    claim = Claim.objects.get(title="展示会用 備品購入")
    route = page.locator("[data-testid=approval-route]")
    assert "上長承認" in route.text_content() and "部門長承認" in route.text_content()
    assert "鈴木 一郎" in route.text_content()  # the head step went up to suzuki
    screenshot(page, "approval_01_submitted_route")

    login(page, base, "sato")
    assert page.text_content("[data-pending-count]") == "2"  # the demo claim and this one
    page.click("[data-testid=nav-approvals]")
    assert claim.number in page.text_content("table")
    screenshot(page, "approval_02_queue")
    _open_from_queue(page, base, claim.number)
    screenshot(page, "approval_03_review")
    _approve(page, "内容を確認しました")

    login(page, base, "suzuki")
    _open_from_queue(page, base, claim.number)
    page.fill("form[action$='/return/'] textarea[name=comment]", "見積書の写しを備考に記載してください")
    page.click("[data-action=return]")
    page.wait_for_selector(".message--success")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RETURNED

    login(page, base, "yamada")
    page.goto(f"{base}/claims/{claim.pk}/")
    assert page.text_content(".pagehead .badge") == "差戻し"
    assert "見積書の写しを備考に記載してください" in page.text_content("[data-testid=approval-route]")
    screenshot(page, "approval_04_returned")
    page.click("text=編集する")
    page.fill("[name=purpose]", "見積書 No.2026-118 のとおり")
    page.click("button[name=submit]")
    page.wait_for_url("**/claims/*/")
    assert page.text_content(".pagehead .badge") == "申請中"

    for approver in ("sato", "suzuki"):
        login(page, base, approver)
        _open_from_queue(page, base, claim.number)
        if approver == "suzuki":  # an approver's correction: amount down, recorded and shown to yamada
            page.click("text=この明細を修正する")
            page.fill("form[action*='/correct/'] [name=approved_amount]", "50000")
            page.fill("form[action*='/correct/'] [name=comment]", "備品は1回5万円までのため減額")
            page.click("form[action*='/correct/'] button[type=submit]")
            page.wait_for_selector(".message--success")
            assert page.text_content("[data-testid=approved-total]") == "¥50,000"
            screenshot(page, "approval_04b_corrected")
        _approve(page)
    login(page, base, "tanaka")
    page.click("text=経理確認")
    assert claim.number in page.text_content("table")
    _open_from_queue(page, base, claim.number)
    _approve(page, "経理確認済み")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED

    login(page, base, "yamada")
    page.goto(f"{base}/claims/{claim.pk}/")
    assert page.text_content(".pagehead .badge") == "承認済み"
    text = page.text_content("[data-testid=approval-route]")
    assert "2 回目" in text and "田中 美咲" in text
    corrections = page.text_content("[data-testid=approver-corrections]")
    assert "¥55,000" in corrections and "¥50,000" in corrections and "備品は1回5万円までのため減額" in corrections
    screenshot(page, "approval_05_approved")
    steps = ApprovalStep.objects.filter(claim=claim)
    assert [(s.round, s.order, s.status, s.acted_by.username if s.acted_by else None)
            for s in steps.order_by("round", "order")] == [
        (1, 1, "approved", "sato"), (1, 2, "returned", "suzuki"), (1, 3, "cancelled", None),
        (2, 1, "approved", "sato"), (2, 2, "approved", "suzuki"), (2, 3, "approved", "tanaka")]


def test_bulk_approval_of_20_claims(page, live_server, default_data) -> None:
    from expenses.inputs import ClaimInput, LineInput
    from expenses.services.claims import check_create_claim, check_submit_claim

    call_command("seed_demo", stdout=io.StringIO())
    yamada = User.objects.get(username="yamada")
    category = ExpenseCategory.objects.get(code="TRANSIT")
    import datetime

    day = datetime.date(2026, 11, 18)
    numbers = []
    for i in range(20):
        claim = check_create_claim(acting_user=yamada, data=ClaimInput(
            title=f"一括テスト {i + 1:02d}", lines=[LineInput(expense_date=day, category_id=category.pk,
                                                         amount=500 + i * 10, vendor="東京メトロ")]))
        check_submit_claim(claim.pk, acting_user=yamada)
        numbers.append(claim.number)
    base = live_server.url
    login(page, base, "sato")
    page.goto(f"{base}/approvals/?q=一括テスト")
    assert page.locator("[data-step-check]").count() == 20
    page.check("[data-check-all]")
    assert page.text_content("[data-selected-count]") == "20"
    screenshot(page, "approval_06_bulk_selected")
    page.click("[data-bulk-submit]")
    page.wait_for_selector(".message--success")
    assert "20件を承認しました" in page.text_content(".messages")
    screenshot(page, "approval_07_bulk_done")
    assert Claim.objects.filter(number__in=numbers, approval_steps__status="pending",
                                approval_steps__is_accounting_check=True).count() == 20
