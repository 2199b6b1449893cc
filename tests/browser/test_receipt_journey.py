"""Upload a receipt photo in the editor, watch the worker's OCR fill the line, submit."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from approvals.transitions import ClaimStatus
from expenses.models import Claim
from tests.expenses.receipt_helpers import SAMPLES, turned_upload
from tests.plugins.browser import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.ocr, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receipts_dir(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "receipts": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


def _drop_on_new_claim(page, base: str, title: str, sample: str | Path) -> None:
    """As the demo employee, save a new draft and drop a receipt photo on it."""
    call_command("seed_demo", stdout=io.StringIO())
    login(page, base, "yamada")
    page.goto(f"{base}/claims/new/")
    page.fill("[name=title]", title)
    page.click("button[name=save]")
    page.wait_for_url("**/edit/")
    page.set_input_files("[data-dropzone-input]", str(SAMPLES / sample))


def test_receipt_photo_fills_the_line_and_is_submitted(page, live_server, default_data, celery_worker, tesseract,
                                                       receipts_dir) -> None:
    _drop_on_new_claim(page, live_server.url, "客先との会食", "0002.jpg")
    # The worker reads the receipt; the empty fields of the new line fill in by themselves.
    row = page.locator("[data-line]:has(input[name$='-id'][value]:not([value='']))").last
    amount = row.locator("input[name$='-amount']")
    page.wait_for_function(
        "el => el.value !== ''", arg=amount.element_handle(), timeout=90_000)
    assert amount.input_value() == "10736"
    assert row.locator("input[name$='-expense_date']").input_value() == "2023-10-09"
    assert row.locator("input[name$='-registration_number']").input_value() == "T1702249706073"
    assert "読み取り完了" in row.locator("[data-receipts]").text_content()
    screenshot(page, "receipt_01_filled")
    row.locator("img").first.click()
    page.click("[data-rotate]")
    page.click("[data-zoom='1.25']")
    assert "rotate(90deg)" in page.get_attribute("[data-viewer-img]", "style")
    screenshot(page, "receipt_02_viewer")
    page.click("[data-close]")
    # The employee completes what OCR cannot know, and submits.
    row.locator("select[name$='-category']").select_option(label="交際費")
    row.locator("input[name$='-attendee_count']").fill("4")
    row.locator("textarea[name$='-attendee_names']").fill("A社 2名、自社 2名")
    row.locator("input[name$='-includes_external']").check()
    page.click("button[name=submit]")
    page.wait_for_url("**/claims/*/")
    assert page.text_content(".pagehead .badge") == "申請中"
    assert page.locator(".receipt-thumb").count() == 1
    screenshot(page, "receipt_03_submitted")
    claim = Claim.objects.get(title="客先との会食")
    assert (claim.status, claim.total_amount) == (ClaimStatus.SUBMITTED, 10736)


def test_a_receipt_with_10_and_8_percent_items_fills_one_line_per_rate(page, live_server, default_data, celery_worker,
                                                                        tesseract, receipts_dir) -> None:
    _drop_on_new_claim(page, live_server.url, "会議用の買い出し", "0004.jpg")
    # The worker reads a convenience-store receipt with food (8%) and goods (10%): the receipt's line takes
    # the 10% part and a second line, evidenced by the same receipt, the 8% part.
    rows = page.locator("[data-line]:has(input[name$='-id'][value]:not([value='']))")
    page.wait_for_function("() => document.querySelectorAll('[data-rate-note]:not(:empty)').length === 2",
                           timeout=90_000)
    first, second = rows.nth(rows.count() - 2), rows.nth(rows.count() - 1)
    assert (first.locator("input[name$='-amount']").input_value(),
            first.locator("select[name$='-tax_category']").input_value()) == ("1853", "standard")
    assert (second.locator("input[name$='-amount']").input_value(),
            second.locator("select[name$='-tax_category']").input_value()) == ("1068", "reduced")
    assert second.locator("input[name$='-expense_date']").input_value() == "2026-09-29"
    assert "税率別に分けた明細です" in second.locator("[data-rate-note]").text_content()
    screenshot(page, "receipt_04_split_by_rate")
    for row in (first, second):
        row.locator("select[name$='-category']").select_option(label="消耗品費")
    page.click("button[name=submit]")
    page.wait_for_url("**/claims/*/")
    assert page.text_content(".pagehead .badge") == "申請中"
    assert page.locator(".receipt-thumb").count() == 2  # the one receipt, beside each of its lines
    screenshot(page, "receipt_05_split_submitted")
    claim = Claim.objects.get(title="会議用の買い出し")
    assert (claim.status, claim.total_amount, claim.taxable_8_amount, claim.tax_8_amount) == (
        ClaimStatus.SUBMITTED, 2921, 1068, 79)


def test_a_receipt_photographed_sideways_fills_the_line_and_shows_upright(page, live_server, default_data,
                                                                         celery_worker, tesseract, receipts_dir,
                                                                         tmp_path) -> None:
    photo = tmp_path / "sideways.jpg"
    photo.write_bytes(turned_upload("0002.jpg", 90).read())
    _drop_on_new_claim(page, live_server.url, "横向きの写真", photo)
    row = page.locator("[data-line]:has(input[name$='-id'][value]:not([value='']))").last
    amount = row.locator("input[name$='-amount']")
    page.wait_for_function("el => el.value !== ''", arg=amount.element_handle(), timeout=90_000)
    assert amount.input_value() == "10736"
    # The thumbnail shown once read is the one made again upright (taller than wide), not the upload's.
    thumb = row.locator("[data-receipts] img").first
    page.wait_for_function("img => img.complete && img.naturalHeight > img.naturalWidth",
                           arg=thumb.element_handle(), timeout=10_000)
    thumb.click()
    page.wait_for_function("() => { const i = document.querySelector('[data-viewer-img]');"
                           " return i.complete && i.naturalHeight > i.naturalWidth; }", timeout=10_000)
    screenshot(page, "receipt_06_sideways_upright")
