"""Approval personas: carol (経理), erin (bob's delegate), helen (部門長 of 営業1課), dan (本部長, 営業部)."""

import datetime

import pytest
from django.utils import timezone

from approvals.models import ApprovalStep, StepStatus
from expenses.services.claims import check_create_claim, check_submit_claim
from people.models import Department
from tests.conftest import claim_input, line, make_user


@pytest.fixture
def org(db, department, bob):
    """営業本部 (head dan) › 営業部 … here: SALES (head dan) is the parent of SALES1 (head helen)."""
    sales = Department.objects.create(code="SALES", name="営業部")
    dan = make_user("dan", department=sales, roles=("employee", "approver"), name="本部 長")
    sales.head = dan
    sales.save()
    helen = make_user("helen", department=department, manager=dan, roles=("employee", "approver"), name="部門 長")
    department.parent = sales
    department.head = helen
    department.save()
    bob.manager = helen
    bob.save()
    return {"sales": sales, "sales1": department, "dan": dan, "helen": helen}


@pytest.fixture
def helen(org):
    return org["helen"]


@pytest.fixture
def dan(org):
    return org["dan"]


@pytest.fixture
def carol(db, default_data):
    """Carol is in accounting (経理) and does the final check."""
    return make_user("carol", roles=("employee", "accounting"), name="経理 花子")


@pytest.fixture
def erin(db, department):
    """Erin is an approver who may stand in for bob."""
    return make_user("erin", department=department, roles=("employee", "approver"), name="代理 恵理")


@pytest.fixture
def all_people(org, alice, bob, carol, erin):
    for user in (alice, bob, carol, erin, org["helen"], org["dan"]):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    return {"alice": alice, "bob": bob, "carol": carol, "erin": erin, "helen": org["helen"], "dan": org["dan"]}


def submit_claim(user, categories, *amounts: int, code: str = "SUPPLIES", title: str = "備品購入"):
    """Create and submit a claim of `user` with one line per amount (receipt reason filled so it submits)."""
    lines = [line(categories, code, amount, vendor="文具店", no_receipt_reason="紛失",
                  **({"attendee_count": 2, "attendee_names": "A社 様"} if code in ("ENTERTAIN", "MEETING") else {}))
             for amount in amounts]
    claim = check_create_claim(acting_user=user, data=claim_input(title, lines))
    return check_submit_claim(claim.pk, acting_user=user)


def current_steps(claim) -> list[ApprovalStep]:
    last = ApprovalStep.objects.filter(claim=claim).order_by("-round").values_list("round", flat=True).first()
    return list(ApprovalStep.objects.filter(claim=claim, round=last).select_related("approver").order_by("order"))


def pending_step(claim) -> ApprovalStep:
    return ApprovalStep.objects.select_related("approver").get(claim=claim, status=StepStatus.PENDING)


def route_of(claim) -> list[tuple[str, str | None, str]]:
    return [(s.name, s.approver.username if s.approver else (s.approver_group.name if s.approver_group else None),
             s.status) for s in current_steps(claim)]


def days_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Personas are created per test; PBKDF2 would make every setup take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
