"""Which targets start again (SPEC §3, 003 §2.3): progress updates are due every 6 hours while
work is open (2 for P1), counted again after each progress update — a public reply by staff —
and after a reopen; a reopen re-arms nothing else."""

from collections import Counter

import pytest

from fivestar.sla.models import ClockState, SlaClock
from fivestar.tickets.models import Ticket
from fivestar.tickets.services import (
    close_ticket,
    confirm_resolution,
    contact_customer,
    reopen_ticket,
)
from tests.sla.calendars import cn
from tests.sla.flow import accept, assign, receive, reply, resolve, staff, start

pytestmark = pytest.mark.django_db


def clocks(ticket) -> list[SlaClock]:
    return list(SlaClock.objects.filter(ticket=ticket).order_by("id"))


def updates(ticket) -> list[SlaClock]:
    return [c for c in clocks(ticket) if c.name == "update"]


@pytest.fixture
def working(agent, technician, synced_2026, now):
    """A P3 ticket in progress since Monday 09:10."""
    ticket = receive(agent, received_at=cn(2026, 3, 2, 9, 0), priority="P3")
    now.set(cn(2026, 3, 2, 9, 5))
    reply(ticket, agent)
    accept(ticket, agent)
    assign(ticket, agent, technician)
    now.set(cn(2026, 3, 2, 9, 10))
    # The contact target is met by a logged call, not by "start" (issue 18 item 3).
    contact_customer(ticket=ticket, actor=staff(technician), note="约好上门时间")
    start(ticket, technician)
    return ticket


class TestProgressUpdates:
    def test_each_public_staff_reply_counts_six_working_hours_again(
        self, working, technician, now
    ):
        for hour in (10, 13, 17):
            now.set(cn(2026, 3, 2, hour, 0))
            reply(working, technician)
        states = [c.state for c in updates(working)]
        assert states == [ClockState.MET] * 3 + [ClockState.RUNNING]
        latest = updates(working)[-1]
        assert (latest.started_at, latest.due_at) == (cn(2026, 3, 2, 17, 0),
                                                      cn(2026, 3, 3, 14, 0))
        assert Ticket.objects.get(pk=working.pk).next_due_at == latest.due_at

    def test_notes_and_customer_replies_are_not_progress_updates(
        self, working, technician, now
    ):
        now.set(cn(2026, 3, 2, 11, 0))
        reply(working, technician, internal=True)
        reply(working, None, as_customer=True)  # the customer answers by SMS
        assert [(c.state, c.due_at) for c in updates(working)] == [
            (ClockState.RUNNING, cn(2026, 3, 2, 15, 10))]

    def test_a_late_update_is_breached_and_the_next_one_counts_from_it(
        self, working, technician, now
    ):
        now.set(cn(2026, 3, 2, 16, 0))  # due 15:10
        reply(working, technician)
        first, second = updates(working)
        assert (first.state, first.met_at) == (ClockState.BREACHED, cn(2026, 3, 2, 16, 0))
        assert second.due_at == cn(2026, 3, 3, 13, 0)


def resolved(ticket, technician, now):
    now.set(cn(2026, 3, 3, 10, 0))
    resolve(ticket, technician)


class TestReopen:
    def test_a_reopen_rearms_only_update(self, working, technician, agent, now):
        resolved(working, technician, now)
        before = {c.pk: (c.name, c.state, c.due_at, c.met_at) for c in clocks(working)}
        assert all(state in (ClockState.MET, ClockState.BREACHED)
                   for _name, state, _due, _met in before.values())
        now.set(cn(2026, 3, 4, 9, 30))
        reopen_ticket(ticket=working, actor=staff(agent), reason="客户说又坏了")
        after = clocks(working)
        # The clocks that were there are untouched; exactly one new one: update.
        assert {c.pk: (c.name, c.state, c.due_at, c.met_at) for c in after
                if c.pk in before} == before
        new = [c for c in after if c.pk not in before]
        assert [(c.name, c.state, c.started_at) for c in new] == [
            ("update", ClockState.RUNNING, cn(2026, 3, 4, 9, 30))]
        assert new[0].due_at == cn(2026, 3, 4, 15, 30)
        assert Ticket.objects.get(pk=working.pk).next_due_at == new[0].due_at

    def test_the_customer_saying_not_solved_rearms_only_update(
        self, working, technician, agent, now
    ):
        resolved(working, technician, now)
        names_before = Counter(c.name for c in clocks(working))
        now.set(cn(2026, 3, 4, 9, 30))
        confirm_resolution(ticket=working, actor=staff(agent), solved=False, note="又坏了")
        names_after = Counter(c.name for c in clocks(working))
        assert names_after - names_before == Counter({"update": 1})
        assert updates(working)[-1].state == ClockState.RUNNING

    def test_a_reopen_after_closure_rearms_update(self, working, technician, agent, now):
        resolved(working, technician, now)
        close_ticket(ticket=working, actor=staff(agent), method="recorded")
        now.set(cn(2026, 3, 5, 10, 0))
        reopen_ticket(ticket=working, actor=staff(agent), reason="问题复现")
        running = [c.name for c in clocks(working) if c.state == ClockState.RUNNING]
        assert running == ["update"]

    def test_a_reply_to_a_resolved_ticket_rearms_nothing(self, working, technician, now):
        resolved(working, technician, now)
        count = len(clocks(working))
        now.set(cn(2026, 3, 3, 11, 0))
        reply(working, technician)
        assert len(clocks(working)) == count
        assert Ticket.objects.get(pk=working.pk).next_due_at is None
