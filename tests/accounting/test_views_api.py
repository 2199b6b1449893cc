"""Accounting pages and API: 404 for non-accounting users, the main flows for 経理, PDF access."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounting.models import ExportBatch, JournalEntry, PaymentBatch
from accounting.services import do_post_claim
from tests.accounting.conftest import next_bank_day, next_closed_days

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
BUSINESS_DAY = next_bank_day()
CLOSED = next_closed_days()


@pytest.fixture(autouse=True)
def exports_dir(settings, tmp_path):
    settings.SEISAN_EXPORTS_DIR = str(tmp_path)


@pytest.fixture
def carol_client(client, carol):
    client.force_login(carol)
    return client


@pytest.fixture
def carol_api(carol) -> APIClient:
    api = APIClient()
    api.force_authenticate(carol)
    return api


PAGES = ["accounting:dashboard", "accounting:exports", "accounting:payments"]


@pytest.mark.parametrize("name", PAGES)
def test_pages_are_404_for_non_accounting(alice_client, name):
    assert alice_client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_pages_render_for_accounting(carol_client, make_approved_claim, name, django_assert_max_num_queries):
    make_approved_claim()
    with django_assert_max_num_queries(30):
        response = carol_client.get(reverse(name))
    assert response.status_code == 200
    assert "経理ダッシュボード" in response.content.decode()


def test_dashboard_counts_the_claims_waiting_for_posting(carol_client, make_approved_claim):
    for index in range(3):
        make_approved_claim(title=f"申請{index}")
    page = carol_client.get(reverse("accounting:dashboard")).content.decode()
    assert 'data-testid="count-post">3 件' in page and 'data-testid="count-check">0 件' in page


def test_dashboard_confirms_an_approved_claim_and_draws_charts(carol_client, make_approved_claim):
    claim = make_approved_claim()
    page = carol_client.get(reverse("accounting:dashboard")).content.decode()
    assert claim.number in page and "<svg" in page
    response = carol_client.post(reverse("accounting:claim-post", args=[claim.pk]))
    assert response.status_code == 302
    assert JournalEntry.objects.filter(claim=claim).count() == 1
    page = carol_client.get(reverse("accounting:dashboard")).content.decode()
    assert "¥1,100" in page  # chart and counters show posted amounts


def test_export_page_flow(carol_client, make_approved_claim, carol):
    do_post_claim(make_approved_claim(), acting_user=carol)
    response = carol_client.post(reverse("accounting:exports"), {
        "format": "yayoi", "period_from": TODAY.replace(day=1).isoformat(), "period_to": TODAY.isoformat()})
    batch = ExportBatch.objects.get()
    assert response.url == reverse("accounting:export-detail", args=[batch.pk])
    download = carol_client.get(reverse("accounting:export-download", args=[batch.pk]))
    body = b"".join(download.streaming_content)
    assert body.decode("cp932").startswith("2000,")
    again = carol_client.get(reverse("accounting:export-download", args=[batch.pk]))
    assert b"".join(again.streaming_content) == body
    carol_client.post(reverse("accounting:export-cancel", args=[batch.pk]))
    assert ExportBatch.objects.get().status == "cancelled"


def test_payment_page_refuses_a_holiday_and_keeps_the_input(carol_client, make_approved_claim, carol, company,
                                                            alice_bank):
    claim = make_approved_claim()
    do_post_claim(claim, acting_user=carol)
    response = carol_client.post(reverse("accounting:payments"), {"transfer_date": CLOSED[2].isoformat(),
                                                                  "claims": [claim.pk]})
    assert response.status_code == 200 and "休業日" in response.content.decode()
    response = carol_client.post(reverse("accounting:payments"), {"transfer_date": BUSINESS_DAY.isoformat(),
                                                                  "claims": [claim.pk]})
    batch = PaymentBatch.objects.get()
    assert response.url == reverse("accounting:payment-detail", args=[batch.pk])
    detail = carol_client.get(response.url).content.decode()
    assert "¥1,100" in detail and BUSINESS_DAY.strftime("%Y/%m/%d") in detail
    assert len(carol_client.get(reverse("accounting:payment-download", args=[batch.pk])).content) == 4 * 122


def test_claim_pdf_access(client, make_approved_claim, alice, dave, carol):
    claim = make_approved_claim()
    do_post_claim(claim, acting_user=carol)
    url = reverse("accounting:claim-pdf", args=[claim.pk])
    for user, expected in ((alice, 200), (carol, 200), (dave, 404)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == expected
    client.force_login(alice)
    pdf = client.get(url).content
    assert pdf.startswith(b"%PDF") and b"HeiseiKakuGo-W5" in pdf


def test_claim_pdf_survives_markup_in_what_the_employee_typed(client, make_approved_claim, carol):
    claim = make_approved_claim([("SUPPLIES", 1100, {"vendor": "<b>文具店", "description": "A&B <新宿>"})],
                                title="<i>備品")
    client.force_login(carol)
    response = client.get(reverse("accounting:claim-pdf", args=[claim.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_api_is_404_for_non_accounting(alice_api, make_approved_claim):
    claim = make_approved_claim()
    assert alice_api.post(f"/api/v1/accounting/claims/{claim.pk}/post/").status_code == 404
    assert alice_api.get("/api/v1/accounting/exports/").status_code == 404
    assert alice_api.post("/api/v1/accounting/payments/", {"claim_ids": [claim.pk], "transfer_date": BUSINESS_DAY.isoformat()},
                          format="json").status_code == 404


def test_api_confirm_export_and_pay(carol_api, make_approved_claim, company, alice_bank):
    claim = make_approved_claim()
    assert carol_api.get("/api/v1/accounting/claims/to-post/").json()["results"][0]["number"] == claim.number
    first = carol_api.post(f"/api/v1/accounting/claims/{claim.pk}/post/")
    second = carol_api.post(f"/api/v1/accounting/claims/{claim.pk}/post/")
    assert first.status_code == 201 and first.json()["id"] == second.json()["id"]  # double submit: one entry
    assert first.json()["debit_total"] == 1100
    bad = carol_api.post("/api/v1/accounting/exports/", {"format": "lotus"}, format="json")
    assert bad.status_code == 400 and "format" in bad.json()["extra"]["fields"]
    export = carol_api.post("/api/v1/accounting/exports/", {
        "format": "mf", "period_from": TODAY.replace(day=1).isoformat(), "period_to": TODAY.isoformat()},
        format="json")
    assert export.status_code == 201 and export.json()["status"] == "ready"
    twice = carol_api.post("/api/v1/accounting/exports/", {
        "format": "mf", "period_from": TODAY.replace(day=1).isoformat(), "period_to": TODAY.isoformat()},
        format="json")
    assert twice.status_code == 400 and twice.json()["message"]
    file = carol_api.get(f"/api/v1/accounting/exports/{export.json()['id']}/file/")
    assert b"".join(file.streaming_content).decode("cp932").startswith("取引No")
    holiday = carol_api.post("/api/v1/accounting/payments/", {"claim_ids": [claim.pk], "transfer_date": CLOSED[0].isoformat()},
                             format="json")
    assert holiday.status_code == 400
    paid = carol_api.post("/api/v1/accounting/payments/", {"claim_ids": [claim.pk], "transfer_date": BUSINESS_DAY.isoformat()},
                          format="json")
    assert paid.status_code == 201 and paid.json()["total_amount"] == 1100
    again = carol_api.post("/api/v1/accounting/payments/", {"claim_ids": [claim.pk], "transfer_date": BUSINESS_DAY.isoformat()},
                           format="json")
    assert again.status_code == 400
    batch_id = paid.json()["id"]
    assert carol_api.post(f"/api/v1/accounting/payments/{batch_id}/paid/").json()["status"] == "paid"
    assert carol_api.post(f"/api/v1/accounting/payments/{batch_id}/paid/").status_code == 400
    assert carol_api.get("/api/v1/accounting/payments/999999/").status_code == 404
    assert carol_api.delete(f"/api/v1/accounting/payments/{batch_id}/").status_code == 405


def test_claim_pdf_shows_receipt_thumbnails_and_tax_categories(client, alice, carol, categories, settings, tmp_path):
    from unittest import mock

    from expenses.models import ClaimLine
    from expenses.services.claims import check_create_claim
    from expenses.services.receipts import check_upload_receipts
    from tests.accounting.conftest import approve
    from tests.conftest import claim_input
    from tests.expenses.receipt_helpers import png_upload

    settings.STORAGES = {**settings.STORAGES, "receipts": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    claim = check_create_claim(acting_user=alice, data=claim_input(title="タクシー"))
    with mock.patch("expenses.services.receipts.enqueue_ocr"):
        [result] = check_upload_receipts(claim.pk, [png_upload("taxi.png", color=(200, 30, 30))], acting_user=alice)
    ClaimLine.objects.filter(pk=result.line.pk).update(expense_date=datetime.date(2026, 11, 2), amount=3300,
                                                       tax_category="standard", tax_rate=10, tax_amount=300,
                                                       vendor="日本交通", category=categories["TAXI"])
    from expenses.selectors import get_claim_lines
    from expenses.services.lines import recompute_totals

    recompute_totals(claim, get_claim_lines(claim))
    claim.save()
    claim = approve(claim, by=carol)
    do_post_claim(claim, acting_user=carol)
    client.force_login(carol)
    pdf = client.get(reverse("accounting:claim-pdf", args=[claim.pk])).content
    assert pdf.count(b"/Subtype /Image") >= 1


def test_api_lists_have_a_query_budget(carol_api, make_approved_claim, carol, company, alice_bank,
                                       django_assert_max_num_queries):
    for index in range(3):
        do_post_claim(make_approved_claim(title=f"申請{index}"), acting_user=carol)
    make_approved_claim(title="未計上")
    for url in ("/api/v1/accounting/claims/to-post/", "/api/v1/accounting/payments/payable/",
                "/api/v1/accounting/exports/", "/api/v1/accounting/payments/"):
        with django_assert_max_num_queries(8):
            response = carol_api.get(url)
        assert response.status_code == 200
    assert carol_api.get("/api/v1/accounting/payments/payable/").json()["count"] == 3
