"""Accounting pages. Each view checks the accounting role; others get 404."""

import datetime
import tempfile
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounting import selectors, services
from accounting.charts import month_range, monthly_stacked_bars
from accounting.downloads import export_file_response, payment_file_response
from accounting.forms import ExportForm, PaymentForm, ReceiptSearchForm
from accounting.pdf import claim_pdf as claim_pdf_bytes
from core.calendar import roll_to_business_day
from core.exceptions import ApplicationError, NotFoundOrForbidden
from core.models import CompanySettings
from expenses.audit import audit_csv_bytes, list_receipts_for_audit, write_audit_zip
from expenses.models import Claim
from expenses.selectors import can_review_claim, get_claim_events, get_claim_lines

MAX_ZIP_RECEIPTS = 2000


def accounting_required(view):
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not selectors.is_accounting_user(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@accounting_required
def receipt_search(request: HttpRequest) -> HttpResponse:
    form = ReceiptSearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid():
        receipts = list_receipts_for_audit(form.to_search())
        export = request.GET.get("export")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if export == "csv":
            response = HttpResponse(audit_csv_bytes(receipts.iterator()), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="receipts-{stamp}.csv"'
            return response
        if export == "zip":
            handle = tempfile.TemporaryFile()
            write_audit_zip(receipts[:MAX_ZIP_RECEIPTS], handle)
            handle.seek(0)
            return FileResponse(handle, as_attachment=True, filename=f"receipts-{stamp}.zip",
                                content_type="application/zip")
        page = Paginator(receipts, 50).get_page(request.GET.get("page"))
    return render(request, "accounting/receipt_search.html", {"form": form, "page": page,
                                                               "query": request.GET.urlencode()})


# --- dashboard, confirmation, exports, payments, 精算書 PDF -------------------------------------------


def _run(request: HttpRequest, action, success: str):
    """Call one service; show its refusal as a message instead of an error page."""
    try:
        result = action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return None
    if success:
        messages.success(request, success)
    return result


@accounting_required
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    totals = selectors.monthly_totals(months=6, today=today)
    months = month_range(totals["from"], today)
    context = {
        "pending_check": selectors.list_pending_accounting_claims()[:20],
        "pending_check_count": selectors.list_pending_accounting_claims().count(),
        "to_post": selectors.list_claims_to_post()[:50],
        "to_post_count": selectors.list_claims_to_post().count(),
        "payable_count": selectors.list_payable_claims().count(),
        "unexported": selectors.count_unexported(),
        "exports": selectors.list_export_batches()[:5],
        "payments": selectors.list_payment_batches()[:5],
        "chart_departments": mark_safe(monthly_stacked_bars(  # noqa: S308 - every text is escaped in charts.py
            totals["by_department"], months=months, title=gettext("部門別の月次経費"))),
        "chart_categories": mark_safe(monthly_stacked_bars(  # noqa: S308
            totals["by_category"], months=months, title=gettext("勘定科目別の月次経費"))),
    }
    return render(request, "accounting/dashboard.html", context)


@accounting_required
@require_POST
def claim_post(request: HttpRequest, claim_id: int) -> HttpResponse:
    entry = _run(request, lambda: services.check_post_claim(claim_id, acting_user=request.user), "")
    if entry is not None:
        messages.success(request, gettext("%(number)s を計上しました（仕訳 #%(entry)s）。")
                         % {"number": entry.claim.number, "entry": entry.pk})
    return redirect("accounting:dashboard")


@accounting_required
def export_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = ExportForm(request.POST or None, initial={"format": "yayoi", "period_from": today.replace(day=1),
                                                     "period_to": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        batch = _run(request, lambda: services.check_export_journal(
            fmt=data["format"], period_from=data["period_from"], period_to=data["period_to"],
            acting_user=request.user), "")
        if batch is not None:
            return redirect("accounting:export-detail", batch.pk)
    return render(request, "accounting/exports.html", {
        "form": form, "batches": selectors.list_export_batches()[:50], "unexported": selectors.count_unexported()})


@accounting_required
def export_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _access(selectors.access_export_batch, request, batch_id)
    return render(request, "accounting/export_detail.html", {"batch": batch})


@accounting_required
def export_download(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _access(selectors.access_export_batch, request, batch_id)
    try:
        return export_file_response(batch)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("accounting:export-detail", batch.pk)


@accounting_required
@require_POST
def export_cancel(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _access(selectors.access_export_batch, request, batch_id)
    _run(request, lambda: services.check_cancel_export(batch.pk, acting_user=request.user),
         gettext("エクスポートを取り消しました。含まれていた仕訳は次回のエクスポート対象に戻りました。"))
    return redirect("accounting:export-detail", batch.pk)


@accounting_required
def payment_list(request: HttpRequest) -> HttpResponse:
    payable = list(selectors.list_payable_claims())
    choices = [(claim.pk, claim.number) for claim in payable]
    roll = CompanySettings.load().payment_day_roll  # R11.2: the suggested day follows the company's rule
    default_day = roll_to_business_day(timezone.localdate() + datetime.timedelta(days=3), roll)
    if default_day <= timezone.localdate():
        default_day = roll_to_business_day(timezone.localdate() + datetime.timedelta(days=3), "next")
    form = PaymentForm(request.POST or None, claim_choices=choices,
                       initial={"transfer_date": default_day, "claims": [c for c, _ in choices]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        batch = _run(request, lambda: services.check_create_payment_batch(
            claim_ids=data["claims"], transfer_date=data["transfer_date"], acting_user=request.user), "")
        if batch is not None:
            return redirect("accounting:payment-detail", batch.pk)
    return render(request, "accounting/payments.html", {
        "form": form, "payable": payable,
        "batches": selectors.list_payment_batches()[:50]})


@accounting_required
def payment_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _access(selectors.access_payment_batch, request, batch_id)
    return render(request, "accounting/payment_detail.html",
                  {"batch": batch, "items": selectors.get_payment_items(batch)})


@accounting_required
def payment_download(request: HttpRequest, batch_id: int) -> HttpResponse:
    return payment_file_response(_access(selectors.access_payment_batch, request, batch_id))


@accounting_required
@require_POST
def payment_mark_paid(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _access(selectors.access_payment_batch, request, batch_id)
    _run(request, lambda: services.check_mark_batch_paid(batch.pk, acting_user=request.user),
         gettext("支払済みにしました。支払仕訳を作成しました。"))
    return redirect("accounting:payment-detail", batch.pk)


@login_required
def claim_pdf(request: HttpRequest, claim_id: int) -> HttpResponse:
    """The applicant, accounting, or a reviewer of the claim; 404 for anyone else."""
    try:
        claim = Claim.objects.select_related("applicant", "department").get(pk=claim_id)
    except (Claim.DoesNotExist, ValueError):
        raise Http404 from None
    user = request.user
    if not (claim.applicant_id == user.pk or selectors.is_accounting_user(user) or can_review_claim(user, claim)):
        raise Http404
    data = claim_pdf_bytes(claim, lines=get_claim_lines(claim), events=get_claim_events(claim),
                           entry=selectors.get_active_accrual(claim.pk), company_name=CompanySettings.load().name)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="seisan-{claim.number}.pdf"'
    return response


def _access(selector, request: HttpRequest, batch_id: int):
    try:
        return selector(request.user, batch_id)
    except NotFoundOrForbidden:
        raise Http404 from None
