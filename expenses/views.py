"""Employee pages: my claims, the claim editor, the read-only claim and its submission."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.transitions import ClaimStatus
from core.exceptions import ApplicationError, ConflictError, NotFoundOrForbidden, ValidationFailed
from core.models import CompanySettings
from expenses.forms import (
    ClaimHeaderForm,
    attach_errors,
    build_line_formset,
    choice_lists,
    claim_input_from_forms,
    formset_post_data,
    line_initial,
)
from expenses.models import DatedLimit, TaxRate
from expenses.selectors import access_claim, get_claim_events, get_claim_lines, list_claims_for_user
from expenses.services.claims import check_create_claim, check_submit_claim, check_update_claim
from expenses.services.lines import entertainment_summary

PAGE_SIZE = 20


def _claim_or_404(request: HttpRequest, claim_id: int):
    try:
        return access_claim(request.user, claim_id)
    except NotFoundOrForbidden as exc:
        raise Http404 from exc


def _parse_date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def claim_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in ClaimStatus.values:
        status = None
    query = (request.GET.get("q") or "").strip()[:100]
    claims = list_claims_for_user(
        request.user,
        status=status,
        query=query or None,
        date_from=_parse_date(request.GET.get("from")),
        date_to=_parse_date(request.GET.get("to")),
    )
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "expenses/claim_list.html",
        {"page": page, "status": status or "", "q": query, "statuses": ClaimStatus.choices,
         "date_from": request.GET.get("from", ""), "date_to": request.GET.get("to", "")},
    )


def _editor_context(request, *, claim, header, formset, choices, general_errors=()) -> dict:
    rates = {r.tax_category: r.percent for r in TaxRate.objects.filter(valid_to__isnull=True)}
    return {
        "claim": claim,
        "header": header,
        "formset": formset,
        "categories": choices["categories"],
        "rates": rates,
        "rounding": CompanySettings.load().tax_rounding,
        "general_errors": general_errors,
    }


def _render_submission_errors(request: HttpRequest, claim, exc: ValidationFailed) -> HttpResponse:
    """The draft is saved; show why it cannot be submitted beside the fields of the stored lines."""
    choices = choice_lists()
    lines = get_claim_lines(claim)
    header = ClaimHeaderForm({"title": claim.title, "purpose": claim.purpose, "version": claim.version})
    formset = build_line_formset(choices, data=formset_post_data(lines))
    header.is_valid()
    formset.is_valid()
    general = attach_errors(header, formset, exc.extra.get("fields", {}), list(range(len(lines))))
    messages.error(request, exc.message)
    return render(request, "expenses/claim_edit.html",
                  _editor_context(request, claim=claim, header=header, formset=formset, choices=choices,
                                  general_errors=general), status=400)


def _submit(request: HttpRequest, claim, *, expected_version: int | None) -> HttpResponse:
    try:
        check_submit_claim(claim.pk, acting_user=request.user, expected_version=expected_version)
    except ValidationFailed as exc:
        return _render_submission_errors(request, claim, exc)
    except ApplicationError as exc:  # already submitted (a double click) or changed elsewhere
        messages.info(request, exc.message)
        return redirect("expenses:claim-detail", claim_id=claim.pk)
    messages.success(request, _("申請を提出しました（%(number)s）。") % {"number": claim.number})
    return redirect("expenses:claim-detail", claim_id=claim.pk)


def _save(request: HttpRequest, claim) -> HttpResponse:
    """Handle the editor's POST for a new (claim=None) or existing claim."""
    choices = choice_lists()
    header = ClaimHeaderForm(request.POST)
    formset = build_line_formset(choices, data=request.POST)
    submit = "submit" in request.POST
    if not (header.is_valid() and formset.is_valid()):
        messages.error(request, _("入力内容を確認してください。"))
        return render(request, "expenses/claim_edit.html",
                      _editor_context(request, claim=claim, header=header, formset=formset, choices=choices),
                      status=400)
    data, rows = claim_input_from_forms(header, formset)
    try:
        if claim is None:
            claim = check_create_claim(acting_user=request.user, data=data)
        else:
            claim = check_update_claim(
                claim.pk, acting_user=request.user, data=data, expected_version=header.cleaned_data.get("version")
            )
    except ValidationFailed as exc:
        general = attach_errors(header, formset, exc.extra.get("fields", {}), rows)
        messages.error(request, exc.message)
        return render(request, "expenses/claim_edit.html",
                      _editor_context(request, claim=claim, header=header, formset=formset, choices=choices,
                                      general_errors=general), status=400)
    except ConflictError as exc:
        messages.error(request, exc.message)
        return render(request, "expenses/claim_edit.html",
                      _editor_context(request, claim=claim, header=header, formset=formset, choices=choices),
                      status=409)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("expenses:claim-detail", claim_id=claim.pk)
    if not submit:
        messages.success(request, _("下書きを保存しました。"))
        return redirect("expenses:claim-edit", claim_id=claim.pk)
    return _submit(request, claim, expected_version=claim.version)


@login_required
def claim_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    choices = choice_lists()
    header = ClaimHeaderForm()
    formset = build_line_formset(choices, initial=[{"expense_date": None}])
    return render(request, "expenses/claim_edit.html",
                  _editor_context(request, claim=None, header=header, formset=formset, choices=choices))


@login_required
def claim_edit(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim_or_404(request, claim_id)
    if not claim.is_editable:
        messages.info(request, _("提出済みの申請は編集できません。"))
        return redirect("expenses:claim-detail", claim_id=claim.pk)
    if request.method == "POST":
        return _save(request, claim)
    choices = choice_lists()
    header = ClaimHeaderForm(initial={"title": claim.title, "purpose": claim.purpose, "version": claim.version})
    formset = build_line_formset(choices, initial=[line_initial(line) for line in get_claim_lines(claim)])
    return render(request, "expenses/claim_edit.html",
                  _editor_context(request, claim=claim, header=header, formset=formset, choices=choices))


@login_required
def claim_detail(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim_or_404(request, claim_id)
    lines = get_claim_lines(claim)
    limits = list(DatedLimit.objects.all())
    rows = [{"line": line, "entertainment": entertainment_summary(line, limits)} for line in lines]
    return render(request, "expenses/claim_detail.html",
                  {"claim": claim, "rows": rows, "events": get_claim_events(claim)})


@login_required
@require_POST
def claim_submit(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim_or_404(request, claim_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    return _submit(request, claim, expected_version=version)
