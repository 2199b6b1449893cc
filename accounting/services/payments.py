"""全銀 payment batches: the transfer file for chosen claims, then the payment entries once paid."""

import datetime
import hashlib
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounting.models import (
    JournalEntry,
    JournalLine,
    PaymentBatch,
    PaymentItem,
)
from accounting.selectors import (
    active_accruals_by_claim,
    require_accounting,
)
from accounting.services.posting import (
    ACCOUNTS_PAYABLE,
    ORDINARY_DEPOSIT,
    OUT_OF_SCOPE_CODE,
    books_at_payment,
    create_entry,
    employee_sub_account,
    expense_debits,
    posting_lines,
)
from accounting.zengin.fields import ZenginError
from accounting.zengin.writer import Requester, Transfer, build_transfer_file
from approvals.events import transition_claim
from approvals.transitions import Actor, ClaimStatus
from core.calendar import is_bank_business_day
from core.exceptions import ApplicationError, NotFoundOrForbidden
from core.models import CompanySettings
from expenses.models import Claim, ClaimLine
from people.validators import BankLookupError, lookup_branch

logger = logging.getLogger(__name__)

# --- payment (全銀) -------------------------------------------------------------------------------------


def _requester(company: CompanySettings) -> Requester:
    from zengin_code import Bank

    missing = [label for label, value in ((_("振込依頼人コード"), company.zengin_requester_code),
                                          (_("振込依頼人名"), company.zengin_requester_name),
                                          (_("仕向金融機関コード"), company.bank_code),
                                          (_("仕向支店コード"), company.branch_code),
                                          (_("口座番号"), company.bank_account_number)) if not value]
    if missing:
        raise ApplicationError(_("会社設定に振込元の情報がありません: %(fields)s") % {"fields": "、".join(missing)})
    bank = Bank.all.get(company.bank_code)
    branch = bank.branches.get(company.branch_code) if bank else None
    if branch is None:
        raise ApplicationError(_("会社設定の金融機関コード・支店コードが全銀協のマスタにありません。"))
    return Requester(code=company.zengin_requester_code, name=company.zengin_requester_name,
                     bank_code=company.bank_code, bank_name=bank.kana, branch_code=company.branch_code,
                     branch_name=branch.kana, account_type=company.bank_account_type,
                     account_number=company.bank_account_number)


def _accrued_to_employee(claim: Claim, entry: JournalEntry | None) -> int:
    """What the 計上仕訳 owes the employee: its 未払金 credit with the employee as 補助科目 (0 if none)."""
    if entry is None:
        return 0
    sub_account = employee_sub_account(claim.applicant)
    return sum(line.amount for line in entry.lines.all()
               if line.side == JournalLine.Side.CREDIT and line.account_code == ACCOUNTS_PAYABLE
               and line.sub_account == sub_account)


def _booked_at_payment(claim_lines: list[ClaimLine], company: CompanySettings) -> list[ClaimLine]:
    """The employee-paid lines the 支払仕訳 books itself (posting style "payment only", R10.3)."""
    return [line for line in claim_lines if books_at_payment(line, company)]


def _payable_amount(claim: Claim, entry: JournalEntry | None, company: CompanySettings) -> int | None:
    """Amount to transfer (``entry``: the claim's current 計上仕訳); None when the claim is neither posted
    nor booked at payment."""
    accrued = _accrued_to_employee(claim, entry)
    if accrued:
        return accrued
    if company.books_employee_paid_at_payment:
        return sum(line.effective_amount for line in _booked_at_payment(posting_lines(claim), company))
    return None if entry is None else 0


def check_create_payment_batch(*, claim_ids: list[int], transfer_date: datetime.date, acting_user) -> PaymentBatch:
    require_accounting(acting_user)
    if not claim_ids:
        raise ApplicationError(_("振込する申請を選択してください。"))
    if not is_bank_business_day(transfer_date):
        raise ApplicationError(
            _("%(date)s は銀行の休業日です（土日・祝日・12/31〜1/3）。営業日を指定してください。")
            % {"date": transfer_date.strftime("%Y/%m/%d")},
            extra={"fields": {"transfer_date": _("銀行の営業日を指定してください。")}},
        )
    if transfer_date < timezone.localdate():
        raise ApplicationError(_("振込指定日に過去の日付は指定できません。"),
                               extra={"fields": {"transfer_date": _("今日以降の日付を指定してください。")}})
    requester = _requester(CompanySettings.load())
    try:
        return do_create_payment_batch(claim_ids=claim_ids, transfer_date=transfer_date, requester=requester,
                                       acting_user=acting_user)
    except IntegrityError as exc:  # another batch took one of the claims first
        raise ApplicationError(_("選択した申請のいずれかは、すでに振込データに含まれています。")) from exc


@transaction.atomic
def do_create_payment_batch(*, claim_ids: list[int], transfer_date: datetime.date, requester: Requester,
                            acting_user) -> PaymentBatch:
    claims = list(Claim.objects.select_for_update(of=("self",)).filter(pk__in=claim_ids)
                  .select_related("applicant", "applicant__bank_account").order_by("applicant_id", "id"))
    if len(claims) != len(set(claim_ids)):
        raise NotFoundOrForbidden
    batch = PaymentBatch.objects.create(transfer_date=transfer_date, created_by=acting_user)
    items: list[PaymentItem] = []
    errors: list[str] = []
    company = CompanySettings.load()
    in_a_batch = set(PaymentItem.objects.filter(claim__in=claims).values_list("claim_id", flat=True))
    accruals = active_accruals_by_claim([claim.pk for claim in claims])
    for claim in claims:
        amount = _payable_amount(claim, accruals.get(claim.pk), company)
        if amount is None:
            errors.append(_("%(number)s は計上されていません。") % {"number": claim.number})
            continue
        if claim.pk in in_a_batch:
            errors.append(_("%(number)s はすでに振込データに含まれています。") % {"number": claim.number})
            continue
        account = getattr(claim.applicant, "bank_account", None)
        if account is None:
            errors.append(_("%(name)s さんの振込口座が登録されていません。") % {"name": claim.applicant.display_name})
            continue
        try:  # the master may have changed since the employee registered the account (zengin-code)
            lookup_branch(account.bank_code, account.branch_code)
        except BankLookupError as exc:
            errors.append(_("%(name)s さんの振込口座: %(error)s") % {"name": claim.applicant.display_name,
                                                                   "error": exc})
            continue
        if amount <= 0:
            errors.append(_("%(number)s に本人への支払額がありません。") % {"number": claim.number})
            continue
        items.append(PaymentItem(batch=batch, claim=claim, payee=claim.applicant, amount=amount,
                                 bank_code=account.bank_code, branch_code=account.branch_code,
                                 account_type=account.account_type, account_number=account.account_number,
                                 holder_kana=account.holder_kana))
    if errors:
        raise ApplicationError(" ".join(errors))
    PaymentItem.objects.bulk_create(items)
    transfers = _transfers(items)
    try:
        content, summary = build_transfer_file(requester=requester, transfer_date=transfer_date, transfers=transfers)
    except ZenginError as exc:
        raise ApplicationError(_("全銀データを作成できません: %(error)s") % {"error": exc}) from exc
    batch.content = content
    batch.sha256 = hashlib.sha256(content).hexdigest()
    batch.total_amount = summary.total
    batch.item_count = summary.count
    batch.file_name = f"zengin-{transfer_date:%Y%m%d}-{batch.pk}.txt"
    batch.save(update_fields=["content", "sha256", "total_amount", "item_count", "file_name"])
    return batch


def _transfers(items: list[PaymentItem]) -> list[Transfer]:
    """One 全銀 data record per payee: several claims of one employee are added up."""
    from zengin_code import Bank

    per_payee: dict[tuple, int] = {}
    codes: dict[tuple, str] = {}
    for item in items:
        key = (item.bank_code, item.branch_code, item.account_type, item.account_number, item.holder_kana)
        per_payee[key] = per_payee.get(key, 0) + item.amount
        codes[key] = item.payee.employee_code or ""
    transfers = []
    for key, amount in per_payee.items():
        bank_code, branch_code, account_type, account_number, holder = key
        bank = Bank.all.get(bank_code)
        branch = bank.branches.get(branch_code) if bank else None
        customer = "".join(ch for ch in codes[key] if ch.isdigit())[:10] or None
        transfers.append(Transfer(bank_code=bank_code, branch_code=branch_code, account_type=account_type,
                                  account_number=account_number, payee_name=holder, amount=amount,
                                  bank_name=bank.kana if bank else "", branch_name=branch.kana if branch else "",
                                  customer_code1=customer))
    return transfers


@transaction.atomic
def check_mark_batch_paid(batch_id: int, *, acting_user) -> PaymentBatch:
    """支払仕訳 per claim (Dr 未払金 employee, or the expenses when booked at payment / Cr 普通預金); once."""
    require_accounting(acting_user)
    updated = PaymentBatch.objects.filter(pk=batch_id, status=PaymentBatch.Status.CREATED).update(
        status=PaymentBatch.Status.PAID, paid_at=timezone.now(), paid_by=acting_user)
    if updated != 1:
        if not PaymentBatch.objects.filter(pk=batch_id).exists():
            raise NotFoundOrForbidden
        raise ApplicationError(_("この振込バッチはすでに支払済みです。"))
    batch = PaymentBatch.objects.get(pk=batch_id)
    company = CompanySettings.load()
    bank_label = f"{company.bank_code}-{company.branch_code}-{company.bank_account_number}".strip("-")
    items = list(batch.items.select_related("claim", "claim__applicant", "claim__department", "payee"))
    accruals = active_accruals_by_claim([item.claim_id for item in items])
    for item in items:
        claim = item.claim
        department = claim.department.name if claim.department else ""
        memo = _("%(number)s 振込 %(date)s") % {"number": claim.number,
                                                 "date": batch.transfer_date.strftime("%Y/%m/%d")}
        if _accrued_to_employee(claim, accruals.get(claim.pk)):  # Dr 未払金: the 計上仕訳 booked the expenses
            debits = [JournalLine(side=JournalLine.Side.DEBIT, account_code=ACCOUNTS_PAYABLE, account_name="未払金",
                                  sub_account=employee_sub_account(item.payee), department=department,
                                  tax_code=OUT_OF_SCOPE_CODE, amount=item.amount, memo=memo,
                                  counterparty=item.payee.display_name)]
        else:  # "payment only": the expenses themselves, with their tax keys (R10.3)
            claim_lines = posting_lines(claim)
            debits = expense_debits(claim, claim_lines, company, _booked_at_payment(claim_lines, company))
            if sum(line.amount for line in debits) != item.amount:
                raise ApplicationError(_("%(number)s の金額が振込データ作成時から変わっています。")
                                       % {"number": claim.number})
        lines = [
            *debits,
            JournalLine(side=JournalLine.Side.CREDIT, account_code=ORDINARY_DEPOSIT, account_name="普通預金",
                        sub_account=bank_label, department=department, tax_code=OUT_OF_SCOPE_CODE,
                        amount=item.amount, memo=memo, counterparty=item.payee.display_name),
        ]
        create_entry(claim=claim, kind=JournalEntry.Kind.PAYMENT, revision=0, entry_date=batch.transfer_date,
                      lines=lines, acting_user=acting_user, payment_batch=batch, description=memo)
        transition_claim(claim, to=ClaimStatus.PAID, actor=Actor.ACCOUNTING, acting_user=acting_user,
                         comment=memo)
    return batch
