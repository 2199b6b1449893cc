"""経理 in headless Chromium: confirm two approved claims, export a 弥生 CSV, create a 全銀 file."""

import datetime
import io

import pytest
from django.core.management import call_command

from accounting.defaults import ensure_accounting_data
from accounting.models import JournalEntry
from approvals.events import transition_claim
from approvals.transitions import Actor, ClaimStatus
from core.models import CompanySettings
from expenses.inputs import ClaimInput, LineInput
from expenses.models import ExpenseCategory
from expenses.services.claims import check_create_claim, check_submit_claim
from people.models import User
from tests.accounting.conftest import next_bank_day, next_closed_days
from tests.plugins.browser import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _approved_claim(title: str, lines: list[tuple[str, int, dict]]):
    yamada, tanaka = User.objects.get(username="yamada"), User.objects.get(username="tanaka")
    categories = {c.code: c.pk for c in ExpenseCategory.objects.all()}
    inputs = [LineInput(expense_date=datetime.date(2026, 11, 10), category_id=categories[code], amount=amount,
                        no_receipt_reason="紙の領収書を提出済み", **extra) for code, amount, extra in lines]
    claim = check_create_claim(acting_user=yamada, data=ClaimInput(title=title, lines=inputs))
    claim = check_submit_claim(claim.pk, acting_user=yamada)
    transition_claim(claim, to=ClaimStatus.APPROVED, actor=Actor.SYSTEM, acting_user=tanaka)
    return claim


def test_confirm_export_yayoi_and_create_zengin_file(page, live_server, default_data, settings, tmp_path) -> None:
    """
    GIVEN two approved claims of yamada and the company's bank settings
    WHEN tanaka confirms both on the dashboard, exports a 弥生 CSV, creates a 全銀 file (a holiday is refused)
         and marks the transfer paid
    THEN the CSV holds both entries (cp932, 25 columns), the 全銀 file four 120-byte records with the total,
         and yamada sees both claims as 支払済み
    """
    settings.SEISAN_EXPORTS_DIR = str(tmp_path / "exports")
    call_command("seed_demo", stdout=io.StringIO())
    ensure_accounting_data()
    company = CompanySettings.load()
    company.zengin_requester_code, company.zengin_requester_name = "1234567890", "ｶ)ｻﾝﾌﾟﾙ"
    company.bank_code, company.branch_code, company.bank_account_number = "0001", "001", "7777777"
    company.save()
    first = _approved_claim("大阪出張", [("TRANSIT", 14720, {"vendor": "JR東海"}),
                                        ("TRAVEL", 12000, {"vendor": "ホテル大阪"})])
    second = _approved_claim("会議用 文具", [("SUPPLIES", 3300, {"vendor": "文具のサクラ",
                                                                "registration_number": "T4011001098993"})])
    assert not JournalEntry.objects.filter(claim__in=[first, second]).exists()  # tanaka confirms below
    base = live_server.url
    login(page, base, "tanaka")
    page.click("text=経理ダッシュボード")
    page.wait_for_url(f"{base}/accounting/")
    for claim in (first, second):
        page.click(f"tr[data-claim='{claim.number}'] button:has-text('確認して計上')")
        page.wait_for_selector(".message--success")
    assert page.locator("[data-testid=to-post] tr[data-claim]").count() == 0
    assert "¥30,020" in page.text_content("[data-testid=count-unexported]")
    screenshot(page, "accounting_01_dashboard")

    page.click("nav a:has-text('仕訳エクスポート')")
    page.select_option("[name=format]", "yayoi")
    today = datetime.date.today()  # posting dates entries today (計上日, the default policy)
    page.fill("[name=period_from]", today.replace(day=1).isoformat())
    page.fill("[name=period_to]", today.isoformat())
    page.click("button[name=export]")
    page.wait_for_selector("[data-testid=export-download]")
    assert page.text_content("[data-testid=export-status]").strip() == "作成済み"
    screenshot(page, "accounting_02_export")
    with page.expect_download() as info:
        page.click("[data-testid=export-download]")
    data = (tmp_path / "yayoi.csv")
    info.value.save_as(str(data))
    rows = data.read_bytes().decode("cp932").split("\r\n")[:-1]
    assert len(rows) == 4  # 3 debit lines of the 2-line claim as a 伝票 (2110/2100/2101) + 1 single row
    assert all(len(row.split(",")) == 25 for row in rows)
    assert [row.split(",")[0] for row in rows] == ["2110", "2100", "2101", "2000"]
    assert "3万円未満の鉄道料金" in rows[0] and "出張旅費等特例" in rows[1]

    page.click("nav a:has-text('振込（全銀）')")
    page.fill("[name=transfer_date]", next_closed_days()[1].isoformat())  # a national holiday
    page.click("text=振込データを作成")
    page.wait_for_selector(".message--error")
    assert "休業日" in page.text_content(".message--error")
    screenshot(page, "accounting_03_payment_holiday")
    transfer_date = next_bank_day()
    page.fill("[name=transfer_date]", transfer_date.isoformat())
    page.click("text=振込データを作成")
    page.wait_for_selector("[data-testid=payment-total]")
    assert page.text_content("[data-testid=payment-total]") == "¥30,020"
    assert page.text_content("[data-testid=transfer-date]") == transfer_date.strftime("%Y/%m/%d")
    screenshot(page, "accounting_04_payment")
    with page.expect_download() as info:
        page.click("[data-testid=payment-download]")
    zengin = tmp_path / "zengin.txt"
    info.value.save_as(str(zengin))
    records = zengin.read_bytes().split(b"\r\n")[:-1]
    assert [len(r) for r in records] == [120] * 4
    assert int(records[2][7:19]) == 30020

    page.click("button:has-text('支払済みにする')")
    page.wait_for_selector("[data-testid=payment-status]:has-text('支払済み')")
    assert JournalEntry.objects.filter(claim__in=[first, second], kind="payment").count() == 2
    page.click("text=ログアウト")
    login(page, base, "yamada")
    for claim in (first, second):
        assert page.text_content(f"tr:has-text('{claim.number}') .badge").strip() == "支払済み"
    screenshot(page, "accounting_05_applicant_sees_paid")
