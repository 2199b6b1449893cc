from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from people.forms import BankAccountForm
from people.models import BankAccount
from people.services import do_save_bank_account
from people.validators import BankLookupError, lookup_branch


@login_required
def bank_account(request: HttpRequest) -> HttpResponse:
    account = BankAccount.objects.filter(user=request.user).first() or BankAccount(user=request.user)
    form = BankAccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        do_save_bank_account(form.instance, acting_user=request.user)
        messages.success(request, _("振込口座を保存しました。"))
        return redirect("people:bank-account")
    return render(request, "people/bank_account.html", {"form": form, "account": account})


@login_required
def bank_lookup(request: HttpRequest) -> JsonResponse:
    """Bank and branch names for the codes being typed (zengin-code master)."""
    try:
        branch = lookup_branch(request.GET.get("bank", ""), request.GET.get("branch", ""))
    except BankLookupError as exc:
        return JsonResponse({"ok": False, "field": exc.field, "message": str(exc)})
    return JsonResponse({"ok": True, "bank_name": branch.bank_name, "branch_name": branch.branch_name})
