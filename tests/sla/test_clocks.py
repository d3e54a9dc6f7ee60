"""Clocks per ticket (SPEC §3), driven by the real ticket services: the worked example of
issue 3, first response in and out of working hours, pauses in working time, priority changes,
and ``Ticket.next_due_at``."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from fivestar.sla.models import ClockState, SlaClock
from fivestar.tickets.models import Ticket
from fivestar.tickets.selectors import ticket_deadlines
from fivestar.tickets.services import Actor, cancel_ticket, contact_customer
from tests.sla.calendars import cn
from tests.sla.flow import (
    Now,
    accept,
    assign,
    receive,
    reply,
    reprioritise,
    resolve,
    resume,
    start,
    wait,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(monkeypatch) -> Now:
    return Now(monkeypatch)


def clock(ticket, name) -> SlaClock:
    return SlaClock.objects.filter(ticket=ticket, name=name).order_by("-id").first()


def due(ticket, name):
    return clock(ticket, name).due_at


class TestWorkedExample:
    def test_p3_repair_on_friday_before_spring_festival(self, agent, synced_2026):
        # Sat 02-14 is an adjusted working day; 02-15..02-23 are holidays: 27 working hours
        # are Fri 10–18 (8) + Sat 9–18 (9) + Tue 02-24 9–18 (9) + Wed 02-25 9–10 (1).
        ticket = receive(agent, received_at=cn(2026, 2, 13, 10, 0), priority="P3")
        assert due(ticket, "resolve") == cn(2026, 2, 25, 10, 0)
        assert due(ticket, "respond") == cn(2026, 2, 13, 18, 0)  # 8 working hours
        assert due(ticket, "acceptance") == cn(2026, 2, 14, 10, 0)  # 24 h, wall clock
        assert due(ticket, "first_response") == cn(2026, 2, 13, 10, 10)  # working hours

    def test_p1_on_a_holiday_night_counts_every_hour(self, agent, synced_2026):
        ticket = receive(agent, received_at=cn(2026, 2, 17, 23, 0), priority="P1")
        assert due(ticket, "respond") == cn(2026, 2, 18, 1, 0)
        assert due(ticket, "resolve") == cn(2026, 2, 18, 3, 0)
        assert due(ticket, "first_response") == cn(2026, 2, 17, 23, 30)  # a holiday, at night


class TestFirstResponse:
    @pytest.mark.parametrize(("received", "minutes"), [
        (cn(2026, 3, 2, 10, 0), 10),   # Monday in working hours
        (cn(2026, 3, 2, 17, 55), 10),  # five minutes before closing still counts as inside
        (cn(2026, 3, 2, 20, 0), 30),   # Monday night
        (cn(2026, 3, 1, 10, 0), 30),   # Sunday
        (cn(2026, 2, 16, 10, 0), 30),  # Spring Festival holiday on a Monday
        (cn(2026, 2, 14, 10, 0), 10),  # Saturday 02-14: an adjusted working day
    ])
    def test_ten_minutes_inside_working_hours_thirty_outside(self, agent, synced_2026,
                                                             received, minutes):
        ticket = receive(agent, received_at=received)
        first = clock(ticket, "first_response")
        assert first.due_at == received + timedelta(minutes=minutes)  # wall clock
        assert first.allowed == timedelta(minutes=minutes)

    def test_the_first_public_staff_reply_meets_it(self, agent, synced_2026, now,
                                                   portal_customer):
        received = cn(2026, 3, 2, 10, 0)
        ticket = receive(agent, received_at=received, phone=portal_customer.phone)
        now.set(received + timedelta(minutes=3))
        reply(ticket, agent, internal=True)
        reply(ticket, portal_customer.user, as_customer=True)
        assert clock(ticket, "first_response").state == ClockState.RUNNING
        now.set(received + timedelta(minutes=7))
        reply(ticket, agent)
        first = clock(ticket, "first_response")
        assert (first.state, first.met_at) == (ClockState.MET, received + timedelta(minutes=7))
        deadline = ticket_deadlines(ticket=ticket)["first_response"]
        assert deadline["state"] == "met" and deadline["breached"] is False

    def test_a_late_reply_is_met_but_breached(self, agent, synced_2026, now):
        received = cn(2026, 3, 2, 10, 0)
        ticket = receive(agent, received_at=received)
        now.set(received + timedelta(minutes=11))
        reply(ticket, agent)
        first = clock(ticket, "first_response")
        assert first.state == ClockState.BREACHED
        assert first.met_at == received + timedelta(minutes=11)
        assert first.breached_at == first.due_at
        assert ticket_deadlines(ticket=ticket)["first_response"]["breached"] is True


@pytest.fixture
def portal_customer(db):
    from fivestar.customers.models import Customer
    from tests.conftest import make_user

    user = make_user("portal1", "customer")
    return Customer.objects.create(name="张三", phone="+8613812345678", user=user)


class TestTheRoad:
    def test_each_action_stops_its_target(self, agent, technician, synced_2026, now):
        received = cn(2026, 3, 2, 9, 0)
        ticket = receive(agent, received_at=received)
        now.set(cn(2026, 3, 2, 9, 30))
        accept(ticket, agent)
        assert clock(ticket, "acceptance").state == ClockState.MET
        now.set(cn(2026, 3, 2, 9, 40))
        assign(ticket, agent, technician)
        contact = clock(ticket, "contact")
        assert (contact.started_at, contact.due_at) == (now.value, cn(2026, 3, 2, 10, 10))
        now.set(cn(2026, 3, 2, 9, 55))
        contact_customer(ticket=ticket, actor=Actor(user=technician), note="约好上午上门")
        assert clock(ticket, "contact").state == ClockState.MET
        now.set(cn(2026, 3, 2, 10, 0))
        start(ticket, technician)
        assert clock(ticket, "respond").state == ClockState.MET
        update = clock(ticket, "update")
        assert (update.started_at, update.due_at) == (now.value, cn(2026, 3, 2, 16, 0))
        now.set(cn(2026, 3, 2, 15, 0))
        reply(ticket, technician)  # a progress update re-arms the update target
        updates = list(SlaClock.objects.filter(ticket=ticket, name="update").order_by("id"))
        assert [c.state for c in updates] == [ClockState.MET, ClockState.RUNNING]
        assert updates[1].due_at == cn(2026, 3, 3, 12, 0)  # 6 working hours
        now.set(cn(2026, 3, 2, 16, 0))
        resolve(ticket, technician)
        states = {name: value["state"] for name, value in ticket_deadlines(ticket=ticket).items()}
        assert states == {"first_response": "breached", "acceptance": "met", "contact": "met",
                          "respond": "met", "resolve": "met", "update": "met"}
        assert Ticket.objects.get(pk=ticket.pk).next_due_at is None

    def test_reassignment_restarts_contact(self, agent, technician, synced_2026, now):
        from tests.conftest import make_user

        other = make_user("tech2", "technician")
        ticket = receive(agent, received_at=cn(2026, 3, 2, 9, 0))
        now.set(cn(2026, 3, 2, 9, 10))
        accept(ticket, agent)
        assign(ticket, agent, technician)
        now.set(cn(2026, 3, 2, 9, 20))
        assign(ticket, agent, other)
        contacts = list(SlaClock.objects.filter(ticket=ticket, name="contact").order_by("id"))
        assert [c.state for c in contacts] == [ClockState.CANCELLED, ClockState.RUNNING]
        assert contacts[1].due_at == cn(2026, 3, 2, 9, 50)

    def test_cancel_cancels_the_running_clocks(self, agent, synced_2026, now):
        ticket = receive(agent, received_at=cn(2026, 3, 2, 9, 0))
        now.set(cn(2026, 3, 2, 9, 5))
        cancel_ticket(ticket=ticket, actor=Actor(user=agent), reason="客户撤回")
        assert set(SlaClock.objects.filter(ticket=ticket).values_list("state", flat=True)) == {
            ClockState.CANCELLED
        }
        assert Ticket.objects.get(pk=ticket.pk).next_due_at is None


class TestPause:
    def test_waiting_for_the_customer_extends_every_running_target_in_working_time(
        self, agent, technician, synced_2026, now
    ):
        ticket = receive(agent, received_at=cn(2026, 3, 2, 9, 0))  # Monday
        now.set(cn(2026, 3, 2, 9, 5))
        accept(ticket, agent)
        assign(ticket, agent, technician)
        start(ticket, technician)
        assert due(ticket, "resolve") == cn(2026, 3, 4, 18, 0)  # 27 working hours
        now.set(cn(2026, 3, 2, 9, 8))
        wait(ticket, technician)
        paused = {c.name: c.state for c in SlaClock.objects.filter(ticket=ticket)}
        assert paused["resolve"] == paused["update"] == paused["first_response"] == "paused"
        assert ticket_deadlines(ticket=ticket)["resolve"]["state"] == "paused"
        assert Ticket.objects.get(pk=ticket.pk).next_due_at is None  # nothing is counting
        # Monday 09:08–18:00 and Tuesday 09:00–11:00: 10 h 52 min of working time; the night
        # is not working time and does not count.
        now.set(cn(2026, 3, 3, 11, 0))
        resume(ticket, technician)
        resolve_clock = clock(ticket, "resolve")
        assert resolve_clock.paused_working == timedelta(hours=10, minutes=52)
        assert resolve_clock.due_at == cn(2026, 3, 6, 10, 52)
        assert resolve_clock.original_due_at == cn(2026, 3, 4, 18, 0)
        # The update target (09:05 + 6 working hours) moves by the same working time.
        assert due(ticket, "update") == cn(2026, 3, 3, 16, 57)
        # The response target runs on the wall clock: it keeps the 2 minutes it had left.
        assert due(ticket, "first_response") == cn(2026, 3, 3, 11, 2)
        assert Ticket.objects.get(pk=ticket.pk).next_due_at == cn(2026, 3, 3, 11, 2)

    def test_a_target_already_past_due_is_breached_not_paused(
        self, agent, technician, synced_2026, now
    ):
        ticket = receive(agent, received_at=cn(2026, 3, 2, 9, 0))
        now.set(cn(2026, 3, 2, 9, 5))
        accept(ticket, agent)
        assign(ticket, agent, technician)
        start(ticket, technician)
        now.set(cn(2026, 3, 2, 17, 0))  # first response (09:10) and update (15:05) are late
        wait(ticket, technician)
        states = {c.name: c.state for c in SlaClock.objects.filter(ticket=ticket)}
        assert states["first_response"] == states["update"] == "breached"
        assert states["resolve"] == "paused"
        assert Ticket.objects.get(pk=ticket.pk).next_due_at == cn(2026, 3, 2, 9, 10)

    def test_a_rearmed_update_target_moves_by_the_paused_working_time(
        self, agent, technician, synced_2026, now
    ):
        ticket = receive(agent, received_at=cn(2026, 3, 2, 9, 0))
        now.set(cn(2026, 3, 2, 9, 5))
        accept(ticket, agent)
        assign(ticket, agent, technician)
        start(ticket, technician)
        now.set(cn(2026, 3, 2, 14, 0))
        reply(ticket, technician)  # update re-armed: 6 working hours → Tuesday 11:00
        assert due(ticket, "update") == cn(2026, 3, 3, 11, 0)
        now.set(cn(2026, 3, 2, 17, 0))
        wait(ticket, technician)
        now.set(cn(2026, 3, 3, 11, 0))
        resume(ticket, technician)
        assert due(ticket, "update") == cn(2026, 3, 3, 14, 0)  # + 3 working hours

    def test_a_p1_pause_counts_wall_clock_time(self, agent, senior_technician, supervisor,
                                               synced_2026, now):
        ticket = receive(agent, received_at=cn(2026, 3, 2, 20, 0), priority="P1")
        now.set(cn(2026, 3, 2, 20, 5))
        reply(ticket, agent)
        accept(ticket, agent)
        # A supervisor of the ticket's department assigns a P1 straight on (issue 18 item 10).
        supervisor.department = ticket.department
        supervisor.save()
        assign(ticket, supervisor, senior_technician)
        start(ticket, senior_technician)
        now.set(cn(2026, 3, 2, 21, 0))
        wait(ticket, senior_technician)
        now.set(cn(2026, 3, 2, 22, 30))
        resume(ticket, senior_technician)
        assert due(ticket, "resolve") == cn(2026, 3, 3, 1, 30)  # 4 h + 1.5 h paused


class TestPriorityChange:
    def test_running_targets_are_recomputed_from_their_start(self, agent, synced_2026, now):
        received = cn(2026, 3, 2, 10, 0)
        ticket = receive(agent, received_at=received)
        assert due(ticket, "resolve") == cn(2026, 3, 5, 10, 0)
        now.set(cn(2026, 3, 2, 10, 30))
        reprioritise(ticket, agent, "P1")
        resolve_clock = clock(ticket, "resolve")
        assert resolve_clock.due_at == received + timedelta(hours=4)
        assert resolve_clock.calendar_id is None
        assert due(ticket, "respond") == received + timedelta(hours=2)
        assert resolve_clock.changes[-1]["reason"] == "priority P3 → P1"
        assert parse_datetime(resolve_clock.changes[-1]["from_due"]) == cn(2026, 3, 5, 10, 0)
        assert SlaClock.objects.filter(ticket=ticket, name="resolve").count() == 1
        assert Ticket.objects.get(pk=ticket.pk).next_due_at == due(ticket, "first_response")


def test_one_open_clock_per_target(agent, synced_2026):
    ticket = receive(agent, received_at=timezone.now() - timedelta(minutes=1))
    existing = clock(ticket, "resolve")
    existing.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        existing.save()


def test_next_due_at_is_the_earliest_running_target(agent, synced_2026):
    ticket = receive(agent, received_at=cn(2026, 3, 2, 10, 0))
    ticket.refresh_from_db()
    assert ticket.next_due_at == cn(2026, 3, 2, 10, 10)


def test_the_api_shows_the_deadlines_in_the_list_and_the_detail(api_as, agent, synced_2026,
                                                                now):
    ticket = receive(agent, received_at=cn(2026, 2, 13, 10, 0))
    now.set(cn(2026, 2, 13, 10, 5))
    reply(ticket, agent)
    api = api_as(agent)
    detail = api.get(f"/api/v1/tickets/{ticket.number}").json()
    listed = api.get("/api/v1/tickets").json()["items"][0]
    assert listed["deadlines"] == detail["deadlines"]
    assert detail["deadlines"]["resolve"] == {
        "due_at": "2026-02-25T10:00:00+08:00", "met_at": None, "state": "running",
        "breached": False, "calendar_unconfirmed": False,
    }
    assert detail["deadlines"]["first_response"]["state"] == "met"
    assert detail["deadlines"]["first_response"]["met_at"] == "2026-02-13T10:05:00+08:00"
    # Past due, before the sweep has marked it: already shown as breached.
    now.set(cn(2026, 2, 25, 10, 1))
    late = api.get(f"/api/v1/tickets/{ticket.number}").json()["deadlines"]["resolve"]
    assert (late["state"], late["breached"]) == ("running", True)


def test_the_list_filters_breached_and_breaching_soon(api_as, agent, synced_2026, now):
    received = cn(2026, 3, 2, 10, 0)
    soon = receive(agent, received_at=received, phone="13812340001")
    later = receive(agent, received_at=received - timedelta(hours=1), phone="13812340002")
    now.set(received - timedelta(hours=1, minutes=-9))  # 09:09: `later` is due 09:10
    reply(later, agent)  # its first response is met: next due is respond at 17:00
    now.set(cn(2026, 3, 2, 10, 5))
    api = api_as(agent)

    def numbers(**params):
        response = api.get("/api/v1/tickets", **params)
        assert response.status_code == 200, response.content
        return {item["number"] for item in response.json()["items"]}

    assert numbers(due_within=10) == {soon.number}  # first response due 10:10
    assert numbers(due_within=60 * 8) == {soon.number, later.number}
    assert numbers(breached="true") == set()
    now.set(cn(2026, 3, 2, 10, 11))
    assert numbers(breached="true") == {soon.number}
    assert api.get("/api/v1/tickets", due_within=-1).status_code == 422
