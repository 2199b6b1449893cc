"""The employee journey in headless Chromium: log in, write a two-rate claim, submit, see it read-only."""

import io

import pytest
from django.core.management import call_command

from approvals.transitions import ClaimStatus
from expenses.models import Claim
from tests.plugins.browser import login, screenshot, start_claim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_employee_files_a_claim_with_10_and_8_percent_lines(page, live_server, default_data) -> None:
    """
    GIVEN the demo data and the demo employee
    WHEN he writes a claim with a 10% transit line and an 8% reduced-rate meeting line and submits it
    THEN the totals and per-rate breakdown update as he types, and the submitted claim is read-only
    """
    call_command("seed_demo", stdout=io.StringIO())
    base = live_server.url
    login(page, base, "yamada")
    start_claim(page, "11月 客先打合せ", day="2026-11-20", category="電車・バス", amount="1320")
    page.fill("[name=lines-0-vendor]", "JR東日本")
    page.fill("[name=lines-0-description]", "新宿→品川 往復")
    page.click("[data-add-line] >> nth=0")
    page.select_option("[name=lines-1-category]", label="会議費")
    page.fill("[name=lines-1-expense_date]", "2026-11-20")
    page.select_option("[name=lines-1-tax_category]", "reduced")
    page.fill("[name=lines-1-amount]", "2,160")
    page.fill("[name=lines-1-vendor]", "弁当のまるや")
    page.fill("[name=lines-1-registration_number]", "T4011001098993")
    page.fill("[name=lines-1-attendee_count]", "3")
    page.fill("[name=lines-1-attendee_names]", "A社 佐々木様、A社 高橋様、山田")
    page.check("[name=lines-1-includes_external]")
    page.fill("[name=lines-1-no_receipt_reason]", "レシートを紛失したため")
    # Totals are live, before any save.
    assert page.text_content("[data-total=t10]") == "¥1,320"
    assert page.text_content("[data-total=x10]") == "¥120"
    assert page.text_content("[data-total=t8]") == "¥2,160"
    assert page.text_content("[data-total=x8]") == "¥160"
    assert page.text_content("[data-total=all]") == "¥3,480"
    assert "1人あたり ¥720" in page.text_content("[data-line]:nth-of-type(2) [data-per-person]")
    screenshot(page, "employee_01_editor")

    page.click("button[name=submit]")
    page.wait_for_url("**/claims/*/")
    assert "申請を提出しました" in page.text_content(".messages")
    assert page.text_content(".pagehead .badge") == "申請中"
    assert page.text_content("[data-testid=grand-total]") == "¥3,480"
    body = page.text_content("main")
    assert "提出済みのため編集できません" in body
    assert "2026/11/20" in body and "¥2,160" in body and "¥160" in body
    assert page.locator("text=提出する").count() == 0
    screenshot(page, "employee_02_submitted")

    claim = Claim.objects.get(title="11月 客先打合せ")
    assert (claim.status, claim.total_amount, claim.tax_10_amount, claim.tax_8_amount) == (
        ClaimStatus.SUBMITTED, 3480, 120, 160)

    page.goto(f"{base}/claims/")
    assert claim.number in page.text_content("table")
    screenshot(page, "employee_03_my_claims")


def test_validation_messages_appear_beside_the_fields(page, live_server, default_data) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    base = live_server.url
    login(page, base, "yamada")
    page.goto(f"{base}/claims/new/")
    page.fill("[name=title]", "エラー確認")
    page.fill("[name=lines-0-expense_date]", "2026-11-20")
    page.select_option("[name=lines-0-category]", label="タクシー")
    page.fill("[name=lines-0-amount]", "2800")
    page.fill("[name=lines-0-registration_number]", "T12345")
    page.click("button[name=submit]")
    error = page.locator("[data-field=registration_number] .field__error")
    assert "13桁" in error.text_content()
    assert page.input_value("[name=lines-0-amount]") == "2800"
    screenshot(page, "employee_04_errors")


def test_my_claims_on_a_phone(phone_page, live_server, default_data) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    login(phone_page, live_server.url, "yamada")
    assert "10月 客先訪問交通費" in phone_page.text_content("main")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling on a phone
    screenshot(phone_page, "employee_05_phone_list")


def test_a_double_click_sends_once_and_a_cancelled_confirm_keeps_the_form(page, live_server, default_data) -> None:
    """
    GIVEN the demo employee writing a claim
    WHEN he presses 保存して提出 and submits again before the page has changed
    THEN the second submission is stopped, the buttons are disabled, and the one sent carries the pressed
         button (the claim is submitted, not only saved)
    AND WHEN he answers "cancel" to 取り下げ's question, the button still works afterwards
    """
    call_command("seed_demo", stdout=io.StringIO())
    base = live_server.url
    login(page, base, "yamada")
    start_claim(page, "二度押しの確認", day="2026-11-20", category="電車・バス", amount="480")
    page.fill("[name=lines-0-no_receipt_reason]", "ICカード利用のため")
    # A listener after the guard records whether each submission went through, and holds the page still.
    page.evaluate("""() => {
      window.submits = [];
      window.addEventListener("submit", (e) => { window.submits.push(!e.defaultPrevented); e.preventDefault(); });
    }""")
    page.click("button[name=submit]")
    page.wait_for_function("document.querySelector('button[name=submit]').disabled", timeout=5000)
    page.evaluate("document.querySelector('button[name=submit]').form.requestSubmit()")
    assert page.evaluate("window.submits") == [True, False]  # the second one was stopped
    # what the browser would have sent the first time, pressed button included
    page.evaluate("() => { const f = document.querySelector('button[name=submit]').form; "
                  "HTMLFormElement.prototype.submit.call(f); }")
    page.wait_for_selector("text=申請を提出しました")
    claim = Claim.objects.get(title="二度押しの確認")
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.events.filter(to_status=ClaimStatus.SUBMITTED).count() == 1

    withdraw = page.locator("form[action$='/withdraw/'] button")
    page.once("dialog", lambda dialog: dialog.dismiss())
    withdraw.click()
    assert withdraw.is_enabled()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    page.once("dialog", lambda dialog: dialog.accept())
    withdraw.click()
    page.wait_for_selector(".pagehead .badge >> text=取下げ")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN
