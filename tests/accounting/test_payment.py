"""全銀 payment batches: business days only, 120-byte records and totals, a claim is paid once."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounting.models import JournalEntry, PaymentBatch
from accounting.services import (
    check_create_payment_batch,
    check_mark_batch_paid,
    check_reverse_claim,
    do_post_claim,
)
from core.exceptions import ApplicationError, NotFoundOrForbidden
from expenses.models import Claim
from tests.accounting.conftest import next_bank_day, next_closed_days

pytestmark = pytest.mark.django_db

BUSINESS_DAY = next_bank_day()


@pytest.fixture
def payable(make_approved_claim, carol, company, alice_bank):
    claims = [make_approved_claim(title="備品"),
              make_approved_claim([("TRANSIT", 1200, {}), ("TAXI", 3300, {"payment_method": "corporate_card"})],
                                  title="交通費")]
    for claim in claims:
        do_post_claim(claim, acting_user=carol)
    return claims


def records(content: bytes) -> list[bytes]:
    parts = content.split(b"\r\n")
    assert parts[-1] == b""
    return parts[:-1]


def test_it_builds_a_zengin_file_with_totals(payable, carol):
    batch = check_create_payment_batch(claim_ids=[c.pk for c in payable], transfer_date=BUSINESS_DAY,
                                       acting_user=carol)
    assert (batch.item_count, batch.total_amount) == (1, 2300)  # one payee; the card-paid taxi is not reimbursed
    rows = records(bytes(batch.content))
    assert [len(r) for r in rows] == [120] * 4
    assert [r[:1] for r in rows] == [b"1", b"2", b"8", b"9"]
    header = rows[0].decode("cp932")
    assert header[1:3] == "21" and header[4:14] == "1234567890" and header[54:58] == f"{BUSINESS_DAY:%m%d}"
    data = rows[1].decode("cp932")
    assert data[1:5] == "0005" and data[43:50] == "7654321" and data[50:80].rstrip() == "ﾔﾏﾀﾞ ﾀﾛｳ"
    assert int(data[80:90]) == 2300
    trailer = rows[2].decode("cp932")
    assert (int(trailer[1:7]), int(trailer[7:19])) == (1, 2300)


@pytest.mark.parametrize("day", next_closed_days(), ids=["saturday", "national_holiday", "dec31", "jan3"])
def test_it_refuses_bank_holidays(payable, carol, day):
    with pytest.raises(ApplicationError) as error:
        check_create_payment_batch(claim_ids=[payable[0].pk], transfer_date=day, acting_user=carol)
    assert "休業日" in error.value.message
    assert PaymentBatch.objects.count() == 0


def test_a_claim_is_paid_only_once(payable, carol):
    check_create_payment_batch(claim_ids=[payable[0].pk], transfer_date=BUSINESS_DAY, acting_user=carol)
    with pytest.raises(ApplicationError):
        check_create_payment_batch(claim_ids=[payable[0].pk, payable[1].pk], transfer_date=BUSINESS_DAY,
                                   acting_user=carol)
    assert PaymentBatch.objects.count() == 1


def test_marking_paid_creates_payment_entries_once(payable, carol):
    batch = check_create_payment_batch(claim_ids=[payable[0].pk], transfer_date=BUSINESS_DAY, acting_user=carol)
    check_mark_batch_paid(batch.pk, acting_user=carol)
    entry = JournalEntry.objects.get(kind="payment")
    lines = [(x.side, x.account_name, x.sub_account, x.amount) for x in entry.lines.order_by("position")]
    assert lines == [("debit", "未払金", "E-alice 山田 太郎", 1100), ("credit", "普通預金", "0001-001-1234567", 1100)]
    assert entry.entry_date == BUSINESS_DAY
    claim = Claim.objects.get(pk=payable[0].pk)
    assert claim.status == "paid"  # the applicant sees 支払済み, with who and when in the history
    event = claim.events.order_by("-id").first()
    assert (event.from_status, event.to_status, event.actor, event.comment) == (
        "approved", "paid", carol, f"{claim.number} 振込 {BUSINESS_DAY:%Y/%m/%d}")
    assert Claim.objects.get(pk=payable[1].pk).status == "approved"  # not in the batch
    with pytest.raises(ApplicationError):
        check_mark_batch_paid(batch.pk, acting_user=carol)
    assert JournalEntry.objects.filter(kind="payment").count() == 1
    with pytest.raises(ApplicationError):  # paid claims cannot be reversed any more
        check_reverse_claim(payable[0].pk, acting_user=carol)


def test_missing_bank_account_and_settings_are_explained(make_approved_claim, carol, company):
    claim = make_approved_claim()
    do_post_claim(claim, acting_user=carol)
    with pytest.raises(ApplicationError) as error:
        check_create_payment_batch(claim_ids=[claim.pk], transfer_date=BUSINESS_DAY, acting_user=carol)
    assert "振込口座" in error.value.message
    company.zengin_requester_code = ""
    company.save()
    with pytest.raises(ApplicationError) as error:
        check_create_payment_batch(claim_ids=[claim.pk], transfer_date=BUSINESS_DAY, acting_user=carol)
    assert "振込依頼人コード" in error.value.message


def test_only_accounting_pays(payable, alice):
    with pytest.raises(NotFoundOrForbidden):
        check_create_payment_batch(claim_ids=[payable[0].pk], transfer_date=BUSINESS_DAY, acting_user=alice)


def test_export_zengin_command(payable, carol, tmp_path):
    out = tmp_path / "zengin.txt"
    call_command("export_zengin", "--date", BUSINESS_DAY.isoformat(), "--output", str(out), "--user", "carol",
                 stdout=io.StringIO())
    assert [len(r) for r in records(out.read_bytes())] == [120] * 4
    with pytest.raises(CommandError):
        call_command("export_zengin", "--date", BUSINESS_DAY.isoformat(), "--output", str(out), "--user", "carol",
                     stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("export_zengin", "--date", next_closed_days()[2].isoformat(), "--output", str(out), "--user", "carol",
                     "--claims", str(payable[0].pk), stdout=io.StringIO())


def test_a_bank_branch_missing_from_zengin_code_is_refused(payable, carol, alice_bank):
    type(alice_bank).objects.filter(pk=alice_bank.pk).update(branch_code="999")
    with pytest.raises(ApplicationError) as error:
        check_create_payment_batch(claim_ids=[payable[0].pk], transfer_date=BUSINESS_DAY, acting_user=carol)
    assert "支店コード 999" in error.value.message
