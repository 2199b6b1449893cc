"""Transit pages: add a trip, import IC history, business trips, commuter passes; JSON for the form."""

import base64
import binascii
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import ApplicationError, ConflictError, NotFoundOrForbidden, ValidationFailed
from expenses.fare_lookup import fare_lookup
from expenses.selectors import access_claim
from expenses.services.ic_import import check_import_ic_trips, parse_ic_history, preview_ic_import
from expenses.services.transit import check_add_transit_line, get_fare_provider
from expenses.services.transit_personal import (
    PassInput,
    check_create_commuter_pass,
    check_delete_commuter_pass,
    check_delete_favourite,
    check_repeat_trips,
    check_use_favourite,
)
from expenses.services.trips import check_create_business_trip, grade_of, preview_business_trip
from expenses.transit.ic_formats import IcImportError
from expenses.transit_forms import IcUploadForm, PassForm, TransitForm, TripForm
from expenses.transit_models import Grade, split_via
from expenses.transit_selectors import (
    list_business_trips,
    list_commuter_passes,
    list_favourites,
    list_recent_destinations,
    list_recent_trips,
    list_station_suggestions,
    list_transit_details,
)


def _claim_or_404(request: HttpRequest, claim_id: int):
    try:
        return access_claim(request.user, claim_id)
    except NotFoundOrForbidden as exc:
        raise Http404 from exc


def _editable_or_redirect(request, claim):
    if not claim.is_editable:
        messages.info(request, _("提出済みの申請は編集できません。"))
        return redirect("expenses:claim-detail", claim_id=claim.pk)
    return None


def _attach(form, exc: ValidationFailed) -> list[str]:
    """Field errors onto the form; the rest returned for the page banner."""
    general = []
    for name, message in exc.extra.get("fields", {}).items():
        if name in form.fields:
            form.add_error(name, message)
        else:
            general.append(message)
    return general


def _transit_page(request, claim, form, *, status=200, general=()) -> HttpResponse:
    today = timezone.localdate()
    form.set_trips(list_business_trips(claim))
    return render(request, "expenses/transit/line_form.html", {
        "claim": claim, "form": form, "general_errors": general, "details": list_transit_details(claim),
        "favourites": list_favourites(request.user),
        "recent": list_recent_trips(request.user, today=today, destination=request.GET.get("destination", "")[:100]),
        "destinations": list_recent_destinations(request.user, today=today),
        "destination": request.GET.get("destination", ""),
        "today": today, "provider": get_fare_provider().name,
    }, status=status)


@login_required
def transit_new(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim_or_404(request, claim_id)
    if (response := _editable_or_redirect(request, claim)) is not None:
        return response
    if request.method != "POST":
        return _transit_page(request, claim, TransitForm(initial={"expense_date": timezone.localdate(),
                                                                  "version": claim.version}))
    form = TransitForm(request.POST)
    form.set_trips(list_business_trips(claim))
    if not form.is_valid():
        messages.error(request, _("入力内容を確認してください。"))
        return _transit_page(request, claim, form, status=400)
    try:
        line = check_add_transit_line(claim.pk, acting_user=request.user, data=form.to_input(),
                                      expected_version=form.cleaned_data.get("version"))
    except ConflictError as exc:  # a double submit: the first one added the line
        messages.info(request, exc.message)
        return redirect("expenses:transit-new", claim_id=claim.pk)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return _transit_page(request, claim, form, status=400, general=_attach(form, exc))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _transit_page(request, claim, form, status=400)
    messages.success(request, _("交通費を追加しました（%(route)s ¥%(amount)s）。") % {
        "route": line.transit.route_label, "amount": f"{line.amount:,}"})
    return redirect("expenses:transit-new", claim_id=claim.pk)


@login_required
@require_POST
def favourite_use(request: HttpRequest, claim_id: int, favourite_id: int) -> HttpResponse:
    claim = _claim_or_404(request, claim_id)
    try:
        on_date = datetime.date.fromisoformat(request.POST.get("expense_date", ""))
    except ValueError:
        on_date = None
    try:
        line = check_use_favourite(claim.pk, favourite_id, acting_user=request.user, on_date=on_date)
    except NotFoundOrForbidden as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        fields = exc.extra.get("fields", {}) if isinstance(exc.extra, dict) else {}
        messages.error(request, " ".join([exc.message, *fields.values()]))
        return redirect("expenses:transit-new", claim_id=claim.pk)
    messages.success(request, _("よく使う経路から追加しました（%(route)s ¥%(amount)s）。") % {
        "route": line.transit.route_label, "amount": f"{line.amount:,}"})
    return redirect("expenses:transit-new", claim_id=claim.pk)


@login_required
@require_POST
def favourite_delete(request: HttpRequest, favourite_id: int) -> HttpResponse:
    try:
        check_delete_favourite(favourite_id, acting_user=request.user)
    except NotFoundOrForbidden as exc:
        raise Http404 from exc
    messages.success(request, _("よく使う経路を削除しました。"))
    return redirect(request.POST.get("next") or "expenses:transit-passes")


@login_required
@require_POST
def transit_repeat(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim_or_404(request, claim_id)
    ids = [int(v) for v in request.POST.getlist("detail") if v.isdigit()]
    try:
        lines = check_repeat_trips(claim.pk, acting_user=request.user, line_ids=ids)
    except ApplicationError as exc:
        fields = exc.extra.get("fields", {})
        messages.error(request, " ".join([exc.message, *fields.values()]))
        return redirect("expenses:transit-new", claim_id=claim.pk)
    messages.success(request, _("先月の交通費を%(n)d件繰り返しました。") % {"n": len(lines)})
    return redirect("expenses:transit-new", claim_id=claim.pk)


def _ic_page(request, claim, form, *, rows=None, payload="", kind="", status=200, error="",
             ignored=0) -> HttpResponse:
    return render(request, "expenses/transit/ic_import.html", {
        "claim": claim, "form": form, "rows": rows, "payload": payload, "kind": kind, "error": error,
        "ignored_count": ignored,
        "selectable_count": sum(1 for r in rows or [] if r.selectable),
    }, status=status)


def _parse_payload(kind: str, payload: str, today: datetime.date):
    if kind == "file":
        try:
            data = base64.b64decode(payload.encode("ascii"), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
            raise IcImportError(_("取込データが壊れています。もう一度ファイルを選択してください。")) from exc
        return parse_ic_history(data=data, reference_date=today)
    return parse_ic_history(text=payload, reference_date=today)


def _deducted_fares(post) -> dict[int, int]:
    fares = {}
    for key, value in post.items():
        if key.startswith("deducted_") and value.strip().isdigit():
            fares[int(key.removeprefix("deducted_"))] = int(value.strip())
    return fares


@login_required
def ic_import(request: HttpRequest, claim_id: int) -> HttpResponse:
    """Step 1 (POST without `import`): read the file, show rides with checkboxes. Step 2: import the picked."""
    claim = _claim_or_404(request, claim_id)
    if (response := _editable_or_redirect(request, claim)) is not None:
        return response
    if request.method != "POST":
        return _ic_page(request, claim, IcUploadForm())
    today = timezone.localdate()
    form = IcUploadForm(request.POST, request.FILES)
    if "import" in request.POST:
        kind, payload = request.POST.get("kind", ""), request.POST.get("payload", "")
    else:
        if not form.is_valid():
            return _ic_page(request, claim, form, status=400, error=_("入力内容を確認してください。"))
        upload = form.cleaned_data.get("file")
        if upload:
            kind, payload = "file", base64.b64encode(upload.read()).decode("ascii")
        else:
            kind, payload = "paste", form.cleaned_data.get("paste") or ""
    try:
        result = _parse_payload(kind, payload, today)
    except IcImportError as exc:
        return _ic_page(request, claim, form, status=400, error=exc.message)
    if "import" not in request.POST:
        rows = preview_ic_import(request.user, result, today=today)
        return _ic_page(request, claim, form, rows=rows, payload=payload, kind=kind,
                        ignored=len(result.ignored) + len(result.duplicates))
    selected = [int(v) for v in request.POST.getlist("selected") if v.isdigit()]
    deducted = _deducted_fares(request.POST)
    try:
        lines = check_import_ic_trips(claim.pk, acting_user=request.user, result=result, selected=selected,
                                      purpose=request.POST.get("purpose", ""),
                                      destination=request.POST.get("destination", ""), deducted_fares=deducted)
    except ApplicationError as exc:
        rows = preview_ic_import(request.user, result, today=today, deducted_fares=deducted)
        details = list(exc.extra.get("fields", {}).values())
        return _ic_page(request, claim, form, rows=rows, payload=payload, kind=kind, status=400,
                        error=" ".join([exc.message, *details]))
    messages.success(request, _("ICカードの利用履歴から%(n)d件の交通費を追加しました。") % {"n": len(lines)})
    return redirect("expenses:claim-edit", claim_id=claim.pk)


@login_required
def business_trip_new(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim_or_404(request, claim_id)
    if (response := _editable_or_redirect(request, claim)) is not None:
        return response
    form = TripForm(request.POST or None)
    context = {"claim": claim, "form": form, "grade": Grade(grade_of(request.user)).label, "allowance": None}
    if request.method == "POST" and form.is_valid():
        data = form.to_input()
        try:
            if "confirm" not in request.POST:
                context["allowance"] = preview_business_trip(request.user, data, today=timezone.localdate())
                return render(request, "expenses/transit/business_trip.html", context)
            trip = check_create_business_trip(claim.pk, acting_user=request.user, data=data)
        except ValidationFailed as exc:
            context["general_errors"] = _attach(form, exc)
            messages.error(request, exc.message)
            return render(request, "expenses/transit/business_trip.html", context, status=400)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return render(request, "expenses/transit/business_trip.html", context, status=400)
        messages.success(request, _("出張（%(dest)s）の日当・宿泊手当を追加しました。") % {"dest": trip.destination})
        return redirect("expenses:claim-edit", claim_id=claim.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "expenses/transit/business_trip.html", context, status=status)


@login_required
def commuter_passes(request: HttpRequest) -> HttpResponse:
    form = PassForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                check_create_commuter_pass(acting_user=request.user, data=PassInput(
                    from_station=d["from_station"], to_station=d["to_station"], valid_from=d["valid_from"],
                    valid_until=d["valid_until"], via=d.get("via") or "", stations=split_via(d.get("stations") or ""),
                    label=d.get("label") or ""))
            except ValidationFailed as exc:
                _attach(form, exc)
                messages.error(request, exc.message)
                status = 400
            else:
                messages.success(request, _("定期区間を登録しました。"))
                return redirect("expenses:transit-passes")
        else:
            status = 400
    return render(request, "expenses/transit/passes.html", {
        "form": form, "passes": list_commuter_passes(request.user), "favourites": list_favourites(request.user),
        "today": timezone.localdate(),
    }, status=status)


@login_required
@require_POST
def commuter_pass_delete(request: HttpRequest, pass_id: int) -> HttpResponse:
    try:
        check_delete_commuter_pass(pass_id, acting_user=request.user)
    except NotFoundOrForbidden as exc:
        raise Http404 from exc
    messages.success(request, _("定期区間を削除しました。"))
    return redirect("expenses:transit-passes")


@login_required
@require_GET
def stations_json(request: HttpRequest) -> JsonResponse:
    query = (request.GET.get("q") or "").strip()[:50]
    return JsonResponse({"results": list_station_suggestions(request.user, query)})


@login_required
@require_GET
def fare_json(request: HttpRequest) -> JsonResponse:
    """Fare suggestions (route master, own history, route search) and the pass preview for the form."""
    return JsonResponse(fare_lookup(request.user, request.GET))
