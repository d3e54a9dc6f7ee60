"""The contact and first-response targets stop only on what answers the customer (issue 18
items 3 and 4; SPEC §3): "the assignee contacts the customer within 30 minutes" is met by a
public reply, a logged contact that reached the customer or the arrival on site — not by
pressing "start"; a ticket staff record on the phone or at the counter has had its first
response at creation."""

from datetime import timedelta

import pytest

from fivestar.sla.models import ClockState, SlaClock
from fivestar.tickets.models import TicketEvent
from fivestar.tickets.services import Actor, accept_ticket, contact_customer
from fivestar.tickets.workflow import allowed_actions
from tests.sla.calendars import cn
from tests.sla.flow import accept, assign, receive, reply, start

pytestmark = pytest.mark.django_db


def clock(ticket, name) -> SlaClock:
    return SlaClock.objects.filter(ticket=ticket, name=name).order_by("-id").first()


@pytest.fixture
def assigned(agent, technician, synced_2026, now):
    ticket = receive(agent, received_at=cn(2026, 3, 2, 9, 0))
    now.set(cn(2026, 3, 2, 9, 10))
    accept(ticket, agent)
    assign(ticket, agent, technician)
    return ticket


class TestContactTarget:
    def test_start_alone_does_not_meet_it(self, assigned, technician, now):
        now.set(cn(2026, 3, 2, 9, 20))
        start(assigned, technician)
        contact = clock(assigned, "contact")
        assert contact.state == ClockState.RUNNING and contact.met_at is None
        now.set(cn(2026, 3, 2, 9, 45))
        from fivestar.sla.sweep import sla_sweep

        sla_sweep()
        assert clock(assigned, "contact").state == ClockState.BREACHED

    def test_a_logged_call_that_reached_the_customer_meets_it(self, assigned, technician, now):
        now.set(cn(2026, 3, 2, 9, 25))
        assert "contact" in allowed_actions(ticket=assigned, user=technician)
        contact_customer(ticket=assigned, actor=Actor(user=technician), channel="phone",
                         note="约好今天下午两点上门")
        contact = clock(assigned, "contact")
        assert (contact.state, contact.met_at) == (ClockState.MET, cn(2026, 3, 2, 9, 25))
        event = TicketEvent.objects.filter(ticket=assigned).order_by("-id").first()
        assert (event.payload.channel, event.payload.reached) == ("phone", True)
        assert event.note == "约好今天下午两点上门"

    def test_an_unanswered_attempt_is_no_contact(self, assigned, technician, now):
        now.set(cn(2026, 3, 2, 9, 25))
        contact_customer(ticket=assigned, actor=Actor(user=technician), reached=False)
        assert clock(assigned, "contact").state == ClockState.RUNNING

    def test_a_public_reply_meets_it(self, assigned, technician, now):
        now.set(cn(2026, 3, 2, 9, 30))
        reply(assigned, technician)
        assert clock(assigned, "contact").state == ClockState.MET

    def test_arrival_on_site_meets_it(self, agent, technician, synced_2026, now):
        from fivestar.sla.visits import record_arrival

        ticket = receive(agent, received_at=cn(2026, 3, 2, 9, 0))
        now.set(cn(2026, 3, 2, 9, 5))
        accept_ticket(ticket=ticket, actor=Actor(user=agent), visit_needed=True)
        assign(ticket, agent, technician)
        now.set(cn(2026, 3, 2, 9, 30))
        record_arrival(ticket=ticket, actor=Actor(user=technician))
        assert clock(ticket, "contact").state == ClockState.MET

    def test_a_reached_contact_says_what_was_said(self, assigned, technician):
        from fivestar.core.errors import ValidationFailed

        with pytest.raises(ValidationFailed) as raised:
            contact_customer(ticket=assigned, actor=Actor(user=technician), note=" ")
        assert "note" in raised.value.fields


class TestFirstResponseOnLiveChannels:
    @pytest.mark.parametrize("channel", ["phone", "walk_in"])
    def test_staff_recording_a_call_or_a_visit_is_the_first_response(
            self, agent, synced_2026, channel):
        received = cn(2026, 3, 2, 10, 0)
        ticket = receive(agent, received_at=received, channel=channel)
        first = clock(ticket, "first_response")
        assert (first.state, first.met_at) == (ClockState.MET, received)

    @pytest.mark.parametrize("channel", ["email", "web", "chat"])
    def test_other_channels_wait_for_a_reply(self, agent, synced_2026, channel):
        ticket = receive(agent, received_at=cn(2026, 3, 2, 10, 0), channel=channel)
        assert clock(ticket, "first_response").state == ClockState.RUNNING

    def test_a_phone_ticket_not_recorded_by_staff_waits(self, synced_2026):
        from fivestar.customers.services import CustomerDetails
        from fivestar.tickets.services import TicketRequest, create_ticket

        received = cn(2026, 3, 2, 10, 0)
        ticket = create_ticket(
            request=TicketRequest(channel="phone", type="repair",
                                  customer=CustomerDetails(name="张三", phone="13812345678"),
                                  description="空调不制冷", received_at=received),
            actor=None, actor_kind="system",
        ).ticket
        assert clock(ticket, "first_response").state == ClockState.RUNNING

    def test_a_reached_call_is_a_first_response(self, agent, technician, synced_2026, now):
        received = cn(2026, 3, 2, 10, 0)
        ticket = receive(agent, received_at=received)
        now.set(received + timedelta(minutes=4))
        contact_customer(ticket=ticket, actor=Actor(user=agent), note="已电话回复客户")
        assert clock(ticket, "first_response").state == ClockState.MET
