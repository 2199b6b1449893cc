"""A receipt with both 10% and 8% items becomes one line per rate, both evidenced by the one receipt."""

import datetime
from unittest import mock

import pytest
from django.db import transaction
from django.urls import reverse

from approvals.models import ClaimEvent
from expenses.models import ClaimLine, Receipt, ReceiptEvent
from expenses.ocr.fake import FakeReceiptParser
from expenses.ocr.registry import register_parser, unregister_parser
from expenses.services.claims import check_create_claim, check_submit_claim, check_update_claim
from expenses.services.lines import line_has_receipt
from expenses.services.receipt_fill import amounts_by_rate
from expenses.services.receipts import check_reread_receipt, check_upload_receipts, do_run_receipt_ocr
from tests.conftest import claim_input, line, make_user
from tests.expenses.receipt_helpers import png_upload

pytestmark = pytest.mark.django_db

MIXED = ("まいにちストア\n登録番号 T4011001098993\n2026年10月3日\n合計 ¥2,921\n10%対象 ¥1,853 内消費税 ¥168\n"
         "8%対象 ¥1,068 内消費税 ¥79\n現金 ¥2,921")


class MixedReceipt(FakeReceiptParser):
    text = MIXED


@pytest.fixture(autouse=True)
def receipts_dir(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "receipts": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


@pytest.fixture
def mixed_parser():
    register_parser(MixedReceipt)
    yield
    unregister_parser(MixedReceipt)


@pytest.fixture
def claim(alice, categories):
    """A draft with a typed line before and after the line the receipt is dropped on."""
    return check_create_claim(acting_user=alice, data=claim_input(title="会議用の買い出し", lines=[
        line(categories, "SUPPLIES", 500, day=datetime.date(2026, 10, 1)),
        line(categories, "SUPPLIES", 700, day=datetime.date(2026, 10, 2)),
    ]))


def _upload_and_read(claim, user):
    with mock.patch("expenses.services.receipts.enqueue_ocr"), transaction.atomic():
        [result] = check_upload_receipts(claim.pk, [png_upload()], acting_user=user)
    assert do_run_receipt_ocr(result.receipt.pk) == "done"
    return result


def test_amounts_by_rate_needs_both_rates_adding_up_to_the_total():
    inclusive = {"total": 2921, "tax_basis": "inclusive",
                 "tax_breakdown": {"10": {"taxable": 1853, "tax": 168}, "8": {"taxable": 1068, "tax": 79}}}
    assert amounts_by_rate(inclusive) == {"10": 1853, "8": 1068}
    exclusive = {"total": 3164, "tax_basis": "exclusive",
                 "tax_breakdown": {"10": {"taxable": 1685, "tax": 168}, "8": {"taxable": 1232, "tax": 79}}}
    assert amounts_by_rate(exclusive) == {"10": 1853, "8": 1311}
    assert amounts_by_rate({**inclusive, "total": 3021}) is None  # 入湯税 or a misread: not split
    assert amounts_by_rate({"total": 1100, "tax_breakdown": {"10": {"taxable": 1100, "tax": 100}}}) is None
    assert amounts_by_rate({"total": 0, "tax_breakdown": {}}) is None


def test_a_mixed_receipt_fills_its_line_with_the_10_percent_part_and_adds_the_8_percent_line(
        claim, alice, categories, mixed_parser):
    version = claim.version
    result = _upload_and_read(claim, alice)
    lines = list(ClaimLine.objects.filter(claim=claim).order_by("position"))
    assert [(row.position, row.amount) for row in lines] == [(1, 500), (2, 700), (3, 1853), (4, 1068)]
    standard, reduced = lines[2], lines[3]
    assert standard.pk == result.line.pk and reduced.receipt_line_id == standard.pk
    assert (standard.tax_category, standard.tax_rate, standard.tax_amount) == ("standard", 10, 168)
    assert (reduced.tax_category, reduced.tax_rate, reduced.tax_amount) == ("reduced", 8, 79)
    assert (reduced.expense_date, reduced.vendor, reduced.registration_number) == (
        datetime.date(2026, 10, 3), "まいにちストア", "T4011001098993")
    assert set(reduced.ocr_filled_fields) >= {"amount", "tax_category", "expense_date", "vendor"}
    claim.refresh_from_db()
    assert (claim.total_amount, claim.line_count, claim.version) == (500 + 700 + 2921, 4, version + 2)
    assert (claim.taxable_10_amount, claim.tax_10_amount) == (500 + 700 + 1853, 45 + 63 + 168)
    assert (claim.taxable_8_amount, claim.tax_8_amount) == (1068, 79)
    done = ReceiptEvent.objects.get(receipt=result.receipt, kind=ReceiptEvent.Kind.OCR_DONE)
    assert done.detail["split_by_tax_rate"] == {"line": standard.pk, "rate_line": reduced.pk,
                                                "amounts": {"10": 1853, "8": 1068}}
    event = ClaimEvent.objects.filter(claim=claim).latest("id")
    assert (event.kind, event.actor, event.diff["source"], event.diff["lines_added"]) == ("edited", alice, "ocr", 1)


def test_reading_again_does_not_split_twice_and_a_typed_amount_is_never_split(claim, alice, mixed_parser):
    result = _upload_and_read(claim, alice)
    with mock.patch("expenses.services.receipts.enqueue_ocr"), transaction.atomic():
        check_reread_receipt(result.receipt.pk, acting_user=alice)
    assert do_run_receipt_ocr(result.receipt.pk) == "done"
    assert ClaimLine.objects.filter(claim=claim).count() == 4

    with mock.patch("expenses.services.receipts.enqueue_ocr"), transaction.atomic():
        [typed] = check_upload_receipts(claim.pk, [png_upload("b.png", color=(9, 9, 9))], acting_user=alice)
        ClaimLine.objects.filter(pk=typed.line.pk).update(amount=3000)
    assert do_run_receipt_ocr(typed.receipt.pk) == "done"
    assert ClaimLine.objects.filter(claim=claim).count() == 5
    assert ClaimLine.objects.get(pk=typed.line.pk).amount == 3000


def test_the_8_percent_line_is_evidenced_by_the_shared_receipt_until_its_line_is_removed(
        claim, alice, categories, mixed_parser):
    from expenses.selectors import get_claim_lines

    _upload_and_read(claim, alice)
    lines = get_claim_lines(claim)
    standard, reduced = lines[2], lines[3]
    assert line_has_receipt(reduced) and reduced.evidence_receipts() == standard.evidence_receipts()
    # Removing the 10% line takes the receipt with it: the 8% line keeps its amount and needs evidence.
    kept = [line(categories, "SUPPLIES", row.amount, day=row.expense_date, id=row.pk) for row in (lines[0], reduced)]
    check_update_claim(claim.pk, acting_user=alice, expected_version=None, data=claim_input(title="会議用の買い出し",
                                                                                            lines=kept))
    reduced.refresh_from_db()
    assert (reduced.receipt_line_id, reduced.amount) == (None, 1068)


def test_submitting_needs_no_second_receipt_and_both_lines_show_it(claim, alice, categories, mixed_parser, client):
    from approvals.models import ApprovalStep

    result = _upload_and_read(claim, alice)
    ClaimLine.objects.filter(claim=claim).update(category=categories["MEETING"], attendee_count=2,
                                                 attendee_names="自社 田中、山本")
    ClaimLine.objects.filter(claim=claim, position__lte=2).update(no_receipt_reason="紛失")
    check_submit_claim(claim.pk, acting_user=alice)
    approver = ApprovalStep.objects.filter(claim=claim).order_by("order").first().approver
    client.force_login(approver)
    body = client.get(reverse("approvals:claim-review", args=[claim.pk])).content.decode()
    thumbnail = reverse("expenses:receipt-file", args=[result.receipt.pk, "thumbnail"])
    assert body.count(thumbnail) == 2  # beside the 10% line and beside the 8% line
    assert "行3と同じ領収書（税率別の明細）" in body
    assert "10%と8%の品目を税率別の明細に分割（¥1,853 / ¥1,068）" in body  # in the claim's history


def test_the_editor_status_tells_the_page_how_the_receipt_was_split(claim, alice, mixed_parser, client):
    result = _upload_and_read(claim, alice)
    client.force_login(alice)
    body = client.get(reverse("expenses:claim-receipts-status", args=[claim.pk])).json()
    reduced = ClaimLine.objects.get(receipt_line=result.line)
    assert body["rate_lines"] == [{"line": reduced.pk, "receipt_line": result.line.pk, "amount": 1068,
                                   "receipt_line_amount": 1853}]
    assert body["version"] == Receipt.objects.get(pk=result.receipt.pk).claim.version
    api = client.get(reverse("api-claim-detail", args=[claim.pk])).json()
    assert [(row["amount"], row["tax_category"], row["receipt_line"]) for row in api["lines"][2:]] == [
        (1853, "standard", None), (1068, "reduced", result.line.pk)]


def test_the_audit_search_finds_the_receipt_by_its_whole_amount(claim, alice, mixed_parser, client):
    result = _upload_and_read(claim, alice)
    client.force_login(make_user("carol", roles=("employee", "accounting")))
    preview = reverse("expenses:receipt-file", args=[result.receipt.pk, "preview"])
    found = client.get(reverse("accounting:receipt-search"), {"amount_min": "2921", "amount_max": "2921"})
    assert preview in found.content.decode() and "¥2,921" in found.content.decode()
    missed = client.get(reverse("accounting:receipt-search"), {"amount_min": "1853", "amount_max": "1853"})
    assert preview not in missed.content.decode()
    index = client.get(reverse("accounting:receipt-search"), {"amount_min": "2921", "export": "csv"})
    assert f"{result.receipt.pk},2026/10/03,2921," in index.content.decode("utf-8-sig")
