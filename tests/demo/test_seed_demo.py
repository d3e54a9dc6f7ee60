"""The demo data set: complete, made through the services at its historical moments, plausible,
idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from fivestar.accounts.models import Department, Outlet, RoleCode, User
from fivestar.customers.models import Customer
from fivestar.demo import data
from fivestar.demo.seed import seed_demo
from fivestar.dispatch.models import Quote, QuoteStatus
from fivestar.notifications.models import OutboxMessage, OutboxStatus
from fivestar.products.models import ProductLine, Unit
from fivestar.sla.models import ClockState, SlaClock
from fivestar.tickets.models import (
    OPEN_STATUSES,
    Channel,
    Reply,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "customers": Customer.objects.count(),
        "units": Unit.objects.count(),
        "tickets": Ticket.objects.count(),
        "events": TicketEvent.objects.count(),
        "replies": Reply.objects.count(),
        "outlets": Outlet.objects.count(),
    }


def test_seed_twice_creates_the_whole_data_set_once():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "tickets 300" in out.getvalue()
    first = _counts()

    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "未做改动" in out.getvalue()
    assert _counts() == first

    tickets = Ticket.objects.all()
    assert first["tickets"] == 300
    assert first["customers"] == 60
    assert set(tickets.values_list("status", flat=True)) == set(Status.values)
    assert set(tickets.values_list("type", flat=True)) == set(TicketType.values)
    assert set(tickets.values_list("channel", flat=True)) == set(Channel.values)
    # Every state got there through the services: each ticket has its created event first
    # and one event per transition.
    assert TicketEvent.objects.filter(action="created").count() == 300
    assert first["events"] > 5 * 300

    # The organisation: every role held, every department headed, three outlets with areas.
    held = set(User.objects.values_list("roles__code", flat=True))
    assert held >= set(RoleCode.values)
    assert not Department.objects.filter(supervisor=None).exists()
    assert not Department.objects.filter(manager=None).exists()
    assert first["outlets"] == 3
    assert all(outlet.coverage.exists() for outlet in Outlet.objects.all())
    assert ProductLine.objects.count() == 5
    assert Customer.objects.filter(user__username="customer").exists()
    # A visitor signing in to the portal as the demo customer finds a quote to answer.
    assert Quote.objects.filter(ticket__customer__user__username="customer",
                                status=QuoteStatus.PROPOSED).exists()
    _assert_a_centre_that_keeps_most_promises()
    _assert_faults_fit_the_products()
    # What the history queued was delivered then: the worker sends nobody anything today.
    assert OutboxMessage.objects.exists()
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()


def _assert_a_centre_that_keeps_most_promises():
    """SPEC §3 clocks, run by the services at the history's moments: most targets met, a few
    warnings and breaches for a supervisor to chase, not a centre in collapse."""
    concluded = SlaClock.objects.filter(state__in=(ClockState.MET, ClockState.BREACHED))
    met = concluded.filter(state=ClockState.MET).count()
    assert met >= 0.9 * concluded.count()
    open_tickets = Ticket.objects.filter(status__in=OPEN_STATUSES)
    breached_open = open_tickets.filter(sla_clocks__state=ClockState.BREACHED).distinct().count()
    assert 1 <= breached_open <= 0.25 * open_tickets.count()
    assert SlaClock.objects.filter(state=ClockState.RUNNING).exists()


def _assert_faults_fit_the_products():
    restricted = {p.title: p.models for line in data.PRODUCT_LINES for p in line.problems
                  if p.models}
    for title, model in Ticket.objects.filter(
            title__in=restricted).values_list("title", "unit__product_model__code"):
        assert model in restricted[title], (title, model)


def test_history_is_back_dated_consistently():
    now = timezone.now()
    seed_demo(tickets=60, now=now)
    tickets = list(Ticket.objects.prefetch_related("events"))
    assert len(tickets) == 60
    oldest = min(ticket.received_at for ticket in tickets)
    assert (now - oldest).days >= 30  # spread over the last weeks, not all "today"
    for ticket in tickets:
        # Numbered for the day it was recorded (a call at 23:58 logged at 00:01 is the next's).
        local_day = timezone.localtime(ticket.created_at).strftime("%Y%m%d")
        assert ticket.number.startswith(f"SR-{local_day}-")
        moments = [event.at for event in ticket.events.all()]
        assert moments == sorted(moments)
        assert ticket.received_at <= moments[0] and moments[-1] <= now
        for name in ("accepted_at", "first_response_at", "resolved_at", "closed_at"):
            value = getattr(ticket, name)
            assert value is None or ticket.received_at <= value <= now, (ticket.number, name)
        if ticket.status == Status.CLOSED:
            assert ticket.closed_at == max(e.at for e in ticket.events.all()
                                           if e.to_status == Status.CLOSED)
    # Today's counter is back where intake left it: the next ticket today follows the demo's.
    today = timezone.localdate()
    numbers = Ticket.objects.filter(number__startswith=f"SR-{today:%Y%m%d}-")
    from fivestar.tickets.numbering import allocate_ticket_number

    expected = numbers.count() + 1
    assert allocate_ticket_number() == f"SR-{today:%Y%m%d}-{expected:06d}"


def test_seed_refuses_real_gateways_without_force(settings):
    settings.SMS_BACKEND = "fivestar.notifications.sms.HttpSmsBackend"
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", "--tickets", "0", stdout=StringIO())
    call_command("seed_demo", "--tickets", "0", "--force", stdout=StringIO())
    assert Customer.objects.count() == 60
    assert not Ticket.objects.exists()
