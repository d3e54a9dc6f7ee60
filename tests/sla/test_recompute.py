"""An administrator changes a policy, then asks for the open tickets' deadlines to follow it
(SPEC §3): each open ticket the policy governs is recomputed, with one event on its timeline."""

from datetime import timedelta

import pytest
from django.utils.dateparse import parse_datetime

from fivestar.sla.models import ClockState, SlaClock, SlaPolicy
from fivestar.sla.policies import PolicySpec, TargetSpec, update_policy
from fivestar.sla.recompute import recompute_open_deadlines
from fivestar.tickets.models import TicketEvent
from tests.conftest import make_user
from tests.sla.calendars import cn
from tests.sla.flow import accept, assign, receive, resolve, start

pytestmark = pytest.mark.django_db

RECEIVED = cn(2026, 3, 2, 10, 0)


def clock(ticket, name) -> SlaClock:
    return SlaClock.objects.filter(ticket=ticket, name=name).order_by("-id").first()


def p2_spec(*, resolve_hours: int, drop: str = "") -> PolicySpec:
    policy = SlaPolicy.objects.get(priority="P2")
    targets = [
        TargetSpec(name=t.name, duration=timedelta(hours=resolve_hours)
                   if t.name == "resolve" else t.duration,
                   start_event=t.start_event, stop_events=t.stop_events,
                   calendar=t.calendar, outside_hours_duration=t.outside_hours_duration,
                   hours_calendar=t.hours_calendar, restart_events=t.restart_events,
                   pause_statuses=t.pause_statuses)
        for t in policy.targets.all() if t.name != drop
    ]
    return PolicySpec(name=policy.name, order=policy.order, priority="P2", targets=targets)


@pytest.fixture
def tickets(agent, technician, standard, now):
    open_one = receive(agent, received_at=RECEIVED, priority="P2", phone="13812340001")
    open_two = receive(agent, received_at=RECEIVED + timedelta(hours=1), priority="P2",
                       phone="13812340002")
    done = receive(agent, received_at=RECEIVED, priority="P2", phone="13812340003")
    other = receive(agent, received_at=RECEIVED, priority="P3", phone="13812340004")
    now.set(RECEIVED + timedelta(hours=2))
    accept(done, agent)
    assign(done, agent, technician)
    start(done, technician)
    resolve(done, technician)
    return {"open": [open_one, open_two], "done": done, "other": other}


def test_open_tickets_follow_the_changed_policy_on_request(tickets, now):
    admin = make_user("admin-r", "administrator")
    policy = SlaPolicy.objects.get(priority="P2")
    update_policy(policy=policy, spec=p2_spec(resolve_hours=12))
    first, second = tickets["open"]
    # A change applies to new work; the open tickets wait for the administrator's request.
    assert clock(first, "resolve").due_at == RECEIVED + timedelta(hours=24)
    done_before = clock(tickets["done"], "resolve").due_at
    other_before = clock(tickets["other"], "resolve").due_at

    now.set(RECEIVED + timedelta(hours=3))
    result = recompute_open_deadlines(policy=policy, actor=admin)
    assert (result.tickets_changed, result.clocks_changed) == (2, 2)
    assert clock(first, "resolve").due_at == RECEIVED + timedelta(hours=12)
    assert clock(second, "resolve").due_at == RECEIVED + timedelta(hours=13)
    assert clock(first, "resolve").original_due_at == RECEIVED + timedelta(hours=12)
    assert clock(tickets["done"], "resolve").due_at == done_before
    assert clock(tickets["other"], "resolve").due_at == other_before
    event = TicketEvent.objects.get(ticket=first, action="recompute_deadlines")
    assert event.actor == admin
    assert parse_datetime(event.before["resolve"]["due_at"]) == RECEIVED + timedelta(hours=24)
    assert event.payload.deadlines["resolve"].due_at == RECEIVED + timedelta(hours=12)
    assert not TicketEvent.objects.filter(ticket=tickets["other"],
                                          action="recompute_deadlines").exists()

    again = recompute_open_deadlines(policy=policy, actor=admin)
    assert again.tickets_changed == 0
    assert TicketEvent.objects.filter(action="recompute_deadlines").count() == 2


def test_a_target_the_policy_no_longer_has_is_cancelled(tickets, now):
    policy = SlaPolicy.objects.get(priority="P2")
    update_policy(policy=policy, spec=p2_spec(resolve_hours=24, drop="acceptance"))
    first = tickets["open"][0]
    assert clock(first, "acceptance").state == ClockState.RUNNING
    recompute_open_deadlines(policy=policy, actor=None)
    assert clock(first, "acceptance").state == ClockState.CANCELLED
    event = TicketEvent.objects.get(ticket=first, action="recompute_deadlines")
    assert event.payload.deadlines["acceptance"].state == "cancelled"
    assert set(event.payload.deadlines) == {"acceptance"}  # nothing else moved


def test_through_the_api_for_administrators_only(api_as, tickets, agent, now):
    policy = SlaPolicy.objects.get(priority="P2")
    update_policy(policy=policy, spec=p2_spec(resolve_hours=12))
    url = f"/api/v1/sla/policies/{policy.pk}/recompute"
    assert api_as(agent).post(url).status_code == 403
    assert clock(tickets["open"][0], "resolve").due_at == RECEIVED + timedelta(hours=24)
    response = api_as(make_user("admin-r2", "administrator")).post(url)
    assert response.status_code == 200, response.content
    assert response.json() == {"tickets_checked": 2, "tickets_changed": 2, "clocks_changed": 2}
    ticket = api_as(agent).get(f"/api/v1/tickets/{tickets['open'][0].number}").json()
    assert ticket["deadlines"]["resolve"]["due_at"] == "2026-03-02T22:00:00+08:00"
