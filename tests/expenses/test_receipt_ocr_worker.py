"""Upload → real Celery worker on real Redis → real Tesseract → the line is filled. And idempotence."""

import time

import pytest
from django.db import transaction

from expenses.models import ClaimLine, Receipt, ReceiptEvent
from expenses.services.claims import check_create_claim
from expenses.services.receipts import check_upload_receipts
from expenses.tasks import ocr_receipt
from tests.conftest import claim_input
from tests.expenses.receipt_helpers import sample_upload, turned_upload


@pytest.fixture
def receipts_dir(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "receipts": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


def _wait_for(receipt_id: int, seconds: float = 90) -> Receipt:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        receipt = Receipt.objects.get(pk=receipt_id)
        if receipt.ocr_status in (Receipt.OcrStatus.DONE, Receipt.OcrStatus.FAILED):
            return receipt
        time.sleep(0.5)
    pytest.fail(f"OCR of receipt {receipt_id} did not finish in {seconds}s (status {receipt.ocr_status})")


@pytest.mark.worker
@pytest.mark.ocr
@pytest.mark.django_db(transaction=True)
def test_upload_is_read_by_the_worker_and_fills_the_line(celery_worker, tesseract, receipts_dir, alice, categories):
    claim = check_create_claim(acting_user=alice, data=claim_input(title="OCR"))
    with transaction.atomic():
        [result] = check_upload_receipts(claim.pk, [sample_upload("0002.jpg")], acting_user=alice)
    receipt = _wait_for(result.receipt.pk)
    assert receipt.ocr_status == Receipt.OcrStatus.DONE, receipt.ocr_error
    line = ClaimLine.objects.get(pk=result.line.pk)
    assert (line.amount, str(line.expense_date), line.registration_number) == (10736, "2023-10-09", "T1702249706073")
    assert "amount" in line.ocr_filled_fields
    claim.refresh_from_db()
    assert claim.total_amount == 10736


@pytest.mark.ocr
@pytest.mark.django_db
def test_running_the_task_twice_gives_the_same_result(tesseract, receipts_dir, alice, categories):
    from unittest import mock

    claim = check_create_claim(acting_user=alice, data=claim_input(title="OCR"))
    with mock.patch("expenses.services.receipts.enqueue_ocr"):
        [result] = check_upload_receipts(claim.pk, [sample_upload("0004.jpg")], acting_user=alice)
    assert ocr_receipt(result.receipt.pk) == "done"
    first = Receipt.objects.get(pk=result.receipt.pk)
    # read as it lay: the previews made at upload stay
    assert (first.ocr_result["page_turn"], first.preview.name) == (0, result.receipt.preview.name)
    line = ClaimLine.objects.get(pk=result.line.pk)
    assert ocr_receipt(result.receipt.pk) == "skipped"
    again = Receipt.objects.get(pk=result.receipt.pk)
    assert (again.ocr_result, again.ocr_attempts) == (first.ocr_result, 1)
    # 0004 has 10% and 8% items: its line takes the 10% part, one added line the 8% part (not twice)
    assert ClaimLine.objects.get(pk=line.pk).amount == line.amount == 1853
    assert list(ClaimLine.objects.filter(receipt_line=line).values_list("amount", flat=True)) == [1068]
    assert ocr_receipt(999_999) == "skipped"  # a missing row is not an error


def _size(field) -> tuple[int, int]:
    from PIL import Image

    with field.open("rb") as handle, Image.open(handle) as image:
        return image.size


@pytest.mark.ocr
@pytest.mark.django_db
def test_a_receipt_photographed_sideways_is_read_and_shown_upright(tesseract, receipts_dir, alice, categories):
    """
    GIVEN: a receipt photo lying on its side, with no EXIF orientation to say so
    WHEN: the OCR task reads it
    THEN: the line is filled as from the upright photo; the preview and thumbnail are made again
    upright under new URLs (browsers keep the old ones an hour); the original stays the uploaded bytes
    """
    from unittest import mock

    claim = check_create_claim(acting_user=alice, data=claim_input(title="OCR"))
    upload = turned_upload("0004.jpg", 90)
    uploaded = upload.read()
    upload.seek(0)
    with mock.patch("expenses.services.receipts.enqueue_ocr"):
        [result] = check_upload_receipts(claim.pk, [upload], acting_user=alice)
    before = Receipt.objects.get(pk=result.receipt.pk)
    width, height = _size(before.preview)
    assert width > height  # as uploaded: on its side

    assert ocr_receipt(before.pk) == "done"

    after = Receipt.objects.get(pk=before.pk)
    assert after.ocr_result["page_turn"] == 270
    assert ClaimLine.objects.get(pk=result.line.pk).amount == 1853  # as from the upright photo
    for variant in ("preview", "thumbnail"):
        width, height = _size(getattr(after, variant))
        assert height > width, variant
        assert after.file_url(variant) != before.file_url(variant)
    with after.original.open("rb") as handle:
        assert handle.read() == uploaded
    assert after.original_url == before.original_url
    done = ReceiptEvent.objects.get(receipt=after, kind=ReceiptEvent.Kind.OCR_DONE)
    assert done.detail["page_turn"] == 270
