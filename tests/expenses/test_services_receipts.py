import datetime
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import InternalError, transaction

from approvals.transitions import ClaimStatus
from core.exceptions import ApplicationError, NotFoundOrForbidden
from expenses.models import ClaimLine, Receipt, ReceiptEvent
from expenses.selectors import access_receipt
from expenses.services.claims import check_create_claim, check_submit_claim, check_update_claim
from expenses.services.lines import LineContext
from expenses.services.receipt_fill import fill_line_from_reading
from expenses.services.receipts import (
    check_delete_receipt,
    check_replace_receipt,
    check_reread_receipt,
    check_upload_receipts,
    do_sweep_receipts,
)
from tests.conftest import claim_input, line, make_user
from tests.expenses.receipt_helpers import png_upload, sample_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def receipts_dir(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "receipts": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


@pytest.fixture
def draft(alice, categories):
    return check_create_claim(acting_user=alice, data=claim_input(title="領収書テスト"))


def upload(claim, user, *files, line_id=None):
    with mock.patch("expenses.services.receipts.enqueue_ocr") as enqueue, \
            transaction.atomic():
        results = check_upload_receipts(claim.pk, list(files), acting_user=user, line_id=line_id)
    return results, enqueue


def test_it_stores_the_original_untouched_with_metadata(draft, alice, django_capture_on_commit_callbacks):
    original = sample_upload()
    data = original.read()
    original.seek(0)
    with mock.patch("expenses.services.receipts.enqueue_ocr") as enqueue, \
            django_capture_on_commit_callbacks(execute=True):
        [result] = check_upload_receipts(draft.pk, [original], acting_user=alice)
    receipt = result.receipt
    with receipt.original.open("rb") as handle:
        assert handle.read() == data
    assert (receipt.mime, receipt.width > 0, receipt.size_bytes, receipt.uploaded_by) == (
        "image/jpeg", True, len(data), alice)
    assert len(receipt.sha256) == 64 and receipt.phash and receipt.thumbnail and receipt.preview
    assert receipt.ocr_status == Receipt.OcrStatus.PENDING
    assert result.created_line and result.line.claim_id == draft.pk
    enqueue.assert_called_once_with(receipt.pk)
    assert list(receipt.events.values_list("kind", flat=True)) == [ReceiptEvent.Kind.UPLOADED]


def test_several_files_make_one_line_each(draft, alice):
    results, _ = upload(draft, alice, png_upload("a.png"), png_upload("b.png", color=(0, 0, 0)))
    assert len({r.line.pk for r in results}) == 2
    assert ClaimLine.objects.filter(claim=draft).count() == 2
    draft.refresh_from_db()
    assert draft.version == 2


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.jpg", b"", "empty"),
        ("text.jpg", b"this is not an image at all", "unsupported_type"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10"/></svg>',
         "unsupported_type"),
        ("cut.jpg", None, "corrupt"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(draft, alice, name, content, code, receipts_dir):
    if content is None:  # a truncated JPEG
        content = sample_upload().read()[:5000]
    with pytest.raises(ApplicationError) as excinfo:
        upload(draft, alice, png_upload("good.png"), SimpleUploadedFile(name, content))
    assert excinfo.value.extra["code"] == code and name in excinfo.value.message
    assert not Receipt.objects.exists() and not ClaimLine.objects.filter(claim=draft).exists()
    assert not any(receipts_dir.rglob("*.*"))


def test_a_huge_file_is_refused(draft, alice, settings):
    settings.SEISAN_RECEIPT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\0" * (2 * 1024 * 1024))
    with pytest.raises(ApplicationError) as excinfo:
        upload(draft, alice, big)
    assert excinfo.value.extra["code"] == "too_large"


def test_upload_succeeds_when_the_broker_is_down(draft, alice, django_capture_on_commit_callbacks):
    with mock.patch("expenses.tasks.ocr_receipt.apply_async", side_effect=ConnectionRefusedError("no broker")), \
            django_capture_on_commit_callbacks(execute=True):
        [result] = check_upload_receipts(draft.pk, [png_upload()], acting_user=alice)
    receipt = Receipt.objects.get(pk=result.receipt.pk)
    assert receipt.ocr_status == Receipt.OcrStatus.PENDING and receipt.ocr_enqueued_at is None
    # Once the broker is back, the sweeper queues it.
    Receipt.objects.filter(pk=receipt.pk).update(uploaded_at=receipt.uploaded_at - datetime.timedelta(minutes=10))
    with mock.patch("expenses.tasks.ocr_receipt.apply_async") as publish:
        assert do_sweep_receipts() == 1
    publish.assert_called_once_with(args=[receipt.pk], retry=False)
    assert Receipt.objects.get(pk=receipt.pk).ocr_enqueued_at is not None


def test_sweeper_requeues_receipts_stuck_in_processing(draft, alice):
    [result], _ = upload(draft, alice, png_upload())
    old = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    Receipt.objects.filter(pk=result.receipt.pk).update(ocr_status=Receipt.OcrStatus.PROCESSING, ocr_started_at=old)
    with mock.patch("expenses.tasks.ocr_receipt.apply_async") as publish:
        assert do_sweep_receipts() == 1
    assert Receipt.objects.get(pk=result.receipt.pk).ocr_status == Receipt.OcrStatus.PENDING
    publish.assert_called_once()


def test_sweeper_gives_up_on_a_receipt_whose_reading_killed_the_worker_every_time(draft, alice, settings):
    """
    GIVEN: a receipt stuck in PROCESSING after its third try (each try killed the worker: out of
    memory, a crash, the hard time limit), and another stuck after its first
    WHEN: the sweeper runs
    THEN: the first is marked failed for manual entry, with an audit event, and not queued again;
    the second is queued again; reading the first again by hand starts its count afresh
    """
    settings.SEISAN_OCR_MAX_ATTEMPTS = 3
    [hopeless], _ = upload(draft, alice, png_upload())
    [unlucky], _ = upload(draft, alice, png_upload("other.png", color=(7, 7, 7)))
    old = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    Receipt.objects.filter(pk=hopeless.receipt.pk).update(
        ocr_status=Receipt.OcrStatus.PROCESSING, ocr_started_at=old, ocr_attempts=3)
    Receipt.objects.filter(pk=unlucky.receipt.pk).update(
        ocr_status=Receipt.OcrStatus.PROCESSING, ocr_started_at=old, ocr_attempts=1)

    with mock.patch("expenses.tasks.ocr_receipt.apply_async") as publish:
        assert do_sweep_receipts() == 1

    publish.assert_called_once_with(args=[unlucky.receipt.pk], retry=False)
    receipt = Receipt.objects.get(pk=hopeless.receipt.pk)
    assert receipt.ocr_status == Receipt.OcrStatus.FAILED
    assert "3回" in receipt.ocr_error
    event = receipt.events.get(kind=ReceiptEvent.Kind.OCR_FAILED)
    assert event.detail["attempts"] == 3
    assert Receipt.objects.get(pk=unlucky.receipt.pk).ocr_status == Receipt.OcrStatus.PENDING

    with mock.patch("expenses.services.receipts.enqueue_ocr"):
        check_reread_receipt(hopeless.receipt.pk, acting_user=alice)
    receipt.refresh_from_db()
    assert (receipt.ocr_status, receipt.ocr_attempts, receipt.ocr_error) == (Receipt.OcrStatus.PENDING, 0, "")


def test_submitted_receipts_are_immutable(draft, alice, categories):
    [result], _ = upload(draft, alice, png_upload())
    check_update_claim(draft.pk, acting_user=alice, expected_version=None, data=claim_input(
        title="領収書テスト", lines=[line(categories, "TAXI", 1200, vendor="日本交通")]))
    # the line list above replaced the receipt's line: its receipt is logically deleted, never removed
    receipt = Receipt.objects.get(pk=result.receipt.pk)
    assert receipt.deleted_at is not None and receipt.original.storage.exists(receipt.original.name)
    [result], _ = upload(draft, alice, png_upload("new.png", color=(1, 2, 3)),
                         line_id=ClaimLine.objects.get(claim=draft).pk)
    check_submit_claim(draft.pk, acting_user=alice)
    for action in (lambda: check_delete_receipt(result.receipt.pk, acting_user=alice),
                   lambda: check_replace_receipt(result.receipt.pk, png_upload(), acting_user=alice),
                   lambda: upload(draft, alice, png_upload())):
        with pytest.raises(ApplicationError):
            action()
    assert draft.__class__.objects.get(pk=draft.pk).status == ClaimStatus.SUBMITTED


def test_replacing_keeps_the_old_version_with_who_and_when(draft, alice):
    [result], _ = upload(draft, alice, png_upload())
    with mock.patch("expenses.services.receipts.enqueue_ocr"):
        new = check_replace_receipt(result.receipt.pk, png_upload("fixed.png", color=(9, 9, 9)), acting_user=alice)
    old = Receipt.objects.get(pk=result.receipt.pk)
    assert old.replaced_at is not None and new.supersedes_id == old.pk and new.line_id == old.line_id
    assert old.events.filter(kind=ReceiptEvent.Kind.REPLACED, actor=alice).exists()
    assert Receipt.objects.count() == 2  # nothing physically deleted


def test_receipt_history_is_append_only(draft, alice):
    [result], _ = upload(draft, alice, png_upload())
    with pytest.raises(InternalError), transaction.atomic():
        ReceiptEvent.objects.filter(receipt=result.receipt).update(detail={"x": 1})


def test_only_the_applicant_accounting_and_reviewers_see_a_receipt(draft, alice, dave, department):
    [result], _ = upload(draft, alice, png_upload())
    assert access_receipt(alice, result.receipt.pk) == result.receipt
    with pytest.raises(NotFoundOrForbidden):
        access_receipt(dave, result.receipt.pk)
    carol = make_user("carol", roles=("employee", "accounting"))
    assert access_receipt(carol, result.receipt.pk).pk == result.receipt.pk
    with pytest.raises(NotFoundOrForbidden):
        check_delete_receipt(result.receipt.pk, acting_user=dave)


def test_ocr_fills_only_empty_fields(draft, alice, categories):
    [result], _ = upload(draft, alice, png_upload())
    row = result.line
    row.vendor = "自分で入力した店名"
    row.save()
    reading = {"issue_date": "2026-10-03", "total": 2921, "vendor": "まいにちストア",
               "registration_number": "T4011001098993", "tax_breakdown": {"8": {"taxable": 2921, "tax": 216}},
               "confidence": {}}
    fill = fill_line_from_reading(row, reading, LineContext.load())
    row.refresh_from_db()
    assert fill.rate_line is None
    assert set(fill.filled) == {"expense_date", "amount", "registration_number_raw", "tax_category"}
    assert (row.vendor, row.amount, row.expense_date) == ("自分で入力した店名", 2921, datetime.date(2026, 10, 3))
    assert (row.tax_category, row.tax_rate, row.tax_amount, row.registration_status) == ("reduced", 8, 216, "ok")


def test_an_editor_save_with_empty_fields_keeps_what_ocr_filled(draft, alice, categories):
    [result], _ = upload(draft, alice, png_upload())
    fill_line_from_reading(result.line, {"issue_date": "2026-10-03", "total": 1500, "vendor": "店",
                                         "tax_breakdown": {}, "confidence": {}}, LineContext.load())
    stale = line(categories, "SUPPLIES", None, day=None)
    stale.amount, stale.expense_date, stale.id = None, None, result.line.pk
    claim = check_update_claim(draft.pk, acting_user=alice, expected_version=None,
                               data=claim_input(title="領収書テスト", lines=[stale]))
    saved = ClaimLine.objects.get(pk=result.line.pk)
    assert (saved.amount, saved.expense_date, saved.vendor) == (1500, datetime.date(2026, 10, 3), "店")
    assert claim.total_amount == 1500
