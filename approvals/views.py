"""Approver pages: the queue, the review page and its actions, delegation. Thin: each POST calls one service."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from approvals import services
from approvals.models import Delegation, StepStatus
from approvals.selectors import (
    SORTS,
    access_claim_for_review,
    acting_for,
    attach_warnings,
    get_corrections,
    get_route,
    list_pending_steps_for_approver,
    step_age_business_days,
)
from core.exceptions import ApplicationError, NotFoundOrForbidden, ValidationFailed
from expenses.duplicates import duplicate_warnings
from expenses.models import DatedLimit, ExpenseCategory
from expenses.selectors import get_claim_events, get_claim_lines
from expenses.services.lines import entertainment_summary
from expenses.transit_selectors import transit_warnings_for_lines
from people.models import Department, User

PAGE_SIZE = 25
WARNING_CHOICES = [
    ("", gettext_lazy("すべて")),
    ("any", gettext_lazy("警告あり")),
    ("warn_missing_receipt", gettext_lazy("領収書なし")),
    ("warn_duplicate", gettext_lazy("重複の疑い")),
    ("warn_entertainment", gettext_lazy("交際費 1人あたり上限超")),
    ("warn_commuter_pass", gettext_lazy("定期区間と重複の可能性")),
]
SORT_CHOICES = [
    ("age", gettext_lazy("古い順")), ("-age", gettext_lazy("新しい順")), ("-amount", gettext_lazy("金額の大きい順")), ("amount", gettext_lazy("金額の小さい順")),
    ("applicant", gettext_lazy("申請者")), ("department", gettext_lazy("部門")),
]


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort") or "age"
    sort = sort if sort in SORTS else "age"
    filters = {
        "query": (request.GET.get("q") or "").strip()[:100],
        "department_id": _int(request.GET.get("department")),
        "warning": request.GET.get("warning") or "",
        "accounting_only": request.GET.get("stage") == "accounting",
    }
    steps = list_pending_steps_for_approver(request.user, sort=sort, **filters)
    page = Paginator(steps, PAGE_SIZE).get_page(request.GET.get("page"))
    attach_warnings(page.object_list)
    now = timezone.now()
    for step in page.object_list:
        step.age_days = step_age_business_days(step, now=now)
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(request, "approvals/queue.html", {
        "page": page, "sort": sort, "q": filters["query"], "department": filters["department_id"],
        "warning": filters["warning"], "stage": request.GET.get("stage", ""), "querystring": querystring.urlencode(),
        "departments": Department.objects.filter(is_active=True).only("id", "name"),
        "warning_choices": WARNING_CHOICES, "sort_choices": SORT_CHOICES,
    })


def _review_or_404(request: HttpRequest, claim_id: int):
    try:
        return access_claim_for_review(request.user, claim_id)
    except NotFoundOrForbidden as exc:
        raise Http404 from exc


@login_required
def claim_review(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = _review_or_404(request, claim_id)
    steps = get_route(claim)
    my_step, my_step_for = None, None
    for step in steps:
        if step.status == StepStatus.PENDING:
            step.claim = claim
            try:
                my_step_for = acting_for(request.user, step)
                my_step = step
            except NotFoundOrForbidden:
                pass
    lines = get_claim_lines(claim)
    limits = list(DatedLimit.objects.all())
    corrections = get_corrections(claim)
    duplicates = duplicate_warnings(claim, lines)
    for line_id, items in transit_warnings_for_lines(lines).items():
        duplicates.setdefault(line_id, []).extend(items)
    rows = [{"line": line, "entertainment": entertainment_summary(line, limits),
             "receipts": line.evidence_receipts(), "duplicates": duplicates.get(line.pk, []),
             "corrections": [c for c in corrections if c.line_id == line.pk]} for line in lines]
    earlier = [s for s in steps if my_step and s.round == my_step.round and s.order < my_step.order
               and s.status == StepStatus.APPROVED]
    approved_total = sum(line.effective_amount for line in lines)
    return render(request, "approvals/review.html", {
        "claim": claim, "rows": rows, "steps": steps, "my_step": my_step, "my_step_for": my_step_for,
        "earlier_steps": earlier, "events": get_claim_events(claim), "approved_total": approved_total,
        "categories": ExpenseCategory.objects.filter(is_active=True),
        "next_url": request.GET.get("next", ""),
    })


def _after_action(request: HttpRequest, claim_id: int | None) -> HttpResponse:
    if request.POST.get("next") == "queue" or claim_id is None:
        return redirect("approvals:queue")
    return redirect("approvals:claim-review", claim_id=claim_id)


def _act(request: HttpRequest, step_id: int, action, success: str) -> HttpResponse:
    claim_id = _int(request.POST.get("claim_id"))
    try:
        step = action()
    except NotFoundOrForbidden as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _after_action(request, claim_id)
    messages.success(request, success % {"number": step.claim.number})
    if request.POST.get("next") == "queue":
        return redirect("approvals:queue")
    return redirect("approvals:claim-review", claim_id=step.claim_id)


@login_required
@require_POST
def step_approve(request: HttpRequest, step_id: int) -> HttpResponse:
    comment = request.POST.get("comment", "")
    return _act(request, step_id, lambda: services.check_approve_step(step_id, acting_user=request.user,
                                                                      comment=comment),
                _("%(number)s を承認しました。"))


@login_required
@require_POST
def step_return(request: HttpRequest, step_id: int) -> HttpResponse:
    comment = request.POST.get("comment", "")
    to_step = _int(request.POST.get("to_step"))
    return _act(request, step_id, lambda: services.check_return_claim(step_id, acting_user=request.user,
                                                                      comment=comment, to_step_id=to_step),
                _("%(number)s を差し戻しました。"))


@login_required
@require_POST
def step_reject(request: HttpRequest, step_id: int) -> HttpResponse:
    comment = request.POST.get("comment", "")
    return _act(request, step_id, lambda: services.check_reject_claim(step_id, acting_user=request.user,
                                                                     comment=comment),
                _("%(number)s を否認しました。"))


@login_required
@require_POST
def line_correct(request: HttpRequest, step_id: int, line_id: int) -> HttpResponse:
    claim_id = _int(request.POST.get("claim_id"))
    amount_raw = (request.POST.get("approved_amount") or "").replace(",", "").replace("¥", "").strip()
    amount = _int(amount_raw) if amount_raw else None
    try:
        if amount_raw and amount is None:
            raise ValidationFailed(_("承認金額は数字で入力してください。"))
        services.check_correct_line(step_id, line_id, acting_user=request.user,
                                    comment=request.POST.get("comment", ""), approved_amount=amount,
                                    approved_category_id=_int(request.POST.get("approved_category")))
    except NotFoundOrForbidden as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        detail = " ".join(exc.extra.get("fields", {}).values())
        messages.error(request, f"{exc.message} {detail}".strip())
    else:
        messages.success(request, _("明細を修正しました。修正内容は申請者に表示されます。"))
    return _after_action(request, claim_id)


@login_required
@require_POST
def bulk_approve(request: HttpRequest) -> HttpResponse:
    ids = [i for i in (_int(v) for v in request.POST.getlist("step")) if i is not None]
    try:
        results = services.check_bulk_approve(ids, acting_user=request.user, comment=request.POST.get("comment", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _queue_redirect(request)
    return _bulk_result(request, results)


def _queue_redirect(request: HttpRequest) -> HttpResponse:
    """Back to the queue with the filters the approver had (a query string only, never a URL)."""
    querystring = QueryDict(request.POST.get("querystring", ""), mutable=True)
    querystring.pop("page", None)
    url = reverse("approvals:queue")
    return redirect(f"{url}?{querystring.urlencode()}" if querystring else url)


def _bulk_result(request: HttpRequest, results: list[dict]) -> HttpResponse:
    ok = [r for r in results if r["ok"]]
    failed = [r for r in results if not r["ok"]]
    if ok:
        numbers = "、".join(r["number"] for r in ok[:10]) + (_(" ほか%(n)d件") % {"n": len(ok) - 10} if len(ok) > 10 else "")
        messages.success(request, _("%(n)d件を承認しました（%(numbers)s）。") % {"n": len(ok), "numbers": numbers})
    for result in failed:
        messages.error(request, f"{result['number'] or result['step_id']}: {result['message']}")
    return _queue_redirect(request)


@login_required
@require_POST
def claim_withdraw(request: HttpRequest, claim_id: int) -> HttpResponse:
    try:
        claim = services.check_withdraw_claim(claim_id, acting_user=request.user,
                                              comment=request.POST.get("comment", ""))
    except NotFoundOrForbidden as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("expenses:claim-detail", claim_id=claim_id)
    messages.success(request, _("%(number)s を取り下げました。") % {"number": claim.number})
    return redirect("expenses:claim-detail", claim_id=claim.pk)


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def delegations(request: HttpRequest) -> HttpResponse:
    errors: dict = {}
    if request.method == "POST":
        try:
            services.check_set_delegation(acting_user=request.user, delegate_id=_int(request.POST.get("delegate")),
                                          valid_from=_date(request.POST.get("valid_from")),
                                          valid_to=_date(request.POST.get("valid_to")))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            errors = exc.extra.get("fields", {})
        else:
            messages.success(request, _("代理承認者を設定しました。"))
            return redirect("approvals:delegations")
    today = timezone.localdate()
    return render(request, "approvals/delegations.html", {
        "given": Delegation.objects.filter(approver=request.user, valid_to__gte=today).select_related("delegate"),
        "received": Delegation.objects.filter(delegate=request.user, valid_to__gte=today).select_related("approver"),
        "users": User.objects.filter(is_active=True).exclude(pk=request.user.pk).only("id", "name", "username"),
        "errors": errors, "form": request.POST if request.method == "POST" else {}, "today": today,
    }, status=400 if errors else 200)


@login_required
@require_POST
def delegation_end(request: HttpRequest, delegation_id: int) -> HttpResponse:
    try:
        services.check_end_delegation(delegation_id, acting_user=request.user)
    except NotFoundOrForbidden as exc:
        raise Http404 from exc
    messages.success(request, _("代理承認を終了しました。"))
    return redirect("approvals:delegations")
