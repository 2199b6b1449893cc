import datetime

import pytest
from django.db import IntegrityError, InternalError, transaction

from approvals.models import ClaimEvent
from approvals.transitions import ClaimStatus
from core.exceptions import ApplicationError, ConflictError, NotFoundOrForbidden, ValidationFailed
from core.models import CompanySettings
from expenses.models import Claim, ClaimLine
from expenses.services.claims import check_create_claim, check_submit_claim, check_update_claim
from tests.conftest import claim_input, line

pytestmark = pytest.mark.django_db


def test_it_creates_a_claim_with_per_rate_totals(alice, categories) -> None:
    claim = check_create_claim(acting_user=alice, data=claim_input(lines=[
        line(categories, "TAXI", 1320),
        line(categories, "MEETING", 864, tax_category="reduced"),
        line(categories, "STAMPS", 200),
    ]))
    assert claim.number.startswith(f"EX-{datetime.date.today().year}-")
    assert (claim.total_amount, claim.taxable_10_amount, claim.tax_10_amount) == (2384, 1320, 120)
    assert (claim.taxable_8_amount, claim.tax_8_amount, claim.other_amount) == (864, 64, 200)
    assert claim.line_count == 3
    assert [(ev.kind, ev.actor_id) for ev in claim.events.all()] == [(ClaimEvent.Kind.CREATED, alice.pk)]


def test_claim_numbers_are_sequential_and_unique(alice, categories) -> None:
    numbers = [check_create_claim(acting_user=alice, data=claim_input()).number for _ in range(3)]
    assert len(set(numbers)) == 3
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3]


def test_company_rounding_is_applied_once_per_receipt(alice, categories) -> None:
    CompanySettings.objects.update_or_create(pk=1, defaults={"tax_rounding": "ceil"})
    claim = check_create_claim(acting_user=alice, data=claim_input(lines=[line(categories, "TAXI", 1000)]))
    assert ClaimLine.objects.get(claim=claim).tax_amount == 91
    assert claim.tax_10_amount == 91


@pytest.mark.parametrize(
    ("amount", "field_message"),
    [(0, "1円以上"), (-100, "1円以上"), (10_000_001, "上限")],
)
def test_it_rejects_amounts_out_of_range(alice, categories, amount, field_message) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        check_create_claim(acting_user=alice, data=claim_input(lines=[line(categories, "TAXI", amount)]))
    assert field_message in excinfo.value.extra["fields"]["lines.0.amount"]
    assert not Claim.objects.exists()


def test_it_rejects_future_dates(alice, categories, today) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        check_create_claim(acting_user=alice, data=claim_input(
            lines=[line(categories, "TAXI", 500, day=today + datetime.timedelta(days=1))]))
    assert "未来" in excinfo.value.extra["fields"]["lines.0.expense_date"]


def test_invalid_registration_number_is_an_error_but_bad_check_digit_only_warns(alice, categories) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        check_create_claim(acting_user=alice, data=claim_input(
            lines=[line(categories, "TAXI", 500, registration_number="T12345")]))
    assert "13桁" in excinfo.value.extra["fields"]["lines.0.registration_number"]
    claim = check_create_claim(acting_user=alice, data=claim_input(
        lines=[line(categories, "TAXI", 500, registration_number="Ｔ５０１１００１０９８９９３")]))
    stored = ClaimLine.objects.get(claim=claim)
    assert (stored.registration_number, stored.registration_status) == ("T5011001098993", "warning")
    assert stored.registration_number_raw == "Ｔ５０１１００１０９８９９３"


def test_very_long_text_is_refused_with_a_message(alice, categories) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        check_create_claim(acting_user=alice, data=claim_input(title="長" * 101,
                                                               lines=[line(categories, "TAXI", 500, vendor="x" * 101)]))
    fields = excinfo.value.extra["fields"]
    assert "100文字" in fields["title"] and "100文字" in fields["lines.0.vendor"]


def test_update_replaces_lines_and_records_a_diff(alice, categories) -> None:
    claim = check_create_claim(acting_user=alice, data=claim_input(
        lines=[line(categories, "TAXI", 1000), line(categories, "TAXI", 2000)]))
    first, second = ClaimLine.objects.filter(claim=claim).order_by("position")
    kept = line(categories, "TAXI", 1500)
    kept.id = first.pk
    claim = check_update_claim(claim.pk, acting_user=alice, expected_version=1, data=claim_input(
        lines=[kept, line(categories, "MEETING", 3000, tax_category="reduced")]))
    assert claim.version == 2
    assert list(ClaimLine.objects.filter(claim=claim).order_by("position").values_list("amount", flat=True)) == [
        1500, 3000]
    assert not ClaimLine.objects.filter(pk=second.pk).exists()
    assert (claim.total_amount, claim.taxable_8_amount, claim.tax_8_amount) == (4500, 3000, 222)
    edit = claim.events.get(kind=ClaimEvent.Kind.EDITED)
    assert edit.diff["lines_added"] == 1 and edit.diff["lines_removed"] == 1
    assert edit.diff["total_amount"] == {"from": 3000, "to": 4500}


def test_a_stale_second_tab_gets_a_conflict_and_nothing_is_lost(alice, categories) -> None:
    claim = check_create_claim(acting_user=alice, data=claim_input(lines=[line(categories, "TAXI", 1000)]))
    check_update_claim(claim.pk, acting_user=alice, expected_version=1,
                       data=claim_input(title="tab 1", lines=[line(categories, "TAXI", 1111)]))
    with pytest.raises(ConflictError):
        check_update_claim(claim.pk, acting_user=alice, expected_version=1,
                           data=claim_input(title="tab 2", lines=[line(categories, "TAXI", 2222)]))
    claim.refresh_from_db()
    assert (claim.title, claim.total_amount, claim.version) == ("tab 1", 1111, 2)


def test_submit_requires_lines_receipts_and_attendees(alice, categories) -> None:
    empty = check_create_claim(acting_user=alice, data=claim_input())
    with pytest.raises(ValidationFailed) as excinfo:
        check_submit_claim(empty.pk, acting_user=alice)
    assert "1行以上" in excinfo.value.extra["fields"]["lines"]
    claim = check_create_claim(acting_user=alice, data=claim_input(lines=[
        line(categories, "MEETING", 8000), line(categories, "TRANSIT", 29_999), line(categories, "TRANSIT", 30_000)]))
    with pytest.raises(ValidationFailed) as excinfo:
        check_submit_claim(claim.pk, acting_user=alice)
    fields = excinfo.value.extra["fields"]
    assert set(fields) == {"lines.0.attendee_count", "lines.0.attendee_names", "lines.0.no_receipt_reason",
                           "lines.2.no_receipt_reason"}
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT


def test_submit_moves_to_submitted_once_and_freezes_the_claim(alice, categories, department) -> None:
    claim = check_create_claim(acting_user=alice, data=claim_input(lines=[line(categories, "TRANSIT", 1320)]))
    check_submit_claim(claim.pk, acting_user=alice, expected_version=claim.version)
    with pytest.raises(ApplicationError):  # a double click
        check_submit_claim(claim.pk, acting_user=alice)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and claim.department == department and claim.submitted_at
    events = list(claim.events.filter(kind=ClaimEvent.Kind.STATUS).values_list("from_status", "to_status"))
    assert events == [(ClaimStatus.DRAFT, ClaimStatus.SUBMITTED)]
    with pytest.raises(ApplicationError):
        check_update_claim(claim.pk, acting_user=alice, expected_version=None, data=claim_input(title="changed"))


def test_another_employees_claim_is_not_found(alice, dave, categories) -> None:
    claim = check_create_claim(acting_user=alice, data=claim_input(lines=[line(categories, "TAXI", 500)]))
    with pytest.raises(NotFoundOrForbidden):
        check_update_claim(claim.pk, acting_user=dave, expected_version=None, data=claim_input(title="mine now"))
    with pytest.raises(NotFoundOrForbidden):
        check_submit_claim(claim.pk, acting_user=dave)


def test_claim_events_are_append_only_in_postgresql(alice, categories) -> None:
    claim = check_create_claim(acting_user=alice, data=claim_input())
    event = claim.events.get()
    with pytest.raises(InternalError), transaction.atomic():
        ClaimEvent.objects.filter(pk=event.pk).update(comment="tampered")
    with pytest.raises(InternalError), transaction.atomic():
        ClaimEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.comment == ""


def test_line_amount_constraint_holds_in_the_database(alice, categories) -> None:
    claim = check_create_claim(acting_user=alice, data=claim_input(lines=[line(categories, "TAXI", 500)]))
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimLine.objects.filter(claim=claim).update(amount=0)
