"""Replaying a period under a draft policy (SPEC §3): every ticket received in the period,
from its events, under the draft; per target met/breached under the draft beside what
happened — and nothing changes."""

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict

from fivestar.sla.models import SlaClock
from fivestar.sla.policies import PolicySpec, TargetSpec, validate_policy
from fivestar.sla.simulation import replay_draft
from fivestar.tickets.models import Ticket, TicketEvent
from tests.conftest import make_user
from tests.sla.calendars import cn
from tests.sla.flow import accept, assign, receive, reply, resolve, start

pytestmark = pytest.mark.django_db

MONDAY = cn(2026, 3, 2, 10, 0)


def handled(agent, technician, now, *, received, hours_to_resolve, phone, progress_at=()):
    """A P2 ticket worked through the real services, resolved ``hours_to_resolve`` after it
    was received, with public progress replies at the given hours."""
    now.set(received + timedelta(minutes=1))
    ticket = receive(agent, received_at=received, priority="P2", phone=phone)
    now.set(received + timedelta(minutes=5))
    reply(ticket, agent)
    accept(ticket, agent)
    assign(ticket, agent, technician)
    start(ticket, technician)
    for hours in progress_at:
        now.set(received + timedelta(hours=hours))
        reply(ticket, technician)
    now.set(received + timedelta(hours=hours_to_resolve))
    resolve(ticket, technician)
    return ticket


@pytest.fixture
def period(agent, technician, standard, now):
    quick = handled(agent, technician, now, received=MONDAY, hours_to_resolve=10,
                    phone="13812340001", progress_at=(4,))
    slow = handled(agent, technician, now, received=MONDAY + timedelta(hours=1),
                   hours_to_resolve=30, phone="13812340002", progress_at=(5, 12))
    outside = handled(agent, technician, now, received=MONDAY + timedelta(days=10),
                      hours_to_resolve=1, phone="13812340003")
    now.set(MONDAY + timedelta(days=20))
    return {"quick": quick, "slow": slow, "outside": outside}


def draft(**hours) -> dict:
    resolve_hours, update_hours = hours.get("resolve", 8), hours.get("update", 6)
    return {
        "priority": "P2",
        "targets": [
            {"name": "resolve", "duration": f"PT{resolve_hours}H", "start_event": "created",
             "stop_events": ["resolve"]},
            {"name": "update", "duration": f"PT{update_hours}H", "start_event": "start",
             "stop_events": ["staff_reply", "resolve"],
             "restart_events": ["staff_reply", "reopened"]},
        ],
    }


def everything() -> list:
    return [
        [(c.pk, model_to_dict(c)) for c in SlaClock.objects.order_by("pk")],
        sorted((t.pk, t.status, t.next_due_at, t.updated_at) for t in Ticket.objects.all()),
        TicketEvent.objects.count(),
    ]


def test_the_draft_beside_what_happened_and_nothing_changes(api_as, period):
    admin = make_user("admin-p", "administrator")
    before = everything()
    response = api_as(admin).post("/api/v1/sla/replay", {
        "policy": draft(resolve=8, update=6),
        "from": "2026-03-02T00:00:00+08:00", "to": "2026-03-09T00:00:00+08:00",
    })
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["tickets"] == 2  # the third one was received after the period
    # Actually (P2: 24 h) the quick ticket met its resolve deadline, the slow one did not;
    # under an 8-hour draft both would have been late.
    assert body["targets"]["resolve"] == {
        "draft": {"met": 0, "breached": 2, "open": 0, "cancelled": 0},
        "actual": {"met": 1, "breached": 1, "open": 0, "cancelled": 0},
    }
    # Update windows of 6 h: quick 0→4 (met), 4→10 (met); slow 0→5 (met), 5→12 (breached
    # at 11), 12→30 (breached at 18). The draft's targets are the only ones counted for it.
    assert body["targets"]["update"]["draft"] == {"met": 3, "breached": 2, "open": 0,
                                                  "cancelled": 0}
    assert body["targets"]["update"]["actual"] == body["targets"]["update"]["draft"]
    assert body["targets"]["first_response"]["draft"] == {"met": 0, "breached": 0, "open": 0,
                                                          "cancelled": 0}
    assert body["targets"]["first_response"]["actual"]["met"] == 2
    assert everything() == before


def test_a_generous_draft_meets_everything(period):
    spec = validate_policy(PolicySpec(name="宽松", order=0, priority="P2", targets=[
        TargetSpec(name="resolve", duration=timedelta(hours=48), start_event="created",
                   stop_events=["resolve"])]))
    result = replay_draft(spec=spec, period_from=MONDAY - timedelta(days=1),
                          period_to=MONDAY + timedelta(days=30)).as_dict()
    assert result["tickets"] == 3
    assert result["targets"]["resolve"]["draft"] == {"met": 3, "breached": 0, "open": 0,
                                                     "cancelled": 0}


def test_a_ticket_still_open_counts_as_open_until_late(agent, standard, now):
    receive(agent, received_at=MONDAY, priority="P2")
    now.set(MONDAY + timedelta(hours=6))
    spec = validate_policy(PolicySpec(name="d", order=0, targets=[
        TargetSpec(name="resolve", duration=timedelta(hours=8), start_event="created",
                   stop_events=["resolve"])]))
    window = {"period_from": MONDAY - timedelta(hours=1), "period_to": MONDAY + timedelta(1)}
    early = replay_draft(spec=spec, now=MONDAY + timedelta(hours=6), **window).as_dict()
    late = replay_draft(spec=spec, now=MONDAY + timedelta(hours=9), **window).as_dict()
    assert early["targets"]["resolve"]["draft"]["open"] == 1
    assert late["targets"]["resolve"]["draft"]["breached"] == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"policy": {"targets": [{"name": "update", "duration": "PT6H", "start_event": "start",
                              "stop_events": ["resolve"]}]}}, "policy.targets"),
    ({"policy": {"targets": [{"name": "resolve", "duration": "-PT6H",
                              "start_event": "created", "stop_events": ["resolve"]}]}},
     "policy.targets[0].duration"),
    ({"to": "2026-03-01T00:00:00+08:00"}, "to"),
    ({"to": "2027-06-01T00:00:00+08:00"}, "to"),
    ({"from": None}, "from"),
    ({"from": "2026-03-02T00:00:00"}, "from"),
])
def test_bad_requests_are_422(api_as, standard, body, field):
    admin = make_user("admin-q", "administrator")
    request = {"policy": draft(), "from": "2026-03-02T00:00:00+08:00",
               "to": "2026-03-09T00:00:00+08:00", **body}
    request = {name: value for name, value in request.items() if value is not None}
    response = api_as(admin).post("/api/v1/sla/replay", request)
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]


def test_only_administrators_replay(api_as, agent):
    response = api_as(agent).post("/api/v1/sla/replay", {
        "policy": draft(), "from": "2026-03-02T00:00:00+08:00",
        "to": "2026-03-09T00:00:00+08:00"})
    assert response.status_code == 403
