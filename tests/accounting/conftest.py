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


def next_bank_day(after: datetime.date | None = None) -> datetime.date:
    """A transfer date that stays valid whenever the suite runs: the next bank business day after today."""
    from core.calendar import next_business_day

    return next_business_day(after or datetime.date.today())


def next_closed_days(today: datetime.date | None = None) -> list[datetime.date]:
    """Future bank holidays of each kind: a Saturday, a national holiday, 12/31 and 1/3 (R11.1)."""
    from core.calendar import is_national_holiday

    today = today or datetime.date.today()
    saturday = today + datetime.timedelta(days=(5 - today.weekday()) % 7 or 7)
    holiday = next(today + datetime.timedelta(days=n) for n in range(1, 400)
                   if is_national_holiday(today + datetime.timedelta(days=n))
                   and (today + datetime.timedelta(days=n)).weekday() < 5)
    year_end = datetime.date(today.year if today < datetime.date(today.year, 12, 31) else today.year + 1, 12, 31)
    new_year = datetime.date(year_end.year + 1, 1, 3)
    return [saturday, holiday, year_end, new_year]
