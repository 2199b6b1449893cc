"""Posting (domain.md R10): a confirmed claim's 計上仕訳, and its reversal."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounting.models import (
    JournalEntry,
    JournalLine,
    PaymentBatch,
    PaymentItem,
)
from accounting.rules.tax_category import (
    LineTaxCategory,
    TaxKind,
    TaxLineFacts,
    TaxRules,
    decide_tax_key,
)
from accounting.selectors import (
    DEFAULT_SCHEDULE_NAME,
    get_active_accrual,
    get_deduction_schedule,
    list_claim_lines_for_posting,
    require_accounting,
)
from approvals.transitions import ClaimStatus
from core.exceptions import ApplicationError, NotFoundOrForbidden
from core.models import CompanySettings
from core.money import tax_included_part
from expenses.models import Claim, ClaimLine, ExpenseCategory, TaxCategory
from expenses.rules.special_cases import (
    CategoryKind,
    CompanyFacts,
    LineFacts,
    PaymentMethod,
    SpecialCase,
    TransportMode,
    classify_special_case,
    purchase_totals,
)

logger = logging.getLogger(__name__)

ACCOUNTS_PAYABLE = "accounts_payable"  # 未払金 (R10.2)
ORDINARY_DEPOSIT = "ordinary_deposit"  # 普通預金
OUT_OF_SCOPE_CODE = "out_of_scope"
_TAX_CATEGORIES = {
    TaxCategory.STANDARD: LineTaxCategory.STANDARD_10, TaxCategory.REDUCED: LineTaxCategory.REDUCED_8,
    TaxCategory.NON_TAXABLE: LineTaxCategory.NON_TAXABLE, TaxCategory.OUT_OF_SCOPE: LineTaxCategory.OUT_OF_SCOPE,
}
_CATEGORY_KINDS = {
    ExpenseCategory.Kind.TRANSIT: CategoryKind.TRANSPORT, ExpenseCategory.Kind.TAXI: CategoryKind.TRANSPORT,
    ExpenseCategory.Kind.TRAVEL: CategoryKind.LODGING, ExpenseCategory.Kind.OVERSEAS_TRAVEL: CategoryKind.LODGING,
    ExpenseCategory.Kind.COMMUTING: CategoryKind.COMMUTING,
}


# --- posting -------------------------------------------------------------------------------------------


def employee_sub_account(user) -> str:
    """補助科目 of the employee's 未払金 (R10.1): code and name keep per-person balances apart."""
    return f"{user.employee_code} {user.display_name}".strip() if user.employee_code else user.display_name


def tax_rules_for(company: CompanySettings, day: datetime.date, cache: dict) -> TaxRules:
    """R2.2/R2.4: the company's schedule from its effective date; current law before it."""
    name = company.deduction_schedule or DEFAULT_SCHEDULE_NAME
    if company.deduction_schedule_from and day < company.deduction_schedule_from:
        name = DEFAULT_SCHEDULE_NAME
    if name not in cache:
        cache[name] = TaxRules(schedule=get_deduction_schedule(name))
    return cache[name]


def _line_facts(line: ClaimLine, category: ExpenseCategory, purchase_amount: int) -> LineFacts:
    kind = _CATEGORY_KINDS.get(category.kind, CategoryKind.OTHER)
    mode = getattr(line, "transport_mode", "") or None  # transit lines may carry their mode
    if mode is None and category.kind == ExpenseCategory.Kind.TRANSIT:
        mode = TransportMode.RAIL
    elif mode is None and category.kind == ExpenseCategory.Kind.TAXI:
        mode = TransportMode.TAXI
    return LineFacts(
        purchase_date=line.expense_date,
        category_kind=kind,
        purchase_amount=purchase_amount,
        payment_method=PaymentMethod(line.payment_method),
        transport_mode=TransportMode(mode) if mode else None,
        overseas=category.kind == ExpenseCategory.Kind.OVERSEAS_TRAVEL,
        on_business_trip=category.kind in (ExpenseCategory.Kind.TRAVEL, ExpenseCategory.Kind.OVERSEAS_TRAVEL),
        taxable_purchase=line.tax_category in (TaxCategory.STANDARD, TaxCategory.REDUCED),
    )


def decide_line_tax(line: ClaimLine, *, company: CompanySettings, purchase_amount: int, rules_cache: dict):
    """Tax key, special case and note of one claim line (domain.md R1–R4, formats.md §4)."""
    category = line.approved_category or line.category
    facts = _line_facts(line, category, purchase_amount)
    company_facts = CompanyFacts(
        small_amount_eligible=company.small_amount_eligible_on(line.expense_date),
        apply_travel_special_to_actual_cost=company.apply_travel_special_to_actual_cost,
    )
    special = classify_special_case(facts, company_facts)
    qualified = bool(line.registration_number) and line.registration_status == ClaimLine.RegistrationStatus.OK
    tax_facts = TaxLineFacts(
        purchase_date=line.expense_date,
        category=(LineTaxCategory.OUT_OF_SCOPE if facts.overseas else _TAX_CATEGORIES[line.tax_category]),
        seller_qualified=qualified,
        special_case=special.special_case,
        special_case_note=special.note,
    )
    return decide_tax_key(tax_facts, tax_rules_for(company, line.expense_date, rules_cache))


def _journal_date(lines: list[ClaimLine], company: CompanySettings) -> datetime.date:
    if company.journal_date_policy == CompanySettings.JournalDatePolicy.TRANSACTION:
        return max(line.expense_date for line in lines)
    return timezone.localdate()


def posting_lines(claim: Claim) -> list[ClaimLine]:
    claim_lines = [line for line in list_claim_lines_for_posting(claim) if line.effective_amount > 0]
    if not claim_lines:
        raise ApplicationError(_("計上する明細がありません（承認金額がすべて0円です）。"))
    return claim_lines


def books_at_payment(line: ClaimLine, company: CompanySettings) -> bool:
    """R10.3 "payment only": what the employee paid is booked when it is reimbursed, not at confirmation."""
    return company.books_employee_paid_at_payment and line.payment_method == ClaimLine.PaymentMethod.EMPLOYEE


def expense_debits(claim: Claim, claim_lines: list[ClaimLine], company: CompanySettings,
                   booked: list[ClaimLine] | None = None) -> list[JournalLine]:
    """Dr each line's account with 部門 / cost centre and tax key (R10.1, R10.4), for ``booked`` lines (default all).

    The whole claim is passed as ``claim_lines``: the 公共交通機関特例 looks at each purchase's total (R3.3).
    """

    def purchase_key(line: ClaimLine):
        receipts = line.evidence_receipts()  # a receipt split by tax rate is still one purchase
        return ("receipt", receipts[0].pk) if receipts else ("line", line.pk)

    totals = purchase_totals((purchase_key(line), line.effective_amount) for line in claim_lines)  # R3.3
    rules_cache: dict = {}
    applicant = claim.applicant
    department = claim.department.name if claim.department else ""
    debits: list[JournalLine] = []
    for line in claim_lines if booked is None else booked:
        category = line.approved_category or line.category
        amount = line.effective_amount
        decision = decide_line_tax(line, company=company, purchase_amount=totals[purchase_key(line)],
                                   rules_cache=rules_cache)
        tax_amount = None
        if decision.kind is TaxKind.TAXABLE:
            rate = line.tax_rate or decision.rate_percent
            # tax computed once per receipt per rate at input (R6.2); recomputed only for a reduced amount
            tax_amount = line.tax_amount if amount == line.amount else tax_included_part(amount, rate,
                                                                                           company.rounding)
        receipts = line.evidence_receipts()
        debits.append(JournalLine(
            side=JournalLine.Side.DEBIT, account_code=category.account_code, account_name=category.account_name,
            department=line.project.name if line.project else department, tax_code=decision.key.code,
            amount=amount, tax_amount=tax_amount,
            memo=" ".join(p for p in (category.name, line.vendor, line.description) if p)[:300],
            special_case="" if decision.special_case is SpecialCase.NONE else decision.special_case.value,
            special_case_note=decision.note, counterparty=applicant.display_name,
            registration_number=line.registration_number, claim_line=line,
            receipt_id=receipts[0].pk if receipts else None,
        ))
    return debits


def _accrual_lines(claim: Claim, company: CompanySettings) -> tuple[list[JournalLine], datetime.date] | None:
    """計上仕訳: the booked lines' debits / Cr 未払金 per payer (R10.1). None when nothing is booked now."""
    claim_lines = posting_lines(claim)
    booked = [line for line in claim_lines if not books_at_payment(line, company)]
    if not booked:
        return None
    credit_by_payer: dict[str, int] = {}
    for line in booked:
        credit_by_payer[line.payment_method] = credit_by_payer.get(line.payment_method, 0) + line.effective_amount
    payer_names = {ClaimLine.PaymentMethod.CORPORATE_CARD: _("法人カード"),
                   ClaimLine.PaymentMethod.COMPANY_INVOICE: _("会社請求")}
    department = claim.department.name if claim.department else ""
    credits = [
        JournalLine(side=JournalLine.Side.CREDIT, account_code=ACCOUNTS_PAYABLE, account_name="未払金",
                    sub_account=(employee_sub_account(claim.applicant) if payer == ClaimLine.PaymentMethod.EMPLOYEE
                                 else str(payer_names[payer])),
                    department=department, tax_code=OUT_OF_SCOPE_CODE, amount=total,
                    memo=f"{claim.number} {claim.title}"[:300], counterparty=claim.applicant.display_name)
        for payer, total in credit_by_payer.items()
    ]
    return expense_debits(claim, claim_lines, company, booked) + credits, _journal_date(booked, company)


def create_entry(*, claim: Claim, kind: str, revision: int, entry_date: datetime.date, lines: list[JournalLine],
                  acting_user, description: str, reverses: JournalEntry | None = None,
                  payment_batch: PaymentBatch | None = None) -> JournalEntry:
    debit = sum(line.amount for line in lines if line.side == JournalLine.Side.DEBIT)
    credit = sum(line.amount for line in lines if line.side == JournalLine.Side.CREDIT)
    assert debit == credit, f"unbalanced entry for claim {claim.pk}: {debit} != {credit}"  # also a DB constraint
    entry = JournalEntry.objects.create(
        kind=kind, claim=claim, revision=revision, entry_date=entry_date, description=description[:200],
        debit_total=debit, credit_total=credit, reverses=reverses, payment_batch=payment_batch,
        created_by=acting_user,
    )
    for position, line in enumerate(lines, 1):
        line.entry = entry
        line.position = position
    JournalLine.objects.bulk_create(lines)
    return entry


@transaction.atomic
def do_post_claim(claim: Claim, *, acting_user) -> JournalEntry | None:
    """計上仕訳 for an APPROVED claim. Idempotent: returns the existing entry when already posted.

    None when nothing is booked at confirmation (posting style "payment only" and every line paid by the
    employee: the 支払仕訳 books them).
    """
    claim = Claim.objects.select_for_update(of=("self",)).select_related("applicant", "department").get(pk=claim.pk)
    existing = get_active_accrual(claim.pk)
    if existing is not None:
        return existing
    if claim.status != ClaimStatus.APPROVED:
        raise ApplicationError(_("承認済みの申請だけを計上できます。"))
    posting = _accrual_lines(claim, CompanySettings.load())
    if posting is None:
        return None
    lines, entry_date = posting
    revision = JournalEntry.objects.filter(claim=claim, kind=JournalEntry.Kind.ACCRUAL).count()
    return create_entry(claim=claim, kind=JournalEntry.Kind.ACCRUAL, revision=revision, entry_date=entry_date,
                        lines=lines, acting_user=acting_user, description=f"{claim.number} {claim.title}")


def check_post_claim(claim_id: int, *, acting_user) -> JournalEntry:
    """経理確認 from the accounting pages/API for an approved claim that was not posted yet."""
    require_accounting(acting_user)
    try:
        claim = Claim.objects.get(pk=claim_id)
    except (Claim.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundOrForbidden from exc
    entry = do_post_claim(claim, acting_user=acting_user)
    if entry is None:
        raise ApplicationError(_("支払時に計上する設定のため、この申請は振込時に計上されます。"))
    return entry


@transaction.atomic
def check_reverse_claim(claim_id: int, *, acting_user, repost: bool = True, reason: str = "") -> JournalEntry:
    """Correction: a reversing entry (sides swapped) and, with ``repost``, a new entry from the current lines."""
    require_accounting(acting_user)
    try:
        claim = Claim.objects.select_for_update(of=("self",)).select_related("applicant", "department").get(pk=claim_id)
    except (Claim.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundOrForbidden from exc
    original = get_active_accrual(claim.pk)
    if original is None:
        raise ApplicationError(_("この申請には取り消せる仕訳がありません。"))
    if PaymentItem.objects.filter(claim=claim).exists():
        raise ApplicationError(_("振込データ作成後の申請は取り消せません。"))
    swapped = {JournalLine.Side.DEBIT: JournalLine.Side.CREDIT, JournalLine.Side.CREDIT: JournalLine.Side.DEBIT}
    reversal_lines = [
        JournalLine(side=swapped[line.side], account_code=line.account_code, account_name=line.account_name,
                    sub_account=line.sub_account, department=line.department, tax_code=line.tax_code,
                    amount=line.amount, tax_amount=line.tax_amount, memo=line.memo, special_case=line.special_case,
                    special_case_note=line.special_case_note, counterparty=line.counterparty,
                    registration_number=line.registration_number, claim_line_id=line.claim_line_id,
                    receipt_id=line.receipt_id)
        for line in original.lines.order_by("position")
    ]
    revision = JournalEntry.objects.filter(claim=claim, kind=JournalEntry.Kind.REVERSAL).count()
    reversal = create_entry(
        claim=claim, kind=JournalEntry.Kind.REVERSAL, revision=revision, entry_date=timezone.localdate(),
        lines=reversal_lines, acting_user=acting_user, reverses=original,
        description=_("取消: %(desc)s %(reason)s") % {"desc": original.description, "reason": reason},
    )
    if repost and claim.status == ClaimStatus.APPROVED:
        return do_post_claim(claim, acting_user=acting_user)
    return reversal


