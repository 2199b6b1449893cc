"""Receipt endpoints for the claim editor (JSON) and the access-checked file view. No public URLs."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import ApplicationError, NotFoundOrForbidden
from expenses.duplicates import duplicate_warnings
from expenses.models import Receipt
from expenses.selectors import access_claim, access_receipt, get_claim_lines
from expenses.services.receipts import (
    check_delete_receipt,
    check_replace_receipt,
    check_reread_receipt,
    check_upload_receipts,
)

VARIANTS = {"original", "preview", "thumbnail"}


def receipt_payload(receipt: Receipt) -> dict:
    return {
        "id": receipt.pk,
        "line": receipt.line_id,
        "name": receipt.original_name,
        "status": receipt.ocr_status,
        "status_label": str(receipt.get_ocr_status_display()),
        "error": receipt.ocr_error,
        "result": receipt.ocr_result if receipt.ocr_status == Receipt.OcrStatus.DONE else None,
        "thumbnail": receipt.thumbnail_url,
        "preview": receipt.preview_url,
        "original": receipt.original_url,
        "dpi": receipt.dpi,
        "low_resolution": bool(receipt.dpi and receipt.dpi < 200),
    }


def _error(exc: ApplicationError, status: int = 400) -> JsonResponse:
    return JsonResponse({"message": exc.message, "extra": exc.extra}, status=status)


@login_required
@require_GET
def receipt_file(request: HttpRequest, receipt_id: int, variant: str) -> FileResponse:
    if variant not in VARIANTS:
        raise Http404
    try:
        receipt = access_receipt(request.user, receipt_id)
    except NotFoundOrForbidden as exc:
        raise Http404 from exc
    field = getattr(receipt, variant)
    if not field:
        raise Http404
    content_type = receipt.mime if variant == "original" else "image/jpeg"
    response = FileResponse(field.open("rb"), content_type=content_type,
                            filename=receipt.original_name if variant == "original" else None)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


@login_required
@require_POST
def claim_receipts_upload(request: HttpRequest, claim_id: int) -> JsonResponse:
    line_id = request.POST.get("line") or None
    try:
        results = check_upload_receipts(claim_id, request.FILES.getlist("files"), acting_user=request.user,
                                        line_id=int(line_id) if line_id and line_id.isdigit() else None)
    except NotFoundOrForbidden as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        return _error(exc)
    claim = access_claim(request.user, claim_id)
    return JsonResponse({
        "version": claim.version,
        "receipts": [{**receipt_payload(r.receipt), "created_line": r.created_line} for r in results],
    }, status=201)


@login_required
@require_GET
def claim_receipts_status(request: HttpRequest, claim_id: int) -> JsonResponse:
    try:
        claim = access_claim(request.user, claim_id)
    except NotFoundOrForbidden as exc:
        raise Http404 from exc
    lines = get_claim_lines(claim)
    receipts = [receipt for line in lines for receipt in line.receipts.all()]
    return JsonResponse({
        "version": claim.version,
        "receipts": [receipt_payload(r) for r in receipts],
        "duplicates": {str(k): v for k, v in duplicate_warnings(claim, lines).items()},
        # Mixed-rate receipts split into one line per rate: the editor fills both rows from this.
        "rate_lines": [{"line": line.pk, "receipt_line": line.receipt_line_id, "amount": line.amount,
                        "receipt_line_amount": line.receipt_line.amount} for line in lines
                       if line.receipt_line_id],
    })


def _receipt_action(request: HttpRequest, action) -> JsonResponse:
    try:
        receipt = action()
    except NotFoundOrForbidden as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        return _error(exc)
    return JsonResponse({"receipt": receipt_payload(receipt) if receipt else None})


@login_required
@require_POST
def receipt_reread(request: HttpRequest, receipt_id: int) -> JsonResponse:
    return _receipt_action(request, lambda: check_reread_receipt(receipt_id, acting_user=request.user))


@login_required
@require_POST
def receipt_replace(request: HttpRequest, receipt_id: int) -> JsonResponse:
    upload = request.FILES.get("file")
    if upload is None:
        return _error(ApplicationError(gettext("ファイルを選択してください。")))
    return _receipt_action(request, lambda: check_replace_receipt(receipt_id, upload, acting_user=request.user))


@login_required
@require_POST
def receipt_delete(request: HttpRequest, receipt_id: int) -> JsonResponse:
    return _receipt_action(request, lambda: check_delete_receipt(receipt_id, acting_user=request.user))
