"""Accounting pages. Each view checks the accounting role; others get 404."""

import tempfile
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounting.forms import ReceiptSearchForm
from expenses.audit import audit_csv_bytes, list_receipts_for_audit, write_audit_zip
from people.roles import Role, has_role

MAX_ZIP_RECEIPTS = 2000


def accounting_required(view):
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not (has_role(request.user, Role.ACCOUNTING) or has_role(request.user, Role.ADMIN)):
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
