"""Approvers see each line's receipt and its duplicate warnings, and may open the receipt file."""

from unittest import mock

import pytest
from django.urls import reverse

from expenses.models import ClaimLine, Receipt
from expenses.services.claims import check_create_claim, check_submit_claim
from expenses.services.receipts import check_upload_receipts
from tests.approvals.conftest import submit_claim
from tests.approvals.test_views import client_for
from tests.conftest import claim_input
from tests.expenses.receipt_helpers import sample_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def receipts_dir(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "receipts": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


def _claim_with_receipt(user, categories, title: str):
    claim = check_create_claim(acting_user=user, data=claim_input(title))
    with mock.patch("expenses.services.receipts.enqueue_ocr"):
        [result] = check_upload_receipts(claim.pk, [sample_upload()], acting_user=user)
    ClaimLine.objects.filter(pk=result.line.pk).update(expense_date="2026-11-02", amount=10736, vendor="炉端 いろり屋",
                                                       category=categories["SUPPLIES"], tax_category="standard")
    return check_submit_claim(claim.pk, acting_user=user), result.receipt


def test_reviewer_sees_the_receipt_and_the_duplicate(all_people, categories) -> None:
    first, _ = _claim_with_receipt(all_people["alice"], categories, "1回目")
    second, receipt = _claim_with_receipt(all_people["alice"], categories, "2回目")
    bob = client_for(all_people["bob"])
    body = bob.get(f"/approvals/claims/{second.pk}/").content.decode()
    assert reverse("expenses:receipt-file", args=[receipt.pk, "thumbnail"]) in body
    assert f"同じファイルの領収書が {first.number} にも添付されています。" in body
    assert f"同じ日付・金額・支払先の明細が {first.number} にあります。" in body
    assert bob.get(reverse("expenses:receipt-file", args=[receipt.pk, "original"])).status_code == 200


def test_an_unrelated_approver_cannot_open_the_receipt(all_people, categories, dave) -> None:
    claim, receipt = _claim_with_receipt(all_people["alice"], categories, "申請")
    assert client_for(dave).get(reverse("expenses:receipt-file", args=[receipt.pk, "original"])).status_code == 404
    other = submit_claim(all_people["alice"], categories, 1_000)
    assert other.pk != claim.pk and Receipt.objects.filter(claim=other).count() == 0
