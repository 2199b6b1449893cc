"""Notification and reminder tasks: called directly (twice, for idempotence), plus one real-worker round trip."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from approvals import services
from approvals.models import ApprovalStep, ClaimEvent, StepStatus
from approvals.selectors import is_reminder_due, list_stalled_steps
from approvals.tasks import (
    send_applicant_notification,
    send_reminder_email,
    send_stalled_approval_reminders,
    send_step_notification,
)
from tests.approvals.conftest import pending_step, submit_claim

JST = datetime.timezone(datetime.timedelta(hours=9))


def at(y, m, d, h=10) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, tzinfo=JST)


def _stall(step: ApprovalStep, activated: datetime.datetime, **fields) -> ApprovalStep:
    ApprovalStep.objects.filter(pk=step.pk).update(activated_at=activated, **fields)
    step.refresh_from_db()
    return step


@pytest.mark.django_db
def test_step_notification_is_japanese_and_sent_once(all_people, categories) -> None:
    claim = submit_claim(all_people["alice"], categories, 60_000)
    step = pending_step(claim)
    assert send_step_notification(step.pk) is True
    assert send_step_notification(step.pk) is False  # a retried or duplicated task sends nothing
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bob@example.com"]
    assert message.subject == f"【Seisan】承認依頼: {claim.number} 備品購入"
    assert "承認をお願いします" in message.body and "¥60,000" in message.body
    assert f"/approvals/claims/{claim.pk}/" in message.body


@pytest.mark.django_db
def test_applicant_hears_about_return_and_approval(all_people, categories) -> None:
    p = all_people
    claim = submit_claim(p["alice"], categories, 3_000)
    services.check_return_claim(pending_step(claim).pk, acting_user=p["bob"], comment="日付を直してください")
    event = ClaimEvent.objects.get(claim=claim, to_status="returned")
    assert send_applicant_notification(event.pk) is True
    assert send_applicant_notification(event.pk) is False
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert "差し戻されました" in mail.outbox[0].body and "日付を直してください" in mail.outbox[0].body
    assert send_applicant_notification(999_999) is False  # missing row: logged, no crash


@pytest.mark.django_db
def test_group_step_mails_every_accountant_but_the_applicant(all_people, categories) -> None:
    p = all_people
    claim = submit_claim(p["alice"], categories, 3_000)
    services.check_approve_step(pending_step(claim).pk, acting_user=p["bob"])
    step = pending_step(claim)
    assert send_step_notification(step.pk)
    assert mail.outbox[0].to == ["carol@example.com"]


@pytest.mark.django_db
def test_delegate_is_copied_on_the_request(all_people, categories) -> None:
    p = all_people
    today = timezone.localdate()
    services.check_set_delegation(acting_user=p["bob"], delegate_id=p["erin"].pk, valid_from=today, valid_to=today)
    claim = submit_claim(p["alice"], categories, 3_000)
    send_step_notification(pending_step(claim).pk)
    assert mail.outbox[0].to == ["bob@example.com", "erin@example.com"]


@pytest.mark.django_db
def test_reminder_threshold_counts_business_days_with_holidays(all_people, categories) -> None:
    """Activated Fri 2026-11-20; Mon 23 is 勤労感謝の日. 3 business days = Tue 24, Wed 25, Thu 26."""
    claim = submit_claim(all_people["alice"], categories, 3_000)
    step = _stall(pending_step(claim), at(2026, 11, 20))
    assert not is_reminder_due(step, now=at(2026, 11, 25))  # 2 business days (24, 25)
    assert is_reminder_due(step, now=at(2026, 11, 26))
    assert list_stalled_steps(now=at(2026, 11, 25)) == []
    assert list_stalled_steps(now=at(2026, 11, 26)) == [step]


@pytest.mark.django_db
def test_reminders_never_twice_per_interval_and_escalate_after_m(all_people, categories) -> None:
    """
    GIVEN a step pending since Fri 11/20 (N=3, interval=2 business days, M=2)
    WHEN the beat task runs twice at each moment
    THEN one reminder per interval, and the third reminder escalates to bob's manager (helen)
    """
    p = all_people
    claim = submit_claim(p["alice"], categories, 3_000)
    step = _stall(pending_step(claim), at(2026, 11, 20))
    with mock.patch("approvals.tasks.send_reminder_email.delay") as delay, \
            mock.patch("django.utils.timezone.now") as now:
        for moment, expected_count in [(at(2026, 11, 26), 1), (at(2026, 11, 27), 1), (at(2026, 11, 30), 2),
                                       (at(2026, 12, 2), 3)]:
            now.return_value = moment
            with mock.patch("django.db.transaction.on_commit", side_effect=lambda f: f()):
                send_stalled_approval_reminders()
                send_stalled_approval_reminders()  # a second beat process / a retried task
            step.refresh_from_db()
            assert step.reminder_count == expected_count, moment
    assert [c.args for c in delay.call_args_list] == [(step.pk, 1), (step.pk, 2), (step.pk, 3)]
    assert step.escalated_to == p["helen"]
    # The e-mails themselves, each sent once even when the task is delivered twice.
    for count in (1, 3):
        assert send_reminder_email(step.pk, count) is True
        assert send_reminder_email(step.pk, count) is False
    first, escalation = mail.outbox
    assert "督促" in first.subject and first.to == ["bob@example.com"]
    assert "エスカレーション" in escalation.subject
    assert escalation.to == ["bob@example.com", "helen@example.com"]


@pytest.mark.django_db
def test_a_decided_step_gets_no_reminder(all_people, categories) -> None:
    claim = submit_claim(all_people["alice"], categories, 3_000)
    step = _stall(pending_step(claim), at(2026, 11, 2))
    services.check_approve_step(step.pk, acting_user=all_people["bob"])
    assert send_reminder_email(step.pk, 1) is False
    assert step.pk not in [s.pk for s in list_stalled_steps(now=at(2026, 11, 26))]
    assert ApprovalStep.objects.get(pk=step.pk).status == StepStatus.APPROVED


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_notification_goes_through_the_real_worker(celery_worker, all_people, categories) -> None:
    claim = submit_claim(all_people["alice"], categories, 3_000)  # on_commit enqueues send_step_notification
    step = pending_step(claim)
    result = send_step_notification.delay(step.pk)
    assert result.get(timeout=30) is False  # the submission's own task already sent it: no second mail
    from approvals.models import ApprovalNotification

    assert ApprovalNotification.objects.filter(key=f"step:{step.pk}").exists()


@pytest.mark.django_db
def test_the_escalation_target_sees_and_can_act_on_the_step(all_people, categories) -> None:
    from approvals.selectors import count_pending_steps

    p = all_people
    claim = submit_claim(p["alice"], categories, 3_000)
    step = _stall(pending_step(claim), at(2026, 11, 2), reminder_count=2, last_reminded_at=at(2026, 11, 10))
    with mock.patch("approvals.tasks.send_reminder_email.delay"), \
            mock.patch("django.utils.timezone.now", return_value=at(2026, 11, 26)), \
            mock.patch("django.db.transaction.on_commit", side_effect=lambda f: f()):
        assert send_stalled_approval_reminders() == 1
    step.refresh_from_db()
    assert (step.reminder_count, step.escalated_to) == (3, p["helen"])
    assert count_pending_steps(p["helen"]) == 1
    services.check_approve_step(step.pk, acting_user=p["helen"], comment="上長として承認")
    step.refresh_from_db()
    assert (step.acted_by, step.acted_for) == (p["helen"], p["bob"])
