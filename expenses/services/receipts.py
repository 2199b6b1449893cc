"""Receipt write paths: upload, OCR (run by the worker), read again, replace, delete (logical only)."""

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import timedelta

import imagehash
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from expenses.models import Claim, ClaimLine, Receipt, ReceiptEvent
from expenses.ocr.loading import LoadedReceipt, ReceiptFileError, load_receipt, make_preview, make_thumbnail
from expenses.selectors import access_claim, get_claim_lines
from expenses.services.lines import LineContext, recompute_totals
from expenses.services.receipt_fill import fill_line_from_reading
from expenses.services.transit import finish_claim_write

logger = logging.getLogger(__name__)

MAX_FILES_PER_UPLOAD = 20


@dataclass
class UploadResult:
    receipt: Receipt
    line: ClaimLine
    created_line: bool


def _editable_claim(claim_id: int, acting_user) -> Claim:
    claim = access_claim(acting_user, claim_id, for_update=True)
    if not claim.is_editable:
        raise ApplicationError(_("提出済みの申請の領収書は変更できません（電子帳簿保存法により保存されています）。"))
    return claim


def _inspect(upload) -> tuple[bytes, LoadedReceipt]:
    """Read and validate one uploaded file; refuse anything that is not a sound receipt image or PDF."""
    data = upload.read(settings.SEISAN_RECEIPT_MAX_BYTES + 1)
    return data, _load(io.BytesIO(data))


def _load(source) -> LoadedReceipt:
    return load_receipt(source, max_bytes=settings.SEISAN_RECEIPT_MAX_BYTES,
                        max_pixels=settings.SEISAN_RECEIPT_MAX_PIXELS)


def _save_renderings(receipt: Receipt, image) -> None:
    """Write the preview and thumbnail files (the row is saved or updated by the caller)."""
    receipt.preview.save("preview.jpg", ContentFile(make_preview(image)), save=False)
    receipt.thumbnail.save("thumb.jpg", ContentFile(make_thumbnail(image)), save=False)


def _store(claim: Claim, line: ClaimLine, upload_name: str, data: bytes, loaded: LoadedReceipt,
           acting_user, supersedes: Receipt | None = None) -> Receipt:
    name = (upload_name or "receipt")[:200]
    dpi = round(loaded.dpi[0]) if loaded.dpi and loaded.dpi[0] else None
    receipt = Receipt(
        claim=claim, line=line, uploaded_by=acting_user, original_name=name, mime=loaded.mime,
        size_bytes=len(data), width=loaded.width, height=loaded.height, dpi=dpi,
        sha256=hashlib.sha256(data).hexdigest(), phash=str(imagehash.phash(loaded.image)),
        kind=Receipt.Kind.ELECTRONIC if loaded.mime == "application/pdf" else Receipt.Kind.SCAN,
        supersedes=supersedes,
    )
    receipt.original.save(name, ContentFile(data), save=False)
    _save_renderings(receipt, loaded.image)
    receipt.save()
    ReceiptEvent.objects.create(receipt=receipt, kind=ReceiptEvent.Kind.UPLOADED, actor=acting_user,
                                detail={"sha256": receipt.sha256, "name": name, "size": len(data)})
    _enqueue_ocr_on_commit(receipt.pk)
    return receipt


def _enqueue_ocr_on_commit(receipt_id: int) -> None:
    transaction.on_commit(lambda: enqueue_ocr(receipt_id))


def enqueue_ocr(receipt_id: int) -> bool:
    """Publish the OCR task. A down broker is logged, not raised: the row stays PENDING for the sweeper."""
    from expenses.tasks import ocr_receipt as ocr_receipt_task

    try:
        ocr_receipt_task.apply_async(args=[receipt_id], retry=False)
    except Exception:  # any broker/connection failure: the sweeper re-queues later
        logger.warning("could not enqueue OCR for receipt %s; the sweeper will retry", receipt_id, exc_info=True)
        return False
    Receipt.objects.filter(pk=receipt_id).update(ocr_enqueued_at=timezone.now())
    return True


@transaction.atomic
def check_upload_receipts(claim_id: int, files: list, *, acting_user, line_id: int | None = None) -> list[UploadResult]:
    """Attach receipts: to `line_id`, or one new line per file. All files are checked before any is stored."""
    if not files:
        raise ApplicationError(_("ファイルを選択してください。"))
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise ApplicationError(_("一度にアップロードできるのは%(n)d件までです。") % {"n": MAX_FILES_PER_UPLOAD})
    claim = _editable_claim(claim_id, acting_user)
    inspected = []
    for upload in files:
        try:
            inspected.append((upload, *_inspect(upload)))
        except ReceiptFileError as exc:
            raise ApplicationError(
                _("%(name)s: %(message)s") % {"name": getattr(upload, "name", ""), "message": exc.message},
                extra={"code": exc.code, "file": getattr(upload, "name", "")},
            ) from exc
    target = None
    if line_id is not None:
        target = ClaimLine.objects.filter(claim=claim, pk=line_id).first()
        if target is None:
            raise ApplicationError(_("明細が見つかりません。画面を更新してください。"))
    results = []
    position = ClaimLine.objects.filter(claim=claim).count()
    for upload, data, loaded in inspected:
        line, created = target, False
        if line is None:
            position += 1
            line = ClaimLine.objects.create(claim=claim, position=position, tax_category="",
                                            payment_method=ClaimLine.PaymentMethod.EMPLOYEE)
            created = True
        results.append(UploadResult(_store(claim, line, getattr(upload, "name", ""), data, loaded, acting_user),
                                    line, created))
    Claim.objects.filter(pk=claim.pk).update(version=F("version") + 1, line_count=position,
                                             updated_at=timezone.now())
    return results


@transaction.atomic
def check_replace_receipt(receipt_id: int, upload, *, acting_user) -> Receipt:
    """Correction: the old version stays (replaced_at set) and the new one supersedes it (R7.4)."""
    old = access_receipt_for_owner(acting_user, receipt_id)
    claim = _editable_claim(old.claim_id, acting_user)
    if not old.is_current:
        raise ApplicationError(_("この領収書はすでに差し替えまたは削除されています。"))
    try:
        data, loaded = _inspect(upload)
    except ReceiptFileError as exc:
        raise ApplicationError(str(exc.message), extra={"code": exc.code}) from exc
    now = timezone.now()
    Receipt.objects.filter(pk=old.pk).update(replaced_at=now)
    new = _store(claim, old.line, getattr(upload, "name", ""), data, loaded, acting_user, supersedes=old)
    ReceiptEvent.objects.create(receipt=old, kind=ReceiptEvent.Kind.REPLACED, actor=acting_user,
                                detail={"replaced_by": new.pk})
    return new


@transaction.atomic
def check_delete_receipt(receipt_id: int, *, acting_user) -> None:
    receipt = access_receipt_for_owner(acting_user, receipt_id)
    _editable_claim(receipt.claim_id, acting_user)
    if Receipt.objects.filter(pk=receipt.pk, deleted_at__isnull=True).update(
        deleted_at=timezone.now(), deleted_by=acting_user
    ) == 1:
        ReceiptEvent.objects.create(receipt=receipt, kind=ReceiptEvent.Kind.DELETED, actor=acting_user)


def do_delete_receipts_of_lines(line_ids: list[int], *, acting_user) -> None:
    """Lines removed from a draft take their receipts with them, logically (never physically)."""
    receipts = list(Receipt.objects.filter(line_id__in=line_ids, deleted_at__isnull=True))
    if not receipts:
        return
    Receipt.objects.filter(pk__in=[r.pk for r in receipts]).update(deleted_at=timezone.now(), deleted_by=acting_user)
    ReceiptEvent.objects.bulk_create(
        [ReceiptEvent(receipt=r, kind=ReceiptEvent.Kind.DELETED, actor=acting_user, detail={"line_removed": r.line_id})
         for r in receipts]
    )


@transaction.atomic
def check_reread_receipt(receipt_id: int, *, acting_user) -> Receipt:
    receipt = access_receipt_for_owner(acting_user, receipt_id)
    _editable_claim(receipt.claim_id, acting_user)
    updated = Receipt.objects.filter(pk=receipt.pk, ocr_status__in=[Receipt.OcrStatus.DONE, Receipt.OcrStatus.FAILED]
                                     ).update(ocr_status=Receipt.OcrStatus.PENDING, ocr_error="", ocr_attempts=0)
    if updated:
        ReceiptEvent.objects.create(receipt=receipt, kind=ReceiptEvent.Kind.REREAD, actor=acting_user)
        _enqueue_ocr_on_commit(receipt.pk)
    receipt.refresh_from_db()
    return receipt


def access_receipt_for_owner(user, receipt_id: int) -> Receipt:
    from expenses.selectors import access_receipt

    receipt = access_receipt(user, receipt_id)
    if receipt.claim.applicant_id != user.pk:
        from core.exceptions import NotFoundOrForbidden

        raise NotFoundOrForbidden
    return receipt


# --- OCR, run by the worker -----------------------------------------------------------------------------


def do_run_receipt_ocr(receipt_id: int) -> str:
    """Claim the row, OCR outside any transaction, then store the result in one short transaction.

    Returns what happened (for logs and tests). Safe to run twice: a second run finds nothing to claim."""
    from expenses.ocr.pipeline import read_receipt_file

    now = timezone.now()
    claimed = Receipt.objects.filter(pk=receipt_id, ocr_status=Receipt.OcrStatus.PENDING).update(
        ocr_status=Receipt.OcrStatus.PROCESSING, ocr_started_at=now, ocr_attempts=F("ocr_attempts") + 1
    )
    if claimed != 1:
        return "skipped"
    receipt = Receipt.objects.get(pk=receipt_id)
    try:
        with receipt.original.open("rb") as handle:
            reading = read_receipt_file(handle, langs=settings.SEISAN_OCR_LANGS)
    except ReceiptFileError as exc:
        _store_failure(receipt, str(exc.message))
        return "failed"
    except (OSError, TimeoutError):
        # Transient (disk, Tesseract killed by a limit): back to PENDING so the retry can claim it again.
        Receipt.objects.filter(pk=receipt_id, ocr_status=Receipt.OcrStatus.PROCESSING).update(
            ocr_status=Receipt.OcrStatus.PENDING)
        raise
    except Exception as exc:  # a Tesseract or parser bug must not leave the row stuck in PROCESSING
        logger.exception("OCR failed for receipt %s", receipt_id)
        _store_failure(receipt, _("読み取りに失敗しました。手入力してください。（%(error)s）") % {"error": type(exc).__name__})
        return "failed"
    _store_reading(receipt_id, reading, _turned_renderings(receipt, reading.page_turn))
    return "done"


def _turned_renderings(receipt: Receipt, degrees: int) -> dict[str, str]:
    """The preview and thumbnail made again, turned as OCR turned the photo to read it (it lay
    sideways or upside down with no EXIF orientation), so that everyone sees the receipt upright.
    Stored before the row is updated (no file writes inside the transaction); the original is
    untouched. Returns the new file names by field, none when the photo was read as it lay."""
    if not degrees:
        return {}
    try:
        with receipt.original.open("rb") as handle:
            loaded = _load(handle)
    except (ReceiptFileError, OSError):
        logger.warning("receipt %s: could not render its preview turned by %s degrees", receipt.pk, degrees)
        return {}
    _save_renderings(receipt, loaded.image.rotate(degrees, expand=True))
    return {"preview": receipt.preview.name, "thumbnail": receipt.thumbnail.name}


def _store_failure(receipt: Receipt, message: str, **detail) -> bool:
    """Only from PROCESSING: the sweeper and a late worker must not both record an end."""
    with transaction.atomic():
        updated = Receipt.objects.filter(pk=receipt.pk, ocr_status=Receipt.OcrStatus.PROCESSING).update(
            ocr_status=Receipt.OcrStatus.FAILED, ocr_error=message[:300], ocr_finished_at=timezone.now())
        if updated:
            ReceiptEvent.objects.create(receipt=receipt, kind=ReceiptEvent.Kind.OCR_FAILED,
                                        detail={"error": message, **detail})
    return bool(updated)


@transaction.atomic
def _store_reading(receipt_id: int, reading, turned: dict[str, str]) -> None:
    receipt = Receipt.objects.select_for_update().get(pk=receipt_id)
    result = reading.to_json_dict()
    result["tax_basis"] = reading.tax_basis.value
    result["page_turn"] = reading.page_turn
    Receipt.objects.filter(pk=receipt.pk).update(
        ocr_status=Receipt.OcrStatus.DONE, ocr_text=reading.raw_text[:20000], ocr_result=result,
        ocr_finished_at=timezone.now(), ocr_error="", **turned,
    )
    detail = {"seconds": result.get("seconds")}
    if turned:
        detail["page_turn"] = reading.page_turn
    claim = Claim.objects.select_for_update().get(pk=receipt.claim_id)
    if receipt.line_id is None or not claim.is_editable or not receipt.is_current:
        # the claim moved on: keep the reading for reviewers, change no line
        ReceiptEvent.objects.create(receipt=receipt, kind=ReceiptEvent.Kind.OCR_DONE, detail=detail)
        return
    line = ClaimLine.objects.select_related("category").get(pk=receipt.line_id)
    split = fill_line_from_reading(line, result, LineContext.load()).split_detail()
    if split is None:
        recompute_totals(claim, get_claim_lines(claim))
        claim.save(update_fields=["total_amount", "taxable_10_amount", "tax_10_amount", "taxable_8_amount",
                                  "tax_8_amount", "other_amount", "line_count"])
    else:
        # A line was added, as by any claim write: new version (an editor holding the old one must
        # reload, not save over it) and an audit event.
        detail["split_by_tax_rate"] = split
        finish_claim_write(claim, acting_user=receipt.uploaded_by,
                           diff={"lines_added": 1, "split_by_tax_rate": split, "source": "ocr"})
    ReceiptEvent.objects.create(receipt=receipt, kind=ReceiptEvent.Kind.OCR_DONE, detail=detail)


def list_receipts_to_sweep(*, now, stuck_after: timedelta, unqueued_after: timedelta) -> list[int]:
    """Receipts whose OCR never started (enqueue failed) or whose worker died mid-way."""
    stuck = Receipt.objects.filter(ocr_status=Receipt.OcrStatus.PROCESSING, ocr_started_at__lt=now - stuck_after)
    waiting = Receipt.objects.filter(ocr_status=Receipt.OcrStatus.PENDING, uploaded_at__lt=now - unqueued_after)
    return list(stuck.values_list("pk", flat=True)) + list(waiting.values_list("pk", flat=True))


def do_sweep_receipts(*, now=None) -> int:
    """Queue the receipts to sweep again; give up on those whose reading never finished however often
    it was tried (each try killed the worker). Returns how many were queued."""
    now = now or timezone.now()
    ids = list_receipts_to_sweep(now=now, stuck_after=timedelta(minutes=settings.SEISAN_OCR_STUCK_MINUTES),
                                 unqueued_after=timedelta(minutes=settings.SEISAN_OCR_REQUEUE_MINUTES))
    hopeless = Receipt.objects.filter(pk__in=ids, ocr_status=Receipt.OcrStatus.PROCESSING,
                                      ocr_attempts__gte=settings.SEISAN_OCR_MAX_ATTEMPTS)
    given_up = set()
    for receipt in hopeless:
        message = _("読み取りが%(attempts)s回とも完了しませんでした。手入力するか、別の画像をアップロードしてください。") % {
            "attempts": receipt.ocr_attempts}
        if _store_failure(receipt, message, attempts=receipt.ocr_attempts):
            given_up.add(receipt.pk)
    Receipt.objects.filter(pk__in=ids, ocr_status=Receipt.OcrStatus.PROCESSING).update(
        ocr_status=Receipt.OcrStatus.PENDING)
    return sum(1 for receipt_id in ids if receipt_id not in given_up and enqueue_ocr(receipt_id))
