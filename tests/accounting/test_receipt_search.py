"""電帳法 search (R7.5): date range, amount range, counterparty, combined; history included on request."""

import csv
import datetime
import io
import zipfile
from unittest import mock

import pytest
from django.urls import reverse

from expenses.models import ClaimLine
from expenses.services.claims import check_create_claim
from expenses.services.receipts import check_replace_receipt, check_upload_receipts
from tests.conftest import claim_input, make_user
from tests.expenses.receipt_helpers import png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def receipts_dir(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "receipts": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


@pytest.fixture
def carol_client(client, db, default_data):
    client.force_login(make_user("carol", roles=("employee", "accounting")))
    return client


@pytest.fixture
def receipts(alice, categories):
    """Three receipts on lines: (date, amount, vendor)."""
    claim = check_create_claim(acting_user=alice, data=claim_input(title="検索用"))
    rows = [(datetime.date(2026, 10, 1), 1200, "日本交通"), (datetime.date(2026, 10, 15), 5400, "喫茶ルノアール"),
            (datetime.date(2026, 11, 2), 33000, "ホテル東京")]
    made = []
    with mock.patch("expenses.services.receipts.enqueue_ocr"):
        for index, (day, amount, vendor) in enumerate(rows):
            [result] = check_upload_receipts(claim.pk, [png_upload(f"r{index}.png", color=(index * 40, 0, 0))],
                                             acting_user=alice)
            ClaimLine.objects.filter(pk=result.line.pk).update(expense_date=day, amount=amount, vendor=vendor,
                                                               category=categories["TAXI"])
            made.append(result.receipt)
    return made


def _search(client, **params):
    return client.get(reverse("accounting:receipt-search"), params)


def test_combined_date_amount_and_counterparty(carol_client, receipts):
    body = _search(carol_client, date_from="2026-10-01", date_to="2026-10-31", amount_min="1,000",
                   amount_max="6000").content.decode()
    assert "日本交通" in body and "喫茶ルノアール" in body and "ホテル東京" not in body
    body = _search(carol_client, counterparty="ルノアール", amount_min="5400").content.decode()
    assert "喫茶ルノアール" in body and "日本交通" not in body
    body = _search(carol_client, date_from="2026-11-01").content.decode()
    assert "ホテル東京" in body and "¥33,000" in body and "2026/11/02" in body


def test_history_is_searchable_on_request(carol_client, receipts, alice):
    with mock.patch("expenses.services.receipts.enqueue_ocr"):
        check_replace_receipt(receipts[0].pk, png_upload("fixed.png", color=(1, 1, 1)), acting_user=alice)
    current = _search(carol_client, counterparty="日本交通").content.decode()
    everything = _search(carol_client, counterparty="日本交通", include_history="on").content.decode()
    assert current.count("receipt-thumb") == 1 and everything.count("receipt-thumb") == 2
    assert "差し替え前" in everything


def test_csv_and_zip_downloads(carol_client, receipts):
    response = _search(carol_client, date_from="2026-10-01", date_to="2026-10-31", export="csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["receipt_id", "取引年月日", "取引金額", "取引先"]
    assert [r[3] for r in rows[1:]] == ["日本交通", "喫茶ルノアール"]
    response = _search(carol_client, amount_min="30000", export="zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert "index.csv" in names and len([n for n in names if n.startswith("receipts/")]) == 1


def test_validation_and_permissions(client, carol_client, alice, receipts):
    response = _search(carol_client, amount_min="9000", amount_max="100")
    assert "上限は下限以上にしてください。" in response.content.decode()
    client.force_login(alice)
    assert _search(client, counterparty="x").status_code == 404


def test_search_query_count_is_constant(carol_client, receipts, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        _search(carol_client, date_from="2026-01-01")
