"""Closing rests on the customer's confirmation (issue 18 item 6; SPEC §5): the customer's own,
the customer's answer recorded by staff (who, when, how), or — a customer who cannot be
reached — the configurable no-answer rule over working days; the closure record is in the
ticket's JSON."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fivestar.core.errors import Conflict
from fivestar.tickets.models import Status, Ticket
from fivestar.tickets.services import Actor, close_ticket, contact_customer
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
CN = ZoneInfo("Asia/Shanghai")


def cn(*args) -> datetime:
    return datetime(*args, tzinfo=CN)


@pytest.fixture
def resolved(technician):
    return TicketFactory(status=Status.RESOLVED, assignee=technician,
                         resolved_at=cn(2026, 3, 2, 9, 0), resolution="更换温控器",
                         technical_solution="温控器老化，更换新件", parts_replaced="温控器",
                         labour_minutes=45, cost_fen=12000, solved_on_first_contact=True)


def action(api, ticket, name, body=None):
    return api.post(f"/api/v1/tickets/{ticket.number}/actions/{name}", body or {})


class TestClosingNeedsAConfirmation:
    def test_an_empty_close_is_refused_with_a_stable_code(self, api_as, agent, resolved):
        response = action(api_as(agent), resolved, "close")
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "confirmation_required"
        resolved.refresh_from_db()
        assert resolved.status == Status.RESOLVED and resolved.closed_at is None

    def test_a_confirmation_given_on_the_phone_is_recorded(self, api_as, agent, resolved):
        with time_machine.travel(cn(2026, 3, 3, 10, 0), tick=False):
            response = action(api_as(agent), resolved, "close", {
                "confirmation": "recorded", "channel": "phone", "confirmed_by": "张三（本人）",
                "confirmed_at": "2026-03-03T09:40:00+08:00", "note": "回访确认"})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "closed"
        closure = body["closure"]
        assert closure["resolution"] == "更换温控器"
        assert closure["technical_solution"] == "温控器老化，更换新件"
        assert (closure["parts_replaced"], closure["labour_minutes"], closure["cost_fen"]) == (
            "温控器", 45, 12000)
        assert closure["solved_on_first_contact"] is True
        assert closure["confirmation"]["method"] == "recorded"
        assert closure["confirmation"]["channel"] == "phone"
        assert closure["confirmation"]["confirmed_by"] == "张三（本人）"
        assert closure["confirmation"]["confirmed_at"] == "2026-03-03T09:40:00+08:00"
        assert closure["confirmation"]["recorded_by"]["username"] == agent.username
        event = Ticket.objects.get(pk=resolved.pk).events.get(action="close")
        assert (event.payload.confirmation, event.payload.channel) == ("recorded", "phone")

    def test_a_confirmation_in_the_future_is_refused(self, api_as, agent, resolved):
        with time_machine.travel(cn(2026, 3, 3, 10, 0), tick=False):
            response = action(api_as(agent), resolved, "close", {
                "confirmation": "recorded", "confirmed_at": "2026-03-04T09:40:00+08:00"})
        assert response.status_code == 422
        assert "confirmed_at" in response.json()["error"]["fields"]

    def test_the_customers_own_confirmation_closes_it(self, resolved):
        from fivestar.tickets.services import confirm_resolution

        with time_machine.travel(cn(2026, 3, 3, 10, 0), tick=False):
            closed = confirm_resolution(ticket=resolved, actor=Actor(user=None, as_customer=True),
                                        solved=True)
        assert closed.status == Status.CLOSED
        assert (closed.confirmation_method, closed.confirmed_at) == (
            "customer", cn(2026, 3, 3, 10, 0))

    def test_staff_taking_confirm_record_the_answer_given_to_them(self, api_as, agent,
                                                                   resolved):
        with time_machine.travel(cn(2026, 3, 3, 10, 0), tick=False):
            response = action(api_as(agent), resolved, "confirm", {"solved": True})
        assert response.json()["status"] == "closed"
        confirmation = response.json()["closure"]["confirmation"]
        assert confirmation["method"] == "recorded" and confirmation["channel"] == "phone"
        assert confirmation["confirmed_by"] == resolved.customer.name

    def test_an_open_ticket_has_no_closure_record(self, api_as, agent):
        ticket = TicketFactory(status=Status.NEW)
        response = api_as(agent).get(f"/api/v1/tickets/{ticket.number}")
        assert response.json()["closure"] is None


class TestNoAnswerRule:
    def _attempt(self, ticket, who, at):
        with time_machine.travel(at, tick=False):
            contact_customer(ticket=ticket, actor=Actor(user=who), channel="phone",
                             reached=False)

    def _close(self, ticket, who, at):
        with time_machine.travel(at, tick=False):
            return close_ticket(ticket=ticket, actor=Actor(user=who), method="no_answer")

    def test_three_attempts_on_three_working_days_allow_closing_as_no_answer(
            self, agent, resolved):
        # Mon, Tue, Wed 2026-03-02..04.
        for day in (2, 3, 4):
            self._attempt(resolved, agent, cn(2026, 3, day, 10, 0))
        closed = self._close(resolved, agent, cn(2026, 3, 4, 16, 0))
        assert closed.status == Status.CLOSED
        assert closed.confirmation_method == "no_answer"
        assert closed.customer_confirmed is None
        event = closed.events.get(action="close")
        assert (event.payload.confirmation, event.payload.attempts) == ("no_answer", 3)

    def test_too_few_attempts_are_refused(self, agent, resolved):
        for day in (2, 3):
            self._attempt(resolved, agent, cn(2026, 3, day, 10, 0))
        with pytest.raises(Conflict) as raised:
            self._close(resolved, agent, cn(2026, 3, 4, 16, 0))
        assert raised.value.code == "no_answer_rule_not_met"
        assert raised.value.extra["attempts"] == 2

    def test_attempts_on_one_day_or_a_weekend_do_not_count_as_working_days(
            self, agent, resolved):
        # Three calls on Friday, one on Saturday 03-07 and one on Sunday 03-08: one working day.
        for at in (cn(2026, 3, 6, 10, 0), cn(2026, 3, 6, 14, 0), cn(2026, 3, 6, 17, 0),
                   cn(2026, 3, 7, 10, 0), cn(2026, 3, 8, 10, 0)):
            self._attempt(resolved, agent, at)
        with pytest.raises(Conflict) as raised:
            self._close(resolved, agent, cn(2026, 3, 8, 16, 0))
        assert raised.value.extra["working_days"] == 1

    def test_a_reached_call_is_no_unanswered_attempt(self, agent, resolved):
        for day in (2, 3):
            self._attempt(resolved, agent, cn(2026, 3, day, 10, 0))
        with time_machine.travel(cn(2026, 3, 4, 10, 0), tick=False):
            contact_customer(ticket=resolved, actor=Actor(user=agent), note="客户说还要再观察")
        with pytest.raises(Conflict):
            self._close(resolved, agent, cn(2026, 3, 4, 16, 0))

    def test_the_rule_is_configurable(self, agent, resolved, settings):
        settings.TICKET_NO_ANSWER_ATTEMPTS = 1
        settings.TICKET_NO_ANSWER_WORKING_DAYS = 1
        self._attempt(resolved, agent, cn(2026, 3, 2, 10, 0))
        assert self._close(resolved, agent, cn(2026, 3, 2, 16, 0)).status == Status.CLOSED

    def test_attempts_before_the_resolution_do_not_count(self, agent, technician):
        ticket = TicketFactory(status=Status.RESOLVED, assignee=technician,
                               resolved_at=cn(2026, 3, 5, 9, 0))
        for day in (2, 3, 4):
            with time_machine.travel(cn(2026, 3, day, 10, 0), tick=False):
                contact_customer(ticket=ticket, actor=Actor(user=agent), reached=False)
        with pytest.raises(Conflict):
            self._close(ticket, agent, cn(2026, 3, 5, 16, 0))


def test_reopening_clears_the_confirmation(agent, resolved):
    from fivestar.tickets.services import reopen_ticket

    with time_machine.travel(cn(2026, 3, 3, 10, 0), tick=False):
        close_ticket(ticket=resolved, actor=Actor(user=agent), method="recorded")
        reopened = reopen_ticket(ticket=resolved, actor=Actor(user=agent), reason="又坏了")
    assert (reopened.confirmation_method, reopened.confirmed_at) == ("", None)
    assert reopened.confirmation_recorded_by_id is None
