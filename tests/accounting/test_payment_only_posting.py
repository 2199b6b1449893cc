"""Posting style "payment only" (domain.md R10.3): what the employee paid is booked when it is reimbursed."""

import pytest

from accounting.models import JournalEntry
from accounting.selectors import list_claims_to_post, list_payable_claims
from accounting.services import (
    check_create_payment_batch,
    check_mark_batch_paid,
    check_post_claim,
    do_post_claim,
)
from core.exceptions import ApplicationError
from expenses.models import Claim
from tests.accounting.conftest import next_bank_day

pytestmark = pytest.mark.django_db

BUSINESS_DAY = next_bank_day()


@pytest.fixture
def payment_only(company):
    company.posting_style = "payment_only"
    company.save()
    return company


def entry_lines(entry) -> list[tuple]:
    return [(x.side, x.account_name, x.sub_account, x.tax_code, x.amount, x.tax_amount)
            for x in entry.lines.order_by("position")]


def test_employee_paid_lines_are_booked_at_payment_with_their_tax(payment_only, make_approved_claim, carol,
                                                                  alice_bank):
    claim = make_approved_claim(title="備品")  # 消耗品費 ¥1,100, 適格 (T-number), paid by the employee
    assert do_post_claim(claim, acting_user=carol) is None  # nothing to book at confirmation
    assert not JournalEntry.objects.filter(claim=claim).exists()
    assert claim not in list_claims_to_post()
    with pytest.raises(ApplicationError, match="振込時に計上"):
        check_post_claim(claim.pk, acting_user=carol)
    assert list(list_payable_claims()) == [claim]

    batch = check_create_payment_batch(claim_ids=[claim.pk], transfer_date=BUSINESS_DAY, acting_user=carol)
    assert batch.total_amount == 1100
    check_mark_batch_paid(batch.pk, acting_user=carol)
    entry = JournalEntry.objects.get(claim=claim)
    assert (entry.kind, entry.entry_date) == ("payment", BUSINESS_DAY)
    assert entry_lines(entry) == [
        ("debit", "消耗品費", "", "taxable/10/std/100", 1100, 100),  # Dr 費用 with its tax key …
        ("credit", "普通預金", "0001-001-1234567", "out_of_scope", 1100, None),  # … / Cr 普通預金
    ]
    assert Claim.objects.get(pk=claim.pk).status == "paid"


def test_card_lines_are_still_booked_at_confirmation(payment_only, make_approved_claim, carol, alice_bank):
    claim = make_approved_claim([("TRANSIT", 1200, {}), ("TAXI", 3300, {"payment_method": "corporate_card"})],
                                title="交通費")
    assert claim in list_claims_to_post()  # the card line waits for its 計上仕訳
    accrual = check_post_claim(claim.pk, acting_user=carol)
    assert [(s, a, sub, amount) for s, a, sub, _, amount, _ in entry_lines(accrual)] == [
        ("debit", "旅費交通費", "", 3300), ("credit", "未払金", "法人カード", 3300)]
    batch = check_create_payment_batch(claim_ids=[claim.pk], transfer_date=BUSINESS_DAY, acting_user=carol)
    assert batch.total_amount == 1200  # only the fare the employee paid
    check_mark_batch_paid(batch.pk, acting_user=carol)
    payment = JournalEntry.objects.get(claim=claim, kind="payment")
    assert [(s, a, amount) for s, a, _, _, amount, _ in entry_lines(payment)] == [
        ("debit", "旅費交通費", 1200), ("credit", "普通預金", 1200)]


def test_claims_posted_before_the_switch_are_paid_against_their_accrual(company, make_approved_claim, carol,
                                                                        alice_bank):
    claim = make_approved_claim(title="備品")
    do_post_claim(claim, acting_user=carol)  # 計上仕訳 under the default style: Dr 消耗品費 / Cr 未払金
    company.posting_style = "payment_only"
    company.save()
    batch = check_create_payment_batch(claim_ids=[claim.pk], transfer_date=BUSINESS_DAY, acting_user=carol)
    check_mark_batch_paid(batch.pk, acting_user=carol)
    payment = JournalEntry.objects.get(claim=claim, kind="payment")
    assert [(s, a, amount) for s, a, _, _, amount, _ in entry_lines(payment)] == [
        ("debit", "未払金", 1100), ("credit", "普通預金", 1100)]  # the expense is not booked twice
