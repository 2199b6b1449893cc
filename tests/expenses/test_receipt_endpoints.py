"""Receipt pages and API: upload, status, download permissions. OCR is not run here (enqueue is patched)."""

from unittest import mock

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from expenses.models import Receipt
from expenses.services.claims import check_create_claim
from tests.conftest import claim_input, make_user
from tests.expenses.receipt_helpers import png_upload, sample_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def receipts_dir(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "receipts": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


@pytest.fixture(autouse=True)
def no_broker():
    with mock.patch("expenses.services.receipts.enqueue_ocr") as enqueue:
        yield enqueue


@pytest.fixture
def draft(alice, categories):
    return check_create_claim(acting_user=alice, data=claim_input(title="領収書"))


def _upload(client, claim, *files):
    return client.post(reverse("expenses:claim-receipts-upload", args=[claim.pk]), {"files": list(files)})


def test_editor_upload_returns_new_lines_and_version(alice_client, draft):
    response = _upload(alice_client, draft, sample_upload())
    assert response.status_code == 201
    body = response.json()
    assert body["version"] == 2 and body["receipts"][0]["created_line"] is True
    assert body["receipts"][0]["status"] == "pending"


def test_editor_upload_of_a_bad_file_is_a_clear_400(alice_client, draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = _upload(alice_client, draft, SimpleUploadedFile("note.jpg", b"hello"))
    assert response.status_code == 400
    assert "note.jpg" in response.json()["message"] and "JPEG" in response.json()["message"]


def test_status_reports_fields_and_duplicates(alice_client, alice, draft, categories):
    _upload(alice_client, draft, sample_upload())
    other = check_create_claim(acting_user=alice, data=claim_input(title="別の申請"))
    _upload(alice_client, other, sample_upload())
    Receipt.objects.filter(claim=other).update(ocr_status="done", ocr_result={"total": 10736, "confidence": {}})
    body = alice_client.get(reverse("expenses:claim-receipts-status", args=[other.pk])).json()
    [receipt] = body["receipts"]
    assert receipt["status"] == "done" and receipt["result"]["total"] == 10736
    assert draft.number in " ".join(body["duplicates"][str(receipt["line"])])


def test_receipt_files_are_served_only_to_people_who_may_see_them(client, alice, dave, draft, alice_client):
    _upload(alice_client, draft, sample_upload())
    receipt = Receipt.objects.get()
    for variant in ("original", "preview", "thumbnail"):
        url = reverse("expenses:receipt-file", args=[receipt.pk, variant])
        response = alice_client.get(url)
        assert response.status_code == 200 and response["Cache-Control"].startswith("private")
        assert response["Content-Type"] == "image/jpeg"
    client.force_login(dave)
    assert client.get(reverse("expenses:receipt-file", args=[receipt.pk, "original"])).status_code == 404
    assert client.get(reverse("expenses:claim-receipts-status", args=[draft.pk])).status_code == 404
    assert _upload(client, draft, png_upload()).status_code == 404
    client.logout()
    assert client.get(reverse("expenses:receipt-file", args=[receipt.pk, "original"])).status_code == 302


def test_receipts_are_not_under_any_public_url(settings):
    from django.core.files.storage import storages

    assert storages["receipts"].base_url is None or not storages["receipts"].base_url.startswith(settings.STATIC_URL)
    assert settings.STORAGES["receipts"]["OPTIONS"].get("base_url") is None


def test_api_upload_status_reread_and_download(alice, dave, draft):
    api = APIClient()
    api.force_authenticate(alice)
    response = api.post(reverse("api-claim-receipts", args=[draft.pk]), {"files": [sample_upload()]}, format="multipart")
    assert response.status_code == 201, response.json()
    receipt_id = response.json()[0]["id"]
    detail = api.get(reverse("api-receipt-detail", args=[receipt_id])).json()
    assert detail["ocr_status"] == "pending" and detail["fields_read"] is None
    Receipt.objects.filter(pk=receipt_id).update(ocr_status="failed", ocr_error="x")
    assert api.post(reverse("api-receipt-reread", args=[receipt_id])).json()["ocr_status"] == "pending"
    download = api.get(reverse("api-receipt-file", args=[receipt_id]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    outsider = APIClient()
    outsider.force_authenticate(dave)
    assert outsider.get(reverse("api-receipt-detail", args=[receipt_id])).status_code == 404
    assert outsider.get(reverse("api-receipt-file", args=[receipt_id])).status_code == 404
    assert outsider.post(reverse("api-receipt-reread", args=[receipt_id])).status_code == 404


def test_accounting_can_download_any_receipt(alice_client, draft):
    _upload(alice_client, draft, sample_upload())
    carol = make_user("carol", roles=("employee", "accounting"))
    api = APIClient()
    api.force_authenticate(carol)
    assert api.get(reverse("api-receipt-file", args=[Receipt.objects.get().pk])).status_code == 200
