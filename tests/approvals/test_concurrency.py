"""Two approvers (or a double click) on the same step, on real PostgreSQL connections: exactly one wins."""

import threading

import pytest
from django.db import connection
from django.test import Client

from approvals import services
from approvals.models import ApprovalStep, ClaimEvent, StepStatus
from core.exceptions import ApplicationError
from tests.approvals.conftest import pending_step, submit_claim

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls):
    """Run the callables in threads released together; each thread uses its own DB connection."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", call())
        except Exception as exc:  # collected and asserted by the test
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_two_accountants_approve_the_same_group_step(all_people, categories, attempt) -> None:
    from tests.conftest import make_user

    p = all_people
    kei = make_user(f"kei{attempt}", roles=("accounting",))
    claim = submit_claim(p["alice"], categories, 3_000)
    services.check_approve_step(pending_step(claim).pk, acting_user=p["bob"])
    step = pending_step(claim)
    results = _race(lambda: services.check_approve_step(step.pk, acting_user=p["carol"]),
                    lambda: services.check_approve_step(step.pk, acting_user=kei))
    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ApplicationError) and "すでに処理されています" in error.message
    step.refresh_from_db()
    assert step.status == StepStatus.APPROVED
    assert ClaimEvent.objects.filter(claim=claim, diff__action="approve", diff__step_id=step.pk).count() == 1
    assert ClaimEvent.objects.filter(claim=claim, to_status="approved").count() == 1


def test_approve_and_reject_race_leaves_one_decision(all_people, categories) -> None:
    p = all_people
    claim = submit_claim(p["alice"], categories, 3_000)
    step = pending_step(claim)
    results = _race(lambda: services.check_approve_step(step.pk, acting_user=p["bob"]),
                    lambda: services.check_reject_claim(step.pk, acting_user=p["bob"], comment="否認"))
    assert sorted(kind for kind, _v in results) == ["error", "ok"], results
    assert ApprovalStep.objects.get(pk=step.pk).status in (StepStatus.APPROVED, StepStatus.REJECTED)


def test_double_click_two_http_posts(all_people, categories) -> None:
    p = all_people
    claim = submit_claim(p["alice"], categories, 3_000)
    step = pending_step(claim)

    def post():
        client = Client()
        client.force_login(p["bob"])
        response = client.post(f"/api/v1/approvals/steps/{step.pk}/approve/", {"comment": "OK"},
                               content_type="application/json")
        return response.status_code, response.json()["message"] if response.status_code != 200 else ""

    results = _race(post, post)
    statuses = sorted(value[0] for kind, value in results)
    assert statuses == [200, 409], results
    assert any("すでに処理されています" in value[1] for _k, value in results)
    assert ClaimEvent.objects.filter(claim=claim, diff__action="approve").count() == 1
