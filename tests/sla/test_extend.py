"""Extensions (延期, SPEC §3): a running deadline moves to a time agreed with the customer, with
a reason, recorded on the ticket; the original deadline is kept for reporting."""

from datetime import timedelta

import pytest

from fivestar.core.errors import PermissionDenied, ValidationFailed
from fivestar.notifications.models import OutboxMessage
from fivestar.sla.extensions import extend_deadline
from fivestar.sla.models import ClockState, SlaClock, SlaExtension
from fivestar.sla.sweep import sla_sweep
from fivestar.tickets.models import Ticket, TicketEvent
from fivestar.tickets.services import Actor
from tests.conftest import make_user
from tests.sla.calendars import cn
from tests.sla.flow import accept, assign, receive, resume, start, wait

pytestmark = pytest.mark.django_db

RECEIVED = cn(2026, 3, 2, 10, 0)  # a Monday


@pytest.fixture(autouse=True)
def within_the_limit(settings):
    """The extensions here are the assignee's own, a few days on a 24-hour target: since
    issue 18 item 16 one granting more than twice the target waits for a supervisor
    (tests/sla/test_extension_approval.py), so this file allows ten times the target."""
    settings.SLA_EXTENSION_TARGET_FACTOR = 10


def resolve_clock(ticket) -> SlaClock:
    return SlaClock.objects.filter(ticket=ticket, name="resolve").order_by("-id").first()


@pytest.fixture
def tech(db):
    return make_user("tech-x", "technician", email="tech-x@example.com")


@pytest.fixture
def p2(agent, tech, now, standard):
    """A P2 ticket (wall clock: resolve in 24 h, due Tue 10:00) assigned to ``tech``."""
    ticket = receive(agent, received_at=RECEIVED, priority="P2")
    now.set(RECEIVED + timedelta(minutes=5))
    accept(ticket, agent)
    assign(ticket, agent, tech)
    return ticket


def extend(ticket, who, due_at, **overrides):
    values = {"target": "resolve", "new_due_at": due_at, "reason": "客户出差，周四才在家",
              "customer_agreed": True, **overrides}
    return extend_deadline(ticket=ticket, actor=Actor(user=who), **values)


class TestTheService:
    def test_the_deadline_moves_and_the_original_is_kept(self, p2, tech, now):
        original = resolve_clock(p2).due_at
        assert original == cn(2026, 3, 3, 10, 0)
        now.set(cn(2026, 3, 2, 15, 0))
        extension = extend(p2, tech, cn(2026, 3, 5, 12, 0))
        clock = resolve_clock(p2)
        assert (clock.due_at, clock.original_due_at) == (cn(2026, 3, 5, 12, 0), original)
        assert clock.state == ClockState.RUNNING
        assert (extension.from_due_at, extension.to_due_at) == (original, clock.due_at)
        assert extension.by == tech and extension.customer_agreed
        assert extension.reason == "客户出差，周四才在家"
        event = TicketEvent.objects.filter(ticket=p2).order_by("-id").first()
        assert (event.action, event.actor, event.note) == ("extend", tech, extension.reason)
        assert event.before["due_at"] == original.isoformat()
        assert event.after == {"target": "resolve", "due_at": clock.due_at.isoformat()}

    def test_a_later_wait_for_the_customer_still_pushes_the_extended_deadline(
        self, agent, tech, synced_2026, now
    ):
        ticket = receive(agent, received_at=RECEIVED, priority="P3")
        now.set(RECEIVED + timedelta(minutes=5))
        accept(ticket, agent)
        assign(ticket, agent, tech)
        start(ticket, tech)
        assert resolve_clock(ticket).due_at == cn(2026, 3, 5, 10, 0)  # 27 working hours
        extend(ticket, tech, cn(2026, 3, 6, 10, 0))  # one working day more
        now.set(cn(2026, 3, 3, 9, 0))
        wait(ticket, tech)
        now.set(cn(2026, 3, 3, 11, 0))  # two working hours of waiting
        resume(ticket, tech)
        clock = resolve_clock(ticket)
        assert clock.due_at == cn(2026, 3, 6, 12, 0)
        assert clock.original_due_at == cn(2026, 3, 5, 10, 0)

    def test_an_agreed_time_outside_working_hours_ends_at_the_last_working_moment(
        self, agent, tech, synced_2026, now
    ):
        ticket = receive(agent, received_at=RECEIVED, priority="P3")
        now.set(RECEIVED + timedelta(minutes=5))
        accept(ticket, agent)
        assign(ticket, agent, tech)
        saturday_noon = cn(2026, 3, 7, 12, 0)
        extension = extend(ticket, tech, saturday_noon)
        assert resolve_clock(ticket).due_at == cn(2026, 3, 6, 18, 0)  # Friday's closing time
        assert extension.agreed_due_at == saturday_noon

    def test_the_warning_comes_again_before_the_new_deadline(self, p2, tech, now):
        clock = resolve_clock(p2)
        sla_sweep(now=clock.warn_at)
        assert resolve_clock(p2).warned_at is not None
        now.set(clock.warn_at + timedelta(minutes=10))
        extend(p2, tech, clock.due_at + timedelta(hours=24))
        extended = resolve_clock(p2)
        assert extended.warned_at is None
        assert extended.warn_at == RECEIVED + timedelta(hours=48 * 0.8)  # 80 % of 48 h
        sla_sweep(now=extended.warn_at)
        warnings = OutboxMessage.objects.filter(dedupe_key__startswith=f"sla:{clock.pk}:warning")
        assert warnings.count() == 2

    def test_next_due_follows_the_extension(self, agent, tech, standard, now):
        ticket = receive(agent, received_at=RECEIVED, priority="P2")
        now.set(RECEIVED + timedelta(minutes=5))
        accept(ticket, agent)
        assign(ticket, agent, tech)
        # respond met; contact due 10:35 (start is no contact), update 16:05, resolve Tue 10:00
        start(ticket, tech)
        ticket.refresh_from_db()
        assert ticket.next_due_at == RECEIVED + timedelta(minutes=10)  # first response
        now.set(RECEIVED + timedelta(minutes=6))
        extend(ticket, tech, RECEIVED + timedelta(minutes=30), target="first_response",
               reason="客户要求半小时后再联系")
        ticket.refresh_from_db()
        assert ticket.next_due_at == RECEIVED + timedelta(minutes=30)


class TestWhoMayExtend:
    def test_the_assignee_supervisor_and_manager_may_the_agent_may_not(self, p2, agent, now):
        supervisor = make_user("boss-x", "supervisor")
        manager = make_user("head-x", "manager")
        now.set(RECEIVED + timedelta(hours=1))
        due = resolve_clock(p2).due_at
        for number, who in enumerate((supervisor, manager), start=1):
            extend(p2, who, due + timedelta(hours=number))
        assert resolve_clock(p2).due_at == due + timedelta(hours=2)
        with pytest.raises(PermissionDenied):
            extend(p2, agent, due + timedelta(hours=5))
        assert SlaExtension.objects.count() == 2


class TestRefused:
    @pytest.mark.parametrize(("overrides", "field"), [
        ({"reason": "  "}, "reason"),
        ({"customer_agreed": False}, "customer_agreed"),
        ({"target": "lunch"}, "target"),
        ({"target": "acceptance"}, "target"),  # met at acceptance: not running
        ({"new_due_at": cn(2026, 3, 2, 9, 0)}, "due_at"),  # earlier than now
        ({"new_due_at": cn(2026, 3, 3, 9, 0)}, "due_at"),  # not later than the deadline
    ])
    def test_bad_requests_name_the_field_and_change_nothing(self, p2, tech, now, overrides,
                                                           field):
        now.set(RECEIVED + timedelta(hours=1))
        before = resolve_clock(p2).due_at
        events = TicketEvent.objects.filter(ticket=p2).count()
        with pytest.raises(ValidationFailed) as caught:
            extend(p2, tech, cn(2026, 3, 4, 10, 0), **overrides)
        assert field in caught.value.fields
        assert resolve_clock(p2).due_at == before
        assert TicketEvent.objects.filter(ticket=p2).count() == events
        assert not SlaExtension.objects.exists()

    def test_a_paused_deadline_cannot_move(self, p2, tech, now):
        start(p2, tech)
        wait(p2, tech)
        with pytest.raises(ValidationFailed) as caught:
            extend(p2, tech, cn(2026, 3, 5, 10, 0))
        assert "target" in caught.value.fields

    def test_a_breached_deadline_cannot_move(self, p2, tech, now):
        clock = resolve_clock(p2)
        sla_sweep(now=clock.due_at)
        now.set(clock.due_at + timedelta(minutes=1))
        with pytest.raises(ValidationFailed) as caught:
            extend(p2, tech, clock.due_at + timedelta(days=1))
        assert "target" in caught.value.fields
        assert resolve_clock(p2).state == ClockState.BREACHED


class TestTheApi:
    def test_extend_through_the_actions_endpoint(self, api_as, p2, tech, agent, now):
        now.set(RECEIVED + timedelta(hours=1))
        url = f"/api/v1/tickets/{p2.number}/actions/extend"
        assert "extend" in api_as(tech).get(f"/api/v1/tickets/{p2.number}").json()[
            "allowed_actions"]
        assert "extend" not in api_as(agent).get(f"/api/v1/tickets/{p2.number}").json()[
            "allowed_actions"]
        body = {"target": "resolve", "due_at": "2026-03-05T12:00:00+08:00",
                "reason": "客户周四在家", "customer_agreed": True}
        response = api_as(tech).post(url, body)
        assert response.status_code == 200, response.content
        ticket = response.json()
        assert ticket["deadlines"]["resolve"]["due_at"] == "2026-03-05T12:00:00+08:00"
        events = api_as(tech).get(f"/api/v1/tickets/{p2.number}/events").json()
        extended = [event for event in events if event["action"] == "extend"]
        assert [event["note"] for event in extended] == ["客户周四在家"]
        assert extended[0]["after"]["due_at"].startswith("2026-03-05T04:00:00")
        forbidden = api_as(agent).post(url, body)
        assert forbidden.status_code == 403

    @pytest.mark.parametrize(("changes", "field"), [
        ({"due_at": "2026-03-01T12:00:00+08:00"}, "due_at"),
        ({"due_at": "2026-03-05T12:00:00"}, "due_at"),  # no offset
        ({"due_at": "soon"}, "due_at"),
        ({"target": "nothing"}, "target"),
        ({"reason": ""}, "reason"),
        ({"reason": None}, "reason"),
        ({"customer_agreed": False}, "customer_agreed"),
        ({"customer_agreed": None}, "customer_agreed"),
    ])
    def test_bad_bodies_are_422_naming_the_field(self, api_as, p2, tech, now, changes, field):
        now.set(RECEIVED + timedelta(hours=1))
        body = {"target": "resolve", "due_at": "2026-03-05T12:00:00+08:00",
                "reason": "客户周四在家", "customer_agreed": True, **changes}
        body = {name: value for name, value in body.items() if value is not None}
        response = api_as(tech).post(f"/api/v1/tickets/{p2.number}/actions/extend", body)
        assert response.status_code == 422, response.content
        assert field in response.json()["error"]["fields"]
        assert Ticket.objects.get(pk=p2.pk).next_due_at == p2.next_due_at

    def test_no_running_deadline_no_extend(self, api_as, agent, supervisor, now, standard):
        ticket = receive(agent, received_at=RECEIVED, priority="P2")
        from fivestar.tickets.services import cancel_ticket

        cancel_ticket(ticket=ticket, actor=Actor(user=agent), reason="客户撤回")
        api = api_as(supervisor)
        assert "extend" not in api.get(f"/api/v1/tickets/{ticket.number}").json()[
            "allowed_actions"]
        response = api.post(f"/api/v1/tickets/{ticket.number}/actions/extend", {
            "target": "resolve", "due_at": "2026-03-05T12:00:00+08:00", "reason": "x",
            "customer_agreed": True})
        assert response.status_code == 409
        assert response.json()["error"]["allowed_actions"] == []
