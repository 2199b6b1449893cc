"""Approval services on PostgreSQL: every action, its events, and the rules around them."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from approvals import services
from approvals.models import (
    ApprovalPolicy,
    ApprovalRule,
    ApprovalStep,
    ClaimEvent,
    Delegation,
    LineCorrection,
    ReturnPolicy,
)
from approvals.transitions import ClaimStatus
from core.exceptions import ApplicationError, ConflictError, NotFoundOrForbidden, ValidationFailed
from expenses.models import ClaimLine
from expenses.services.claims import check_submit_claim
from tests.approvals.conftest import current_steps, pending_step, route_of, submit_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued():
    """Capture what the services enqueue after commit (no broker needed)."""
    with mock.patch("approvals.tasks.send_step_notification.delay") as step_mail, \
            mock.patch("approvals.tasks.send_applicant_notification.delay") as applicant_mail:
        yield {"step": step_mail, "applicant": applicant_mail}


def approve(step_or_claim, user, comment=""):
    step = step_or_claim if isinstance(step_or_claim, ApprovalStep) else pending_step(step_or_claim)
    return services.check_approve_step(step.pk, acting_user=user, comment=comment)


def test_submission_snapshots_the_default_route(all_people, categories, enqueued,
                                                django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        claim = submit_claim(all_people["alice"], categories, 60_000)
    assert route_of(claim) == [("上長承認", "bob", "pending"), ("部門長承認", "helen", "waiting"),
                               ("経理確認", "accounting", "waiting")]
    first = pending_step(claim)
    assert first.activated_at is not None and first.reminder_after_business_days == 3
    enqueued["step"].assert_called_once_with(first.pk)


def test_full_approval_moves_step_by_step_and_writes_events(all_people, categories, enqueued,
                                                            django_capture_on_commit_callbacks) -> None:
    p = all_people
    claim = submit_claim(p["alice"], categories, 60_000)
    with django_capture_on_commit_callbacks(execute=True):
        approve(claim, p["bob"], "確認しました")
        approve(claim, p["helen"])
        approve(claim, p["carol"], "経理確認OK")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    steps = current_steps(claim)
    assert [(s.status, s.acted_by.username) for s in steps] == [
        ("approved", "bob"), ("approved", "helen"), ("approved", "carol")]
    assert steps[0].comment == "確認しました"
    events = list(ClaimEvent.objects.filter(claim=claim).order_by("id"))
    step_events = [e for e in events if e.diff.get("action") == "approve"]
    assert [(e.actor.username, e.diff["step"]) for e in step_events] == [
        ("bob", "上長承認"), ("helen", "部門長承認"), ("carol", "経理確認")]
    final = events[-1]
    assert (final.from_status, final.to_status, final.actor.username) == ("submitted", "approved", "carol")
    assert enqueued["applicant"].call_args_list == [mock.call(final.pk)]
    assert enqueued["step"].call_count == 2  # helen, then accounting


def test_it_does_not_double_approve(all_people, categories) -> None:
    claim = submit_claim(all_people["alice"], categories, 3_000)
    step = pending_step(claim)
    approve(step, all_people["bob"])
    with pytest.raises(ConflictError, match="すでに処理されています"):
        services.check_approve_step(step.pk, acting_user=all_people["bob"])
    assert ClaimEvent.objects.filter(claim=claim, diff__action="approve").count() == 1


def test_only_the_steps_approver_may_act(all_people, categories, dave) -> None:
    claim = submit_claim(all_people["alice"], categories, 60_000)
    step = pending_step(claim)
    for outsider in (dave, all_people["helen"], all_people["erin"], all_people["alice"]):
        with pytest.raises(NotFoundOrForbidden):
            services.check_approve_step(step.pk, acting_user=outsider)


def test_it_rejects_self_approval_in_a_group_step(all_people, categories) -> None:
    """carol (経理) files her own claim: she cannot do its 経理確認, another accountant can."""
    from tests.conftest import make_user

    p = all_people
    p["carol"].manager = p["bob"]
    p["carol"].save()
    claim = submit_claim(p["carol"], categories, 3_000)
    approve(claim, p["bob"])
    step = pending_step(claim)
    assert step.is_accounting_check
    with pytest.raises(NotFoundOrForbidden):
        services.check_approve_step(step.pk, acting_user=p["carol"])
    other = make_user("kei", roles=("accounting",))
    approve(step, other)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED


def test_manager_filing_goes_up_the_chain(all_people, categories) -> None:
    """bob is helen's report and helen heads 営業1課: bob's ≥¥50,000 claim → helen, then dan (next head)."""
    claim = submit_claim(all_people["bob"], categories, 60_000)
    assert route_of(claim)[:2] == [("上長承認", "helen", "pending"), ("部門長承認", "dan", "waiting")]


def test_snapshot_is_unaffected_by_later_master_changes(all_people, categories, erin) -> None:
    p = all_people
    claim = submit_claim(p["alice"], categories, 60_000)
    before = route_of(claim)
    p["alice"].manager = erin
    p["alice"].save()
    org_dept = p["alice"].department
    org_dept.head = p["dan"]
    org_dept.save()
    policy = ApprovalPolicy.objects.get()
    policy.rules.filter(approver_kind="department_head").delete()
    ApprovalRule.objects.create(policy=policy, order=5, name="追加ステップ", approver_kind="named_user",
                                approver_user=p["dan"])
    approve(claim, p["bob"])
    assert route_of(claim) == [(n, who, s) for n, who, s in [
        ("上長承認", "bob", "approved"), ("部門長承認", "helen", "pending"), ("経理確認", "accounting", "waiting")]]
    assert before[0][1] == "bob"


def test_return_requires_a_comment_and_returns_to_the_applicant(all_people, categories, enqueued,
                                                               django_capture_on_commit_callbacks) -> None:
    p = all_people
    claim = submit_claim(p["alice"], categories, 60_000)
    approve(claim, p["bob"])
    step = pending_step(claim)
    with pytest.raises(ValidationFailed) as exc:
        services.check_return_claim(step.pk, acting_user=p["helen"], comment="  ")
    assert "comment" in exc.value.extra["fields"]
    with django_capture_on_commit_callbacks(execute=True):
        services.check_return_claim(step.pk, acting_user=p["helen"], comment="領収書を添付してください")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RETURNED and claim.is_editable
    assert [s.status for s in current_steps(claim)] == ["approved", "returned", "cancelled"]
    event = ClaimEvent.objects.filter(claim=claim, to_status="returned").get()
    assert (event.actor, event.comment) == (p["helen"], "領収書を添付してください")
    enqueued["applicant"].assert_called_once_with(event.pk)


def test_resubmit_restarts_the_route_and_keeps_history(all_people, categories) -> None:
    p = all_people
    claim = submit_claim(p["alice"], categories, 60_000)
    approve(claim, p["bob"])
    services.check_return_claim(pending_step(claim).pk, acting_user=p["helen"], comment="修正してください")
    check_submit_claim(claim.pk, acting_user=p["alice"])
    assert route_of(claim) == [("上長承認", "bob", "pending"), ("部門長承認", "helen", "waiting"),
                               ("経理確認", "accounting", "waiting")]
    assert ApprovalStep.objects.filter(claim=claim, round=1).count() == 3  # round 1 kept as history
    assert set(ApprovalStep.objects.filter(claim=claim).values_list("round", flat=True)) == {1, 2}


def test_resubmit_resumes_at_the_returning_step_when_the_policy_says_so(all_people, categories) -> None:
    p = all_people
    ApprovalPolicy.objects.update(return_policy=ReturnPolicy.RESUME)
    claim = submit_claim(p["alice"], categories, 60_000)
    approve(claim, p["bob"], "OK")
    services.check_return_claim(pending_step(claim).pk, acting_user=p["helen"], comment="修正してください")
    check_submit_claim(claim.pk, acting_user=p["alice"])
    steps = current_steps(claim)
    assert [(s.round, s.status) for s in steps] == [(2, "approved"), (2, "pending"), (2, "waiting")]
    assert (steps[0].acted_by, steps[0].comment) == (p["bob"], "OK")  # carried over, not re-asked
    assert steps[1].approver == p["helen"]


def test_return_to_an_earlier_step_keeps_the_claim_submitted(all_people, categories) -> None:
    p = all_people
    claim = submit_claim(p["alice"], categories, 60_000)
    approve(claim, p["bob"])
    helen_step = pending_step(claim)
    bob_step = current_steps(claim)[0]
    services.check_return_claim(helen_step.pk, acting_user=p["helen"], comment="上長の再確認を", to_step_id=bob_step.pk)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert route_of(claim) == [("上長承認", "bob", "pending"), ("部門長承認", "helen", "waiting"),
                               ("経理確認", "accounting", "waiting")]
    event = ClaimEvent.objects.get(claim=claim, diff__action="return_to_step")
    assert event.diff["to_step"] == "上長承認" and event.comment == "上長の再確認を"
    with pytest.raises(ValidationFailed):  # not a later or foreign step
        services.check_return_claim(pending_step(claim).pk, acting_user=p["bob"], comment="x",
                                    to_step_id=helen_step.pk)


def test_reject_is_final_and_needs_a_comment(all_people, categories) -> None:
    p = all_people
    claim = submit_claim(p["alice"], categories, 3_000)
    step = pending_step(claim)
    with pytest.raises(ValidationFailed):
        services.check_reject_claim(step.pk, acting_user=p["bob"], comment="")
    services.check_reject_claim(step.pk, acting_user=p["bob"], comment="私費です")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert [s.status for s in current_steps(claim)] == ["rejected", "cancelled"]
    with pytest.raises(ApplicationError):
        check_submit_claim(claim.pk, acting_user=p["alice"])


def test_withdraw_by_the_applicant_before_final_approval(all_people, categories, dave) -> None:
    p = all_people
    claim = submit_claim(p["alice"], categories, 3_000)
    with pytest.raises(NotFoundOrForbidden):
        services.check_withdraw_claim(claim.pk, acting_user=p["bob"])
    services.check_withdraw_claim(claim.pk, acting_user=p["alice"], comment="重複して提出したため")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN
    assert not ApprovalStep.objects.filter(claim=claim, status__in=["pending", "waiting"]).exists()
    assert ClaimEvent.objects.get(claim=claim, to_status="withdrawn").comment == "重複して提出したため"
    approved = submit_claim(p["alice"], categories, 3_000)
    approve(approved, p["bob"])
    approve(approved, p["carol"])
    with pytest.raises(ApplicationError):
        services.check_withdraw_claim(approved.pk, acting_user=p["alice"])


def test_delegate_acts_for_the_approver_during_the_period(all_people, categories) -> None:
    """GIVEN bob names erin for this week WHEN erin approves THEN it is recorded as "erin for bob"."""
    p = all_people
    today = timezone.localdate()
    services.check_set_delegation(acting_user=p["bob"], delegate_id=p["erin"].pk, valid_from=today,
                                  valid_to=today + datetime.timedelta(days=5))
    claim = submit_claim(p["alice"], categories, 3_000)
    step = pending_step(claim)
    approve(step, p["erin"], "代理で承認")
    step.refresh_from_db()
    assert (step.acted_by, step.acted_for) == (p["erin"], p["bob"])
    event = ClaimEvent.objects.get(claim=claim, diff__action="approve")
    assert (event.actor, event.on_behalf_of) == (p["erin"], p["bob"])
    # bob keeps access to his own steps during the delegation
    other = submit_claim(p["alice"], categories, 2_000)
    approve(other, p["bob"])


def test_delegation_outside_its_period_gives_no_access(all_people, categories) -> None:
    p = all_people
    today = timezone.localdate()
    Delegation.objects.create(approver=p["bob"], delegate=p["erin"], valid_from=today - datetime.timedelta(days=9),
                              valid_to=today - datetime.timedelta(days=1))
    claim = submit_claim(p["alice"], categories, 3_000)
    with pytest.raises(NotFoundOrForbidden):
        approve(claim, p["erin"])
    with pytest.raises(ValidationFailed):
        services.check_set_delegation(acting_user=p["bob"], delegate_id=p["bob"].pk, valid_from=today,
                                      valid_to=today)


def test_approver_corrects_a_line_and_the_original_stays(all_people, categories) -> None:
    p = all_people
    claim = submit_claim(p["alice"], categories, 60_000, 5_000)
    approve(claim, p["bob"])
    step = pending_step(claim)
    line = ClaimLine.objects.filter(claim=claim).order_by("position").first()
    with pytest.raises(ValidationFailed):  # amounts only go down
        services.check_correct_line(step.pk, line.pk, acting_user=p["helen"], comment="x", approved_amount=70_000)
    with pytest.raises(ValidationFailed):  # a reason is required
        services.check_correct_line(step.pk, line.pk, acting_user=p["helen"], comment="", approved_amount=50_000)
    services.check_correct_line(step.pk, line.pk, acting_user=p["helen"], comment="上限は5万円",
                                approved_amount=50_000, approved_category_id=categories["WELFARE"].pk)
    line.refresh_from_db()
    assert (line.amount, line.approved_amount, line.effective_amount) == (60_000, 50_000, 50_000)
    assert (line.category.code, line.approved_category.code) == ("SUPPLIES", "WELFARE")
    rows = list(LineCorrection.objects.filter(line=line).order_by("field"))
    assert [(r.field, r.from_label, r.to_label, r.corrected_by.username) for r in rows] == [
        ("amount", "¥60,000", "¥50,000", "helen"), ("category", "消耗品費", "福利厚生費", "helen")]
    event = ClaimEvent.objects.get(claim=claim, diff__action="correct_line")
    assert event.kind == ClaimEvent.Kind.EDITED and event.diff["changes"]["amount"] == {"from": "¥60,000",
                                                                                         "to": "¥50,000"}
    with pytest.raises(ConflictError):  # bob's step is done: he can no longer correct
        services.check_correct_line(current_steps(claim)[0].pk, line.pk, acting_user=p["bob"], comment="x",
                                    approved_amount=1)


def test_bulk_approve_reports_each_claim(all_people, categories, dave) -> None:
    p = all_people
    mine = [submit_claim(p["alice"], categories, 1_000 + i) for i in range(3)]
    foreign = submit_claim(dave, categories, 1_000) if dave.manager_id else None
    steps = [pending_step(c).pk for c in mine]
    approve(mine[2], p["bob"])  # already handled before the bulk request
    results = services.check_bulk_approve([*steps, 999_999], acting_user=p["bob"], comment="一括")
    assert [(r["number"], r["ok"]) for r in results] == [
        (mine[0].number, True), (mine[1].number, True), (mine[2].number, False), ("", False)]
    assert "すでに処理" in results[2]["message"]
    assert foreign is None
    for claim in mine[:2]:
        assert pending_step(claim).is_accounting_check
    with pytest.raises(ValidationFailed):
        services.check_bulk_approve([], acting_user=p["bob"])
