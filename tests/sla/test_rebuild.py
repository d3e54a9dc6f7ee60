"""History written after the fact (the demo's back-dated tickets, an import of old tickets):
the clocks are rebuilt from the events, and what was due long ago is history, not news."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fivestar.notifications.models import OutboxMessage
from fivestar.sla.models import ClockState, SlaClock
from fivestar.sla.recompute import rebuild_clocks
from fivestar.sla.sweep import sla_sweep
from fivestar.tickets.models import Ticket
from tests.conftest import make_user
from tests.sla.flow import accept, assign, receive

pytestmark = pytest.mark.django_db


def test_a_ticket_received_days_ago_is_breached_once_rebuilt_and_the_sweep_stays_quiet():
    agent = make_user("agent7", "agent", email="agent7@example.com")
    ticket = receive(agent, received_at=timezone.now() - timedelta(days=3), priority="P2")
    accept(ticket, agent)
    assign(ticket, agent, agent)
    now = timezone.now()

    clocks = {clock.name: clock for clock in rebuild_clocks(ticket=ticket, now=now)}

    respond = SlaClock.objects.get(ticket=ticket, name="respond")
    assert respond.state == ClockState.BREACHED
    assert respond.due_at == ticket.received_at + timedelta(hours=4)
    assert respond.warned_at is not None and respond.escalate_at is None
    assert clocks["contact"].state == ClockState.RUNNING  # assignment was just now
    unmet = [c.due_at for c in clocks.values() if c.state in (ClockState.RUNNING,
                                                               ClockState.BREACHED)]
    assert Ticket.objects.get(pk=ticket.pk).next_due_at == min(unmet)
    before = OutboxMessage.objects.filter(template_code__startswith="sla").count()
    sla_sweep(now=now)
    assert OutboxMessage.objects.filter(template_code__startswith="sla").count() == before


def test_rebuilding_twice_gives_the_same_clocks():
    agent = make_user("agent7", "agent")
    ticket = receive(agent, received_at=timezone.now() - timedelta(hours=1), priority="P3")
    now = timezone.now()
    first = sorted((c.name, c.due_at, c.state) for c in rebuild_clocks(ticket=ticket, now=now))
    second = sorted((c.name, c.due_at, c.state) for c in rebuild_clocks(ticket=ticket, now=now))
    assert first == second
    assert SlaClock.objects.filter(ticket=ticket).count() == len(first)
