"""Personas (healthchecks style) and shared fixtures. Infra fixtures live in tests/plugins."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from expenses.defaults import ensure_default_data
from expenses.inputs import ClaimInput, LineInput
from expenses.models import ExpenseCategory
from people.models import Department, User

pytest_plugins = ["tests.plugins.services", "tests.plugins.browser"]


def make_user(username: str, *, department=None, manager=None, roles=("employee",), name="") -> User:
    user = User.objects.create_user(
        username=username, password="pw-" + username, name=name or username.title(), department=department,
        manager=manager, employee_code=f"E-{username}",
    )
    user.groups.add(*Group.objects.filter(name__in=roles))
    return user


@pytest.fixture
def default_data(db) -> None:
    """Transactional tests (live server, worker) flush migration-seeded rows; put them back."""
    ensure_default_data()


@pytest.fixture
def department(db, default_data) -> Department:
    return Department.objects.create(code="SALES1", name="営業1課")


@pytest.fixture
def bob(db, department) -> User:
    """Bob is Alice's manager and an approver."""
    return make_user("bob", department=department, roles=("employee", "approver"), name="佐藤 花子")


@pytest.fixture
def alice(db, department, bob) -> User:
    """Alice is a normal employee who files claims."""
    return make_user("alice", department=department, manager=bob, name="山田 太郎")


@pytest.fixture
def dave(db) -> User:
    """Dave is in another department and must never see Alice's claims."""
    return make_user("dave", name="部外 者")


@pytest.fixture
def categories(db, default_data) -> dict[str, ExpenseCategory]:
    return {c.code: c for c in ExpenseCategory.objects.all()}


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


def line(categories, code: str, amount: int, *, day: datetime.date | None = None, **kwargs) -> LineInput:
    return LineInput(expense_date=day or timezone.localdate(), category_id=categories[code].pk, amount=amount,
                     **kwargs)


def claim_input(title: str = "出張精算", lines: list[LineInput] | None = None, **kwargs) -> ClaimInput:
    return ClaimInput(title=title, lines=lines if lines is not None else [], **kwargs)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def alice_api(alice) -> APIClient:
    api = APIClient()
    api.force_authenticate(alice)
    return api
