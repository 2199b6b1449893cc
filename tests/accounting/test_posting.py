"""Posting (R10): balanced 計上仕訳 per approved claim, idempotent, immutable, corrected by reversal."""

import datetime

import pytest
from django.db import DatabaseError, transaction

from accounting.models import DeductionScheduleRow, JournalEntry, JournalLine
from accounting.services import check_post_claim, check_reverse_claim, do_post_claim
from core.exceptions import ApplicationError, NotFoundOrForbidden
from core.models import CompanySettings
from expenses.models import ClaimLine

pytestmark = pytest.mark.django_db

D = datetime.date


def post_one(make_approved_claim, carol, lines, **kwargs) -> list[JournalLine]:
    claim = make_approved_claim(lines, **kwargs)
    entry = do_post_claim(claim, acting_user=carol)
    return list(entry.lines.order_by("position"))


def test_it_posts_a_balanced_entry_with_the_employee_as_sub_account(make_approved_claim, carol, alice):
    claim = make_approved_claim([("SUPPLIES", 1100, {"vendor": "文具店", "registration_number": "T4011001098993"}),
                                 ("BOOKS", 864, {"tax_category": "reduced"})])
    entry = do_post_claim(claim, acting_user=carol)
    lines = list(entry.lines.order_by("position"))
    assert [(x.side, x.account_name, x.amount) for x in lines] == [
        ("debit", "消耗品費", 1100), ("debit", "新聞図書費", 864), ("credit", "未払金", 1964)]
    assert entry.debit_total == entry.credit_total == 1964
    assert lines[0].department == "営業1課"
    assert lines[2].sub_account == "E-alice 山田 太郎"
    assert (lines[0].tax_code, lines[0].tax_amount) == ("taxable/10/std/100", 100)
    assert lines[1].tax_amount == 64  # ¥864 at 8 % (R6.3)
    assert lines[2].tax_code == "out_of_scope"


def test_it_posts_a_claim_only_once(make_approved_claim, carol):
    claim = make_approved_claim()
    first = do_post_claim(claim, acting_user=carol)
    second = do_post_claim(claim, acting_user=carol)
    assert first.pk == second.pk
    assert JournalEntry.objects.filter(claim=claim).count() == 1


def test_it_refuses_claims_that_are_not_approved(alice, carol, categories):
    from expenses.services.claims import check_create_claim
    from tests.conftest import claim_input, line

    claim = check_create_claim(acting_user=alice, data=claim_input(lines=[line(categories, "SUPPLIES", 500)]))
    with pytest.raises(ApplicationError):
        do_post_claim(claim, acting_user=carol)


def test_only_accounting_may_confirm(make_approved_claim, alice, dave):
    claim = make_approved_claim()
    for user in (alice, dave):
        with pytest.raises(NotFoundOrForbidden):
            check_post_claim(claim.pk, acting_user=user)


def test_journal_rows_are_immutable_in_postgresql(make_approved_claim, carol):
    entry = do_post_claim(make_approved_claim(), acting_user=carol)
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalLine.objects.filter(entry=entry).update(amount=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(description="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalLine.objects.filter(entry=entry).delete()
    assert JournalLine.objects.get(entry=entry, position=1).amount == 1100


def test_a_correction_is_a_reversal_plus_a_new_entry(make_approved_claim, carol):
    claim = make_approved_claim()
    original = do_post_claim(claim, acting_user=carol)
    ClaimLine.objects.filter(claim=claim).update(registration_number="", registration_status="")
    new = check_reverse_claim(claim.pk, acting_user=carol, reason="登録番号の誤り")
    entries = list(JournalEntry.objects.filter(claim=claim).order_by("id"))
    assert [e.kind for e in entries] == ["accrual", "reversal", "accrual"]
    reversal = entries[1]
    assert reversal.reverses_id == original.pk
    assert [(x.side, x.amount) for x in reversal.lines.order_by("position")] == [("credit", 1100), ("debit", 1100)]
    assert new.pk == entries[2].pk and new.revision == 1
    assert new.lines.get(position=1).tax_code == "taxable/10/std/50"  # 2026-11-02, no 登録番号 → 50 %
    check_reverse_claim(claim.pk, acting_user=carol, repost=False)  # reverse the new entry, post nothing
    with pytest.raises(ApplicationError):  # nothing left to reverse
        check_reverse_claim(claim.pk, acting_user=carol, repost=False)
    assert JournalEntry.objects.filter(claim=claim).count() == 4


def test_approver_reduction_recomputes_the_tax_once(make_approved_claim, carol):
    claim = make_approved_claim([("SUPPLIES", 1100, {"registration_number": "T4011001098993"})])
    ClaimLine.objects.filter(claim=claim).update(approved_amount=1000)
    lines = list(do_post_claim(claim, acting_user=carol).lines.order_by("position"))
    assert (lines[0].amount, lines[0].tax_amount, lines[1].amount) == (1000, 90, 1000)  # 1000×10/110 → 90 (切捨て)


def test_rounding_follows_the_company_setting(make_approved_claim, carol):
    company = CompanySettings.load()
    company.tax_rounding = "ceil"
    company.save()
    claim = make_approved_claim([("SUPPLIES", 1100, {"registration_number": "T4011001098993"})])
    ClaimLine.objects.filter(claim=claim).update(approved_amount=1000)
    lines = list(do_post_claim(claim, acting_user=carol).lines.order_by("position"))
    assert lines[0].tax_amount == 91


@pytest.mark.parametrize(
    ("code", "amount", "extra", "tax_code", "case", "note"),
    [
        ("SUPPLIES", 1100, {"registration_number": "T4011001098993"}, "taxable/10/std/100", "", ""),
        ("SUPPLIES", 22000, {"day": D(2026, 9, 30)}, "taxable/10/std/80", "", "80%控除対象"),
        ("SUPPLIES", 22000, {"day": D(2026, 10, 1)}, "taxable/10/std/50", "", "50%控除対象"),
        ("BOOKS", 2160, {"tax_category": "reduced", "registration_number": "T4011001098993"},
         "taxable/8/reduced/100", "", ""),
        ("BOOKS", 2160, {"tax_category": "reduced", "day": D(2026, 9, 30)}, "taxable/8/reduced/80", "",
         "80%控除対象"),
        ("TRANSIT", 29990, {}, "taxable/10/std/100", "public_transport", "3万円未満の鉄道料金"),
        ("TRANSIT", 30000, {"no_receipt_reason": "紛失"}, "taxable/10/std/50", "", "50%控除対象"),
        ("TRAVEL", 12000, {}, "taxable/10/std/100", "business_travel", "出張旅費等特例"),
        ("TRAVEL", 12000, {"payment_method": "corporate_card"}, "taxable/10/std/50", "", "50%控除対象"),
        ("COMMUTE", 15000, {}, "taxable/10/std/100", "commuting", "通勤手当"),
        ("STAMPS", 200, {}, "non_taxable", "", ""),
        ("TRAVEL_OS", 50000, {}, "out_of_scope", "", ""),
    ],
)
def test_tax_category_of_each_case(make_approved_claim, carol, code, amount, extra, tax_code, case, note):
    debit = post_one(make_approved_claim, carol, [(code, amount, extra)])[0]
    assert (debit.tax_code, debit.special_case, debit.special_case_note) == (tax_code, case, note)


def test_small_amount_special_follows_the_fiscal_year_setting(make_approved_claim, carol):
    company = CompanySettings.load()
    company.small_amount_eligible_years = "2026"  # FY 2026-04-01 – 2027-03-31
    company.save()
    eligible = post_one(make_approved_claim, carol, [("SUPPLIES", 9999, {})])[0]
    assert (eligible.tax_code, eligible.special_case_note) == ("taxable/10/std/100", "少額特例")
    over = post_one(make_approved_claim, carol, [("SUPPLIES", 10000, {})])[0]
    assert over.tax_code == "taxable/10/std/50"
    before_year = post_one(make_approved_claim, carol, [("SUPPLIES", 5000, {"day": D(2026, 3, 31)})])[0]
    assert before_year.tax_code == "taxable/10/std/80"  # FY 2025 not eligible


def test_the_company_can_switch_to_the_reform_schedule_from_a_date(make_approved_claim, carol):
    assert DeductionScheduleRow.objects.filter(schedule="r8_reform_outline").count() == 5
    company = CompanySettings.load()
    company.deduction_schedule = "r8_reform_outline"
    company.deduction_schedule_from = D(2026, 11, 1)
    company.save()
    after = post_one(make_approved_claim, carol, [("SUPPLIES", 5000, {"day": D(2026, 11, 1)})])[0]
    before = post_one(make_approved_claim, carol, [("SUPPLIES", 5000, {"day": D(2026, 10, 31)})])[0]
    assert (after.tax_code, before.tax_code) == ("taxable/10/std/70", "taxable/10/std/50")


def test_admin_edited_schedule_rows_are_used(make_approved_claim, carol):
    DeductionScheduleRow.objects.filter(schedule="current_law", valid_from=D(2026, 10, 1)).update(ratio=60)
    debit = post_one(make_approved_claim, carol, [("SUPPLIES", 5000, {})])[0]
    assert debit.tax_code == "taxable/10/std/60"


def test_corporate_card_lines_credit_the_card_not_the_employee(make_approved_claim, carol):
    lines = post_one(make_approved_claim, carol, [
        ("SUPPLIES", 1100, {"registration_number": "T4011001098993"}),
        ("TAXI", 3300, {"payment_method": "corporate_card", "registration_number": "T4011001098993"}),
    ])
    credits = [(x.sub_account, x.amount) for x in lines if x.side == "credit"]
    assert credits == [("E-alice 山田 太郎", 1100), ("法人カード", 3300)]


def test_a_receipt_split_by_tax_rate_posts_one_debit_per_rate_citing_the_one_receipt(alice, carol, categories,
                                                                                     settings, tmp_path):
    from unittest import mock

    from expenses.ocr.registry import register_parser, unregister_parser
    from expenses.services.claims import check_create_claim
    from expenses.services.receipts import check_upload_receipts, do_run_receipt_ocr
    from tests.accounting.conftest import approve
    from tests.conftest import claim_input
    from tests.expenses.receipt_helpers import png_upload
    from tests.expenses.test_rate_split import MixedReceipt

    settings.STORAGES = {**settings.STORAGES, "receipts": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    claim = check_create_claim(acting_user=alice, data=claim_input(title="買い出し"))
    with mock.patch("expenses.services.receipts.enqueue_ocr"), transaction.atomic():
        [upload] = check_upload_receipts(claim.pk, [png_upload()], acting_user=alice)
    register_parser(MixedReceipt)
    try:
        assert do_run_receipt_ocr(upload.receipt.pk) == "done"
    finally:
        unregister_parser(MixedReceipt)
    ClaimLine.objects.filter(claim=claim).update(category=categories["SUPPLIES"])
    entry = do_post_claim(approve(claim, by=carol), acting_user=carol)
    debits = list(entry.lines.filter(side=JournalLine.Side.DEBIT).order_by("position"))
    assert [(x.amount, x.tax_amount, x.tax_code, x.receipt_id) for x in debits] == [
        (1853, 168, "taxable/10/std/100", upload.receipt.pk), (1068, 79, "taxable/8/reduced/100", upload.receipt.pk)]
    assert entry.debit_total == 2921
