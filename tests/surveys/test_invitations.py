"""Invitations (SPEC §6): routine after closure (configurable delay, default 1 h, within 24 h),
exactly once per ticket; opt-out and pending-survey exclusion; one reminder after 3 working days
(moved to 24 h before the expiry when it would fall at or after it) and expiry after 7 days."""

from datetime import timedelta

import pytest
import time_machine

from fivestar.notifications.models import OutboxMessage
from fivestar.surveys.models import Invitation, InvitationKind, InvitationStatus, SkipReason
from fivestar.surveys.services import invitation_schedule, opt_out, survey_settings
from fivestar.surveys.tasks import survey_sweep
from fivestar.tickets.services import (
    Actor,
    Confirmation,
    Resolution,
    close_ticket,
    reopen_ticket,
    resolve_ticket,
)
from tests.surveys.conftest import closed_ticket, cn, sweep_after

pytestmark = pytest.mark.django_db


def _messages(code: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template_code=code).order_by("channel"))


class TestSchedule:
    def test_worked_example_reminder_moves_before_the_expiry(self, holidays_2026):
        # Friday 2026-02-13 10:00: 3 working days later is 2026-02-25 10:00 (Spring Festival,
        # with the adjusted working Saturday 02-14), after the expiry on 02-20 10:00.
        expires_at, reminder_at = invitation_schedule(sent_at=cn(2026, 2, 13, 10))
        assert expires_at == cn(2026, 2, 20, 10)
        assert reminder_at == cn(2026, 2, 19, 10)

    def test_an_ordinary_week_reminds_after_three_working_days(self, holidays_2026):
        expires_at, reminder_at = invitation_schedule(sent_at=cn(2026, 3, 2, 10))  # Monday
        assert expires_at == cn(2026, 3, 9, 10)
        assert reminder_at == cn(2026, 3, 5, 10)

    def test_a_weekend_in_between_counts_working_days_only(self, holidays_2026):
        expires_at, reminder_at = invitation_schedule(sent_at=cn(2026, 3, 6, 10))  # Friday
        assert reminder_at == cn(2026, 3, 11, 10)  # Mon, Tue, Wed
        assert expires_at == cn(2026, 3, 13, 10)

    def test_the_schedule_api_answers_the_worked_example(self, holidays_2026, api_as, agent):
        answer = api_as(agent).get("/api/v1/surveys/schedule",
                                   sent_at="2026-02-13T10:00:00+08:00")
        assert answer.status_code == 200
        assert answer.json() == {"sent_at": "2026-02-13T10:00:00+08:00",
                                 "expires_at": "2026-02-20T10:00:00+08:00",
                                 "reminder_at": "2026-02-19T10:00:00+08:00"}


class TestRoutine:
    def test_closing_schedules_one_invitation_an_hour_later(self, closed):
        [invitation] = Invitation.objects.filter(ticket=closed)
        assert invitation.kind == InvitationKind.ROUTINE
        assert invitation.status == InvitationStatus.SCHEDULED
        assert invitation.due_at == closed.closed_at + timedelta(hours=1)
        assert sweep_after(closed, timedelta(minutes=59))["sent"] == 0
        assert sweep_after(closed, timedelta(hours=1))["sent"] == 1
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.SENT
        assert invitation.template.version == 1
        assert [m.channel for m in _messages("survey_invitation")] == ["email", "sms"]
        assert "/survey/" in _messages("survey_invitation")[1].body

    def test_the_delay_is_configurable(self, agent, technician):
        settings = survey_settings()
        settings.routine_delay_minutes = 180
        settings.save()
        ticket = closed_ticket(agent, technician)
        assert Invitation.objects.get(ticket=ticket).due_at == (
            ticket.closed_at + timedelta(hours=3))

    def test_exactly_once_per_ticket_even_after_reopening(self, closed, agent):
        closed_at = closed.closed_at
        sweep_after(closed, timedelta(hours=2))
        reopen_ticket(ticket=closed, actor=Actor(agent), reason="又坏了")
        assert Invitation.objects.filter(ticket=closed).count() == 1
        assert survey_sweep(now=closed_at + timedelta(hours=5))["sent"] == 0
        assert len(_messages("survey_invitation")) == 2

    def test_a_ticket_reopened_before_the_invitation_went_gets_it_after_closing_again(
        self, closed, agent, technician
    ):
        closed_at = closed.closed_at
        reopen_ticket(ticket=closed, actor=Actor(agent), reason="又坏了")
        invitation = Invitation.objects.get(ticket=closed)
        assert invitation.status == InvitationStatus.CANCELLED
        assert survey_sweep(now=closed_at + timedelta(hours=2))["sent"] == 0
        closed.refresh_from_db()
        resolve_ticket(ticket=closed, actor=Actor(technician),
                       record=Resolution(resolution="重新固定了压缩机"))
        close_ticket(ticket=closed, actor=Actor(agent), method="recorded",
                     confirmation=Confirmation(channel="phone"))
        closed.refresh_from_db()
        [invitation] = Invitation.objects.filter(ticket=closed)
        assert invitation.status == InvitationStatus.SCHEDULED
        assert sweep_after(closed, timedelta(hours=1))["sent"] == 1

    def test_an_opted_out_customer_gets_none(self, closed):
        opt_out(customer=closed.customer)
        sweep_after(closed, timedelta(hours=1))
        invitation = Invitation.objects.get(ticket=closed)
        assert invitation.status == InvitationStatus.SKIPPED
        assert invitation.skip_reason == SkipReason.OPTED_OUT
        assert _messages("survey_invitation") == []

    def test_a_customer_with_a_survey_pending_gets_no_second(self, agent, technician):
        first = closed_ticket(agent, technician)
        second = closed_ticket(agent, technician)
        assert first.customer_id == second.customer_id
        sweep_after(second, timedelta(hours=1))
        statuses = dict(Invitation.objects.values_list("ticket_id", "status"))
        assert statuses == {first.pk: InvitationStatus.SENT, second.pk: InvitationStatus.SKIPPED}
        assert Invitation.objects.get(ticket=second).skip_reason == SkipReason.PENDING


class TestReminderAndExpiry:
    def _sent(self, closed):
        sweep_after(closed, timedelta(hours=1))
        return Invitation.objects.get(ticket=closed)

    def test_one_reminder_then_expiry(self, closed, holidays_2026):
        invitation = self._sent(closed)
        assert invitation.reminder_at < invitation.expires_at
        assert survey_sweep(now=invitation.reminder_at - timedelta(seconds=1))["reminded"] == 0
        assert survey_sweep(now=invitation.reminder_at)["reminded"] == 1
        assert survey_sweep(now=invitation.reminder_at + timedelta(hours=1))["reminded"] == 0
        assert len(_messages("survey_reminder")) == 2  # SMS and e-mail, once
        assert survey_sweep(now=invitation.expires_at)["expired"] == 1
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.EXPIRED
        assert len(_messages("survey_reminder")) == 2

    def test_an_expired_invitation_no_longer_blocks_the_next(self, agent, technician):
        first = closed_ticket(agent, technician)
        sweep_after(first, timedelta(hours=1))
        invitation = Invitation.objects.get(ticket=first)
        survey_sweep(now=invitation.expires_at)
        with time_machine.travel(invitation.expires_at + timedelta(minutes=5), tick=False):
            second = closed_ticket(agent, technician)
        survey_sweep(now=second.closed_at + timedelta(hours=2))
        assert Invitation.objects.get(ticket=second).status == InvitationStatus.SENT

    def test_a_routine_invitation_more_than_24_hours_late_is_not_sent(self, closed):
        survey_sweep(now=closed.closed_at + timedelta(hours=25))
        invitation = Invitation.objects.get(ticket=closed)
        assert invitation.status == InvitationStatus.SKIPPED
        assert invitation.skip_reason == SkipReason.LATE
        assert _messages("survey_invitation") == []
