"""The on-site visit target (SPEC §3: within 48 hours of the evaluation when one is needed):
started by an acceptance that says a visit is needed, met by the arrival on site."""

import pytest

from fivestar.core.errors import Conflict
from fivestar.sla.models import ClockState, SlaClock
from fivestar.sla.visits import record_arrival
from fivestar.tickets.models import TicketEvent
from fivestar.tickets.services import accept_ticket
from tests.sla.calendars import cn
from tests.sla.flow import assign, receive, resolve, resume, staff, start, wait

pytestmark = pytest.mark.django_db

RECEIVED = cn(2026, 3, 6, 16, 0)  # a Friday afternoon


def visit(ticket) -> SlaClock | None:
    return SlaClock.objects.filter(ticket=ticket, name="visit").first()


@pytest.fixture
def accepted_for_a_visit(agent, synced_2026, now):
    ticket = receive(agent, received_at=RECEIVED, priority="P3", type="installation")
    now.set(cn(2026, 3, 6, 17, 0))
    accept_ticket(ticket=ticket, actor=staff(agent), visit_needed=True)
    return ticket


def test_48_hours_from_the_evaluation_on_the_wall_clock(accepted_for_a_visit):
    clock = visit(accepted_for_a_visit)
    # Over the weekend: the customer's 48 hours, not working hours.
    assert (clock.started_at, clock.due_at) == (cn(2026, 3, 6, 17, 0), cn(2026, 3, 8, 17, 0))
    assert clock.state == ClockState.RUNNING


def test_no_visit_needed_no_visit_deadline(agent, synced_2026, now):
    ticket = receive(agent, received_at=RECEIVED, priority="P3")
    now.set(cn(2026, 3, 6, 17, 0))
    accept_ticket(ticket=ticket, actor=staff(agent))
    assert visit(ticket) is None


def test_the_arrival_on_site_meets_it(accepted_for_a_visit, agent, technician, now):
    ticket = accepted_for_a_visit
    assign(ticket, agent, technician)
    now.set(cn(2026, 3, 7, 10, 0))
    start(ticket, technician)  # starting work remotely is not the visit
    assert visit(ticket).state == ClockState.RUNNING
    now.set(cn(2026, 3, 8, 9, 30))
    record_arrival(ticket=ticket, actor=staff(technician), note="已到达客户家")
    clock = visit(ticket)
    assert (clock.state, clock.met_at) == (ClockState.MET, cn(2026, 3, 8, 9, 30))
    assert TicketEvent.objects.filter(ticket=ticket, action="arrive").count() == 1


def test_an_appointment_wait_pauses_it(accepted_for_a_visit, agent, technician, now):
    ticket = accepted_for_a_visit
    assign(ticket, agent, technician)
    start(ticket, technician)
    now.set(cn(2026, 3, 7, 9, 0))
    wait(ticket, technician)  # the customer will name a day
    now.set(cn(2026, 3, 7, 21, 0))
    resume(ticket, technician)
    assert visit(ticket).due_at == cn(2026, 3, 9, 5, 0)  # + 12 h waiting


def test_resolved_without_a_visit_stops_it(accepted_for_a_visit, agent, technician, now):
    ticket = accepted_for_a_visit
    assign(ticket, agent, technician)
    start(ticket, technician)
    now.set(cn(2026, 3, 7, 9, 0))
    resolve(ticket, technician)  # solved over the phone after all
    assert visit(ticket).state == ClockState.MET


def test_arrival_without_a_pending_visit_is_refused(agent, technician, synced_2026, now):
    ticket = receive(agent, received_at=RECEIVED, priority="P3")
    now.set(cn(2026, 3, 6, 17, 0))
    accept_ticket(ticket=ticket, actor=staff(agent))
    assign(ticket, agent, technician)
    with pytest.raises(Conflict):
        record_arrival(ticket=ticket, actor=staff(technician))
    assert not TicketEvent.objects.filter(ticket=ticket, action="arrive").exists()


def test_through_the_api(api_as, agent, technician, synced_2026, now):
    api = api_as(agent)
    now.set(cn(2026, 3, 6, 16, 30))
    ticket = receive(agent, received_at=RECEIVED, priority="P3", type="repair")
    base = f"/api/v1/tickets/{ticket.number}/actions"
    accepted = api.post(f"{base}/accept", {"visit_needed": True}).json()
    assert accepted["deadlines"]["visit"]["due_at"] == "2026-03-08T16:30:00+08:00"
    api.post(f"{base}/assign", {"assignee": technician.username})
    tech = api_as(technician)
    assert "arrive" in tech.get(f"/api/v1/tickets/{ticket.number}").json()["allowed_actions"]
    now.set(cn(2026, 3, 7, 11, 0))
    arrived = tech.post(f"{base}/arrive", {"note": "已到达"})
    assert arrived.status_code == 200, arrived.content
    body = arrived.json()
    assert body["deadlines"]["visit"]["state"] == "met"
    assert body["deadlines"]["visit"]["met_at"] == "2026-03-07T11:00:00+08:00"
    assert "arrive" not in body["allowed_actions"]
    assert tech.post(f"{base}/arrive").status_code == 409


def test_a_wrong_visit_flag_is_422(api_as, agent, synced_2026):
    ticket = receive(agent, received_at=RECEIVED, priority="P3")
    response = api_as(agent).post(f"/api/v1/tickets/{ticket.number}/actions/accept",
                                  {"visit_needed": "perhaps"})
    assert response.status_code == 422
    assert "visit_needed" in response.json()["error"]["fields"]
    assert visit(ticket) is None
