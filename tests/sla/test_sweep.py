"""The SLA sweep (SPEC §3): warning at 80 % of the allowed time, breach at the deadline,
escalation assignee → supervisor → manager through the outbox, each message once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from fivestar.accounts.models import Department
from fivestar.core import periodic
from fivestar.notifications.models import OutboxMessage
from fivestar.sla import sweep
from fivestar.sla.models import ClockState, SlaClock
from fivestar.sla.sweep import sla_sweep
from fivestar.tickets.models import Ticket
from fivestar.tickets.selectors import ticket_deadlines
from tests.conftest import make_user
from tests.sla.calendars import cn
from tests.sla.flow import Now, accept, assign, receive, resolve, start

RECEIVED = cn(2026, 3, 2, 10, 0)


@pytest.fixture
def now(monkeypatch) -> Now:
    return Now(monkeypatch)


@pytest.fixture
def people(db):
    tech = make_user("tech-s", "technician", email="tech@example.com")
    boss = make_user("boss-s", "supervisor", email="boss@example.com")
    head = make_user("head-s", "manager", email="head@example.com")
    department = Department.objects.create(code="repair-s", name="维修部", supervisor=boss,
                                           manager=head)
    return {"tech": tech, "boss": boss, "head": head, "department": department}


@pytest.fixture
def ticket(db, agent, people, now, standard):
    """A P2 ticket (24×7: resolve in 24 h) accepted and assigned at 10:05."""
    ticket = receive(agent, received_at=RECEIVED, priority="P2")
    Ticket.objects.filter(pk=ticket.pk).update(department=people["department"])
    now.set(RECEIVED + timedelta(minutes=5))
    accept(ticket, agent)
    assign(ticket, agent, people["tech"])
    return ticket


def resolve_clock(ticket) -> SlaClock:
    return SlaClock.objects.get(ticket=ticket, name="resolve")


def sent(clock, step: str) -> list[str]:
    """Who was mailed the clock's warnings, or its ticket's breach notices (one per ticket and
    escalation level, whichever clocks breached)."""
    if step == "breach":
        mails = OutboxMessage.objects.filter(about_id=clock.ticket_id,
                                             dedupe_key__startswith=f"sla:ticket:{clock.ticket_id}:")
    else:
        mails = OutboxMessage.objects.filter(dedupe_key__startswith=f"sla:{clock.pk}:{step}")
    return list(mails.order_by("id").values_list("recipient", flat=True))


pytestmark = pytest.mark.django_db


def test_the_sweep_is_registered_every_minute():
    jobs = {job.name: job for job in periodic.registered()}
    assert jobs["sla.sweep"].every_seconds == 60


def test_warning_at_80_percent_once(ticket):
    clock = resolve_clock(ticket)
    assert clock.warn_at == RECEIVED + timedelta(hours=24 * 0.8)
    sla_sweep(now=clock.warn_at - timedelta(seconds=1))
    assert sent(clock, "warning") == []
    assert resolve_clock(ticket).warned_at is None
    sla_sweep(now=clock.warn_at)
    sla_sweep(now=clock.warn_at + timedelta(minutes=1))
    assert sent(clock, "warning") == ["tech@example.com"]
    assert resolve_clock(ticket).warned_at == clock.warn_at


def test_breach_then_escalation_to_supervisor_then_manager(ticket):
    clock = resolve_clock(ticket)
    due = clock.due_at
    assert ticket_deadlines(ticket=ticket)["resolve"]["breached"] is False
    result = sla_sweep(now=due)
    assert result["breached"] >= 1
    clock = resolve_clock(ticket)
    assert (clock.state, clock.breached_at, clock.escalation_level) == (
        ClockState.BREACHED, due, 1)
    assert sent(clock, "breach") == ["tech@example.com"]
    assert ticket_deadlines(ticket=ticket)["resolve"] == {
        "due_at": due, "met_at": None, "state": "breached", "breached": True,
        "calendar_unconfirmed": False}
    sla_sweep(now=due + timedelta(minutes=29))
    assert sent(clock, "breach") == ["tech@example.com"]
    sla_sweep(now=due + timedelta(minutes=30))
    assert sent(clock, "breach") == ["tech@example.com", "boss@example.com"]
    sla_sweep(now=due + timedelta(minutes=60))
    sla_sweep(now=due + timedelta(minutes=90))
    sla_sweep(now=due + timedelta(hours=5))
    assert sent(clock, "breach") == ["tech@example.com", "boss@example.com", "head@example.com"]
    assert resolve_clock(ticket).escalate_at is None
    # Still counting toward the queue: the breached ticket stays first in line.
    assert Ticket.objects.get(pk=ticket.pk).next_due_at <= due


def test_met_after_a_breach_stops_the_escalation(ticket, people, now):
    clock = resolve_clock(ticket)
    sla_sweep(now=clock.due_at)
    now.set(clock.due_at + timedelta(minutes=10))
    start(ticket, people["tech"])
    resolve(ticket, people["tech"])
    sla_sweep(now=clock.due_at + timedelta(hours=2))
    clock = resolve_clock(ticket)
    assert clock.state == ClockState.BREACHED and clock.met_at is not None
    assert sent(clock, "breach") == ["tech@example.com"]


def test_without_an_assignee_the_breach_goes_to_the_supervisor(agent, people, standard):
    ticket = receive(agent, received_at=RECEIVED, priority="P2")
    Ticket.objects.filter(pk=ticket.pk).update(department=people["department"])
    clock = resolve_clock(ticket)
    sla_sweep(now=clock.due_at)
    assert sent(clock, "breach") == ["boss@example.com"]
    assert resolve_clock(ticket).escalation_level == 2


def test_a_failing_notification_rolls_back_only_its_own_clock(ticket, monkeypatch):
    clock = resolve_clock(ticket)
    real = sweep._notify

    def notify(failing, **kwargs):
        if failing.name == "resolve":
            raise RuntimeError("boom")
        real(failing, **kwargs)

    monkeypatch.setattr(sweep, "_notify", notify)
    sla_sweep(now=clock.due_at)
    assert resolve_clock(ticket).state == ClockState.RUNNING  # rolled back, retried next pass
    assert SlaClock.objects.get(ticket=ticket, name="first_response").state == "breached"
    monkeypatch.setattr(sweep, "_notify", real)
    sla_sweep(now=clock.due_at)
    assert resolve_clock(ticket).state == ClockState.BREACHED


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_notify_once(reseeded, agent, people, now):
    tickets = [receive(agent, received_at=RECEIVED, priority="P2", phone=f"1381234{i:04d}")
               for i in range(30)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
        department=people["department"])
    moment = resolve_clock(tickets[0]).due_at + timedelta(minutes=1)
    barrier = threading.Barrier(2, timeout=60)
    errors: list[BaseException] = []

    def work():
        try:
            barrier.wait()
            sla_sweep(now=moment, batch=7)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    keys = list(OutboxMessage.objects.filter(dedupe_key__startswith="sla:")
                .values_list("dedupe_key", flat=True))
    assert len(keys) == len(set(keys))
    # Every ticket: first_response, acceptance, respond and resolve breached together, told
    # once in one notice, whichever worker breached which of its clocks.
    assert len(keys) == 30
    for subject in OutboxMessage.objects.filter(dedupe_key__startswith="sla:").values_list(
            "subject", flat=True):
        assert all(label in subject for label in ("首次响应", "受理评估", "开始处理", "解决"))
    assert SlaClock.objects.filter(state=ClockState.BREACHED, escalation_level=2).count() == 120
