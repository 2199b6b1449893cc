"""Accounting writes: posting (R10), reversal, journal export batches and 全銀 payment batches.

Every entry point for users is a ``check_*`` (role + state checks) calling an atomic ``do_*``.
"""

import datetime
import hashlib
import logging
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounting.exporters import EXPORTERS, ExportError, JournalEntryRow, JournalExporter
from accounting.exporters.base import AccountingMethod
from accounting.exporters.yayoi import YayoiExporter
from accounting.models import ExportBatch, ExportFormat, JournalEntry, JournalLine, PaymentBatch, PaymentItem
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
    get_vendor_mapping,
    iter_export_entries,
    list_claim_lines_for_posting,
    require_accounting,
)
from accounting.zengin.fields import ZenginError
from accounting.zengin.writer import Requester, Transfer, build_transfer_file
from approvals.transitions import ClaimStatus
from core.calendar import is_bank_business_day
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
from people.validators import BankLookupError, lookup_branch

logger = logging.getLogger(__name__)

ACCOUNTS_PAYABLE = "accounts_payable"  # 未払金 (R10.2)
ORDINARY_DEPOSIT = "ordinary_deposit"  # 普通預金
OUT_OF_SCOPE_CODE = "out_of_scope"
EXPORT_FORMATS = {"yayoi": ExportFormat.YAYOI, "freee": ExportFormat.FREEE, "mf": ExportFormat.MONEYFORWARD,
                  "moneyforward": ExportFormat.MONEYFORWARD, "generic": ExportFormat.GENERIC}
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


def _line_facts(line: ClaimLine, category: ExpenseCategory, amount: int, purchase_amount: int) -> LineFacts:
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
    amount = line.effective_amount
    facts = _line_facts(line, category, amount, purchase_amount)
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


def _journal_date(claim: Claim, lines: list[ClaimLine], company: CompanySettings) -> datetime.date:
    if company.journal_date_policy == "transaction":
        return max(line.expense_date for line in lines)
    return timezone.localdate()


def _accrual_lines(claim: Claim, company: CompanySettings) -> tuple[list[JournalLine], datetime.date]:
    """Dr each line's account (部門 / cost centre, tax key) / Cr 未払金 per payer (R10.1, R10.4)."""
    claim_lines = [line for line in list_claim_lines_for_posting(claim) if line.effective_amount > 0]
    if not claim_lines:
        raise ApplicationError(_("計上する明細がありません（承認金額がすべて0円です）。"))

    def purchase_key(line: ClaimLine):
        receipts = list(line.receipts.all())
        return ("receipt", receipts[0].pk) if receipts else ("line", line.pk)

    totals = purchase_totals((purchase_key(line), line.effective_amount) for line in claim_lines)  # R3.3
    rules_cache: dict = {}
    applicant = claim.applicant
    department = claim.department.name if claim.department else ""
    debits: list[JournalLine] = []
    credit_by_payer: dict[str, int] = {}
    for line in claim_lines:
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
        receipts = list(line.receipts.all())
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
        credit_by_payer[line.payment_method] = credit_by_payer.get(line.payment_method, 0) + amount
    payer_names = {ClaimLine.PaymentMethod.CORPORATE_CARD: _("法人カード"),
                   ClaimLine.PaymentMethod.COMPANY_INVOICE: _("会社請求")}
    credits = [
        JournalLine(side=JournalLine.Side.CREDIT, account_code=ACCOUNTS_PAYABLE, account_name="未払金",
                    sub_account=(employee_sub_account(applicant) if payer == ClaimLine.PaymentMethod.EMPLOYEE
                                 else str(payer_names[payer])),
                    department=department, tax_code=OUT_OF_SCOPE_CODE, amount=total,
                    memo=f"{claim.number} {claim.title}"[:300], counterparty=applicant.display_name)
        for payer, total in credit_by_payer.items()
    ]
    return debits + credits, _journal_date(claim, claim_lines, company)


def _create_entry(*, claim: Claim, kind: str, revision: int, entry_date: datetime.date, lines: list[JournalLine],
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
def do_post_claim(claim: Claim, *, acting_user) -> JournalEntry:
    """計上仕訳 for an APPROVED claim. Idempotent: returns the existing entry when already posted."""
    claim = Claim.objects.select_for_update(of=("self",)).select_related("applicant", "department").get(pk=claim.pk)
    existing = get_active_accrual(claim.pk)
    if existing is not None:
        return existing
    if claim.status != ClaimStatus.APPROVED:
        raise ApplicationError(_("承認済みの申請だけを計上できます。"))
    lines, entry_date = _accrual_lines(claim, CompanySettings.load())
    revision = JournalEntry.objects.filter(claim=claim, kind=JournalEntry.Kind.ACCRUAL).count()
    return _create_entry(claim=claim, kind=JournalEntry.Kind.ACCRUAL, revision=revision, entry_date=entry_date,
                         lines=lines, acting_user=acting_user, description=f"{claim.number} {claim.title}")


def check_post_claim(claim_id: int, *, acting_user) -> JournalEntry:
    """経理確認 from the accounting pages/API for an approved claim that was not posted yet."""
    require_accounting(acting_user)
    try:
        claim = Claim.objects.get(pk=claim_id)
    except (Claim.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundOrForbidden from exc
    return do_post_claim(claim, acting_user=acting_user)


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
    reversal = _create_entry(
        claim=claim, kind=JournalEntry.Kind.REVERSAL, revision=revision, entry_date=timezone.localdate(),
        lines=reversal_lines, acting_user=acting_user, reverses=original,
        description=_("取消: %(desc)s %(reason)s") % {"desc": original.description, "reason": reason},
    )
    if repost and claim.status == ClaimStatus.APPROVED:
        return do_post_claim(claim, acting_user=acting_user)
    return reversal


# --- journal export ------------------------------------------------------------------------------------


def exports_dir() -> Path:
    path = Path(settings.SEISAN_EXPORTS_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def make_exporter(fmt: str, company: CompanySettings | None = None) -> JournalExporter:
    company = company or CompanySettings.load()
    exporter_class = EXPORTERS[fmt]
    mapping = get_vendor_mapping(fmt)
    if exporter_class is YayoiExporter:
        method = (AccountingMethod.TAX_EXCLUDED if company.tax_accounting == CompanySettings.TaxAccounting.EXCLUSIVE
                  else AccountingMethod.TAX_INCLUDED)
        return YayoiExporter(mapping, accounting_method=method)
    return exporter_class(mapping)


def check_export_journal(*, fmt: str, period_from: datetime.date, period_to: datetime.date, acting_user,
                         run_async: bool | None = None) -> ExportBatch:
    """Claim the period's unexported entries for a new batch, then build its file (on the worker if large)."""
    require_accounting(acting_user)
    fmt = EXPORT_FORMATS.get(fmt, fmt)
    if fmt not in ExportFormat.values:
        raise ApplicationError(_("出力形式を選択してください。"), extra={"fields": {"format": _("不明な形式です。")}})
    if period_from > period_to:
        raise ApplicationError(_("期間の終了日は開始日以降にしてください。"),
                               extra={"fields": {"period_to": _("終了日は開始日以降にしてください。")}})
    batch = do_export_journal(fmt=fmt, period_from=period_from, period_to=period_to, acting_user=acting_user)
    if run_async is None:
        run_async = batch.line_count > settings.SEISAN_EXPORT_ASYNC_LINES
    if run_async:
        from accounting.tasks import build_export_file as build_export_file_task

        def enqueue() -> None:
            try:
                build_export_file_task.delay(batch.pk)
            except Exception:  # broker down: the batch stays BUILDING; the page offers to build it again
                logger.exception("could not enqueue export batch %s", batch.pk)

        transaction.on_commit(enqueue)
        return batch
    return do_build_export_file(batch.pk)


@transaction.atomic
def do_export_journal(*, fmt: str, period_from: datetime.date, period_to: datetime.date, acting_user) -> ExportBatch:
    """Conditional UPDATE: only entries still unexported are stamped, so two exports never share one."""
    batch = ExportBatch.objects.create(format=fmt, period_from=period_from, period_to=period_to,
                                       created_by=acting_user)
    stamped = (JournalEntry.objects.filter(export_batch__isnull=True, entry_date__gte=period_from,
                                           entry_date__lte=period_to)
               .update(export_batch=batch))
    if stamped == 0:
        raise ApplicationError(_("この期間に未出力の仕訳はありません。"))
    batch.entry_count = stamped
    batch.line_count = JournalLine.objects.filter(entry__export_batch=batch).count()
    batch.file_name = (f"seisan-{fmt}-{period_from:%Y%m%d}-{period_to:%Y%m%d}-{batch.pk}."
                       f"{EXPORTERS[fmt].file_extension}")
    ExportBatch.objects.filter(pk=batch.pk).update(entry_count=batch.entry_count, line_count=batch.line_count,
                                                   file_name=batch.file_name)
    return batch


def _with_progress(entries: Iterable[JournalEntryRow], batch_id: int, *, every: int = 5000,
                   seconds: float = 1.0) -> Iterator[JournalEntryRow]:
    """Record progress for the page, at most once a second (each write is a commit)."""
    count = 0
    last = time.monotonic()
    for entry in entries:
        yield entry
        count += 1
        if count % every == 0 and time.monotonic() - last >= seconds:
            ExportBatch.objects.filter(pk=batch_id).update(progress=count)
            last = time.monotonic()


def do_build_export_file(batch_id: int) -> ExportBatch:
    """Stream the batch's entries to a private file with its SHA-256. Deterministic, so re-running is safe."""
    batch = ExportBatch.objects.get(pk=batch_id)
    if batch.status != ExportBatch.Status.BUILDING:
        return batch
    exporter = make_exporter(batch.format)
    relative = f"{batch.pk:08d}-{batch.format}.{exporter.file_extension}"
    target = exports_dir() / relative
    temp = target.with_name(f".{relative}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    size = 0
    try:
        with open(temp, "wb") as handle:
            entries = _with_progress(iter_export_entries(batch.pk, mapping=exporter.mapping), batch.pk)
            for chunk in exporter.iter_chunks(entries):
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        os.replace(temp, target)
    except ExportError as exc:
        temp.unlink(missing_ok=True)
        with transaction.atomic():
            if ExportBatch.objects.filter(pk=batch.pk, status=ExportBatch.Status.BUILDING).update(
                    status=ExportBatch.Status.FAILED, error=str(exc), finished_at=timezone.now()):
                JournalEntry.objects.filter(export_batch=batch).update(export_batch=None)  # release them
        batch.refresh_from_db()
        return batch
    ExportBatch.objects.filter(pk=batch.pk, status=ExportBatch.Status.BUILDING).update(
        status=ExportBatch.Status.READY, file_path=relative, file_size=size, sha256=digest.hexdigest(),
        progress=batch.entry_count, substitutions=exporter.report.substitution_count, finished_at=timezone.now(),
    )
    batch.refresh_from_db()
    return batch


def open_export_file(batch: ExportBatch):
    """The stored bytes, verified against the recorded SHA-256 (re-downloads are byte-identical)."""
    if batch.status != ExportBatch.Status.READY or not batch.file_path:
        raise ApplicationError(_("このエクスポートのファイルはまだありません。"))
    path = exports_dir() / batch.file_path
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != batch.sha256:
        raise ApplicationError(_("保存されたファイルが改変されています。経理の管理者に連絡してください。"))
    return open(path, "rb")


@transaction.atomic
def check_cancel_export(batch_id: int, *, acting_user) -> ExportBatch:
    """Cancel a batch and release its entries for the next export. The file is kept for the record."""
    require_accounting(acting_user)
    updated = ExportBatch.objects.filter(pk=batch_id).exclude(status=ExportBatch.Status.CANCELLED).update(
        status=ExportBatch.Status.CANCELLED, cancelled_at=timezone.now(), cancelled_by=acting_user)
    if updated != 1:
        if not ExportBatch.objects.filter(pk=batch_id).exists():
            raise NotFoundOrForbidden
        raise ApplicationError(_("このエクスポートはすでに取り消されています。"))
    JournalEntry.objects.filter(export_batch_id=batch_id).update(export_batch=None)
    return ExportBatch.objects.get(pk=batch_id)


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


def _payable_amount(entry: JournalEntry, applicant) -> int:
    sub_account = employee_sub_account(applicant)
    return sum(line.amount for line in entry.lines.all()
               if line.side == JournalLine.Side.CREDIT and line.account_code == ACCOUNTS_PAYABLE
               and line.sub_account == sub_account)


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
                  .select_related("applicant").order_by("applicant_id", "id"))
    if len(claims) != len(set(claim_ids)):
        raise NotFoundOrForbidden
    batch = PaymentBatch.objects.create(transfer_date=transfer_date, created_by=acting_user)
    items: list[PaymentItem] = []
    errors: list[str] = []
    for claim in claims:
        entry = get_active_accrual(claim.pk)
        if entry is None:
            errors.append(_("%(number)s は計上されていません。") % {"number": claim.number})
            continue
        if PaymentItem.objects.filter(claim=claim).exists():
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
        amount = _payable_amount(entry, claim.applicant)
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
    """支払仕訳 per claim (Dr 未払金 employee / Cr 普通預金); a batch is marked paid once."""
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
    for item in batch.items.select_related("claim", "claim__department", "payee"):
        department = item.claim.department.name if item.claim.department else ""
        memo = _("%(number)s 振込 %(date)s") % {"number": item.claim.number,
                                                 "date": batch.transfer_date.strftime("%Y/%m/%d")}
        lines = [
            JournalLine(side=JournalLine.Side.DEBIT, account_code=ACCOUNTS_PAYABLE, account_name="未払金",
                        sub_account=employee_sub_account(item.payee), department=department,
                        tax_code=OUT_OF_SCOPE_CODE, amount=item.amount, memo=memo,
                        counterparty=item.payee.display_name),
            JournalLine(side=JournalLine.Side.CREDIT, account_code=ORDINARY_DEPOSIT, account_name="普通預金",
                        sub_account=bank_label, department=department, tax_code=OUT_OF_SCOPE_CODE,
                        amount=item.amount, memo=memo, counterparty=item.payee.display_name),
        ]
        _create_entry(claim=item.claim, kind=JournalEntry.Kind.PAYMENT, revision=0, entry_date=batch.transfer_date,
                      lines=lines, acting_user=acting_user, payment_batch=batch, description=memo)
    return batch
