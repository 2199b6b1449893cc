"""Accounting fixtures: carol (経理), the company's bank settings, and approved claims built via services."""

import datetime

import pytest

from accounting.defaults import ensure_accounting_data
from approvals.events import transition_claim
from approvals.transitions import Actor, ClaimStatus
from core.models import CompanySettings
from expenses.services.claims import check_create_claim, check_submit_claim
from people.models import BankAccount
from tests.conftest import claim_input, line, make_user


@pytest.fixture
def accounting_data(db, default_data) -> None:
    """Transactional tests flush the migration's seed rows; put them back."""
    ensure_accounting_data()


@pytest.fixture
def carol(db, default_data, accounting_data):
    return make_user("carol", roles=("employee", "accounting"), name="経理 花子")


@pytest.fixture
def company(db) -> CompanySettings:
    company = CompanySettings.load()
    company.zengin_requester_code = "1234567890"
    company.zengin_requester_name = "ｶ)ｻﾝﾌﾟﾙ"
    company.bank_code, company.branch_code = "0001", "001"
    company.bank_account_type, company.bank_account_number = "1", "1234567"
    company.save()
    return company


@pytest.fixture
def alice_bank(alice) -> BankAccount:
    return BankAccount.objects.create(user=alice, bank_code="0005", branch_code="001", bank_name="三菱ＵＦＪ",
                                      branch_name="本店", account_type="1", account_number="7654321",
                                      holder_kana="ﾔﾏﾀﾞ ﾀﾛｳ")


def approve(claim, *, by):
    """Submit as the applicant, then approve as the workflow's end would."""
    claim = check_submit_claim(claim.pk, acting_user=claim.applicant)
    transition_claim(claim, to=ClaimStatus.APPROVED, actor=Actor.SYSTEM, acting_user=by)
    return claim


@pytest.fixture
def make_approved_claim(alice, carol, categories):
    def make(lines=None, *, applicant=None, title="備品購入"):
        lines = lines or [("SUPPLIES", 1100, {"vendor": "文具店", "registration_number": "T4011001098993"})]
        inputs = [line(categories, code, amount, day=extra.pop("day", datetime.date(2026, 11, 2)),
                       no_receipt_reason=extra.pop("no_receipt_reason", "紛失のため"), **extra)
                  for code, amount, extra in ((c, a, dict(e)) for c, a, e in lines)]
        claim = check_create_claim(acting_user=applicant or alice, data=claim_input(title=title, lines=inputs))
        return approve(claim, by=carol)

    return make
