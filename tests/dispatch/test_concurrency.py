"""Races on one quote between real concurrent database connections (SPEC §4, §5: one change at
a time): the customer accepts on the portal while an agent withdraws — exactly one applies.

Each thread opens its own connection and closes it when done. They run on PostgreSQL, and on
SQLite when the test database is a file (``FIVESTAR_TEST_SQLITE=/tmp/fivestar-test.sqlite3``);
an in-memory SQLite database is one shared connection, so there they are skipped.
"""

import time

import pytest
from django.db import connection

from fivestar.core.errors import Conflict
from fivestar.dispatch.models import DecisionChannel, Quote, QuoteStatus
from fivestar.dispatch.services import (
    accept_quote,
    decline_quote,
    propose_quote,
    quotes,
    withdraw_quote,
)
from fivestar.tickets.models import Status, Ticket, TicketEvent
from fivestar.tickets.services import Actor
from tests.factories import TicketFactory
from tests.tickets.test_concurrency import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def _concurrent_database(transactional_db):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite is one shared connection: use PostgreSQL or set "
                    "FIVESTAR_TEST_SQLITE to a file")


@pytest.fixture
def slow_state_check(monkeypatch):
    """Widen the window between reading the quote and writing it: without the row locks both
    racers would read "proposed" and both would apply."""
    check = quotes._check_proposed

    def slow_check(quote):
        check(quote)
        time.sleep(0.3)

    monkeypatch.setattr(quotes, "_check_proposed", slow_check)


def proposed(technician) -> Quote:
    ticket = TicketFactory(status=Status.IN_PROGRESS, assignee=technician)
    return propose_quote(ticket=ticket, actor=Actor(user=technician), labour_fen=10000,
                         parts_fen=20000, note="更换主板")


def fresh(quote: Quote) -> Quote:
    return Quote.objects.select_related("ticket").get(pk=quote.pk)


@pytest.mark.usefixtures("slow_state_check")
def test_customer_accepts_while_staff_withdraws_exactly_one_applies(technician, agent):
    quote = proposed(technician)
    ticket = quote.ticket
    before = TicketEvent.objects.filter(ticket=ticket).count()
    moves = [
        lambda: accept_quote(quote=fresh(quote), actor=Actor(user=None, as_customer=True),
                             via=DecisionChannel.PORTAL),
        lambda: withdraw_quote(quote=fresh(quote), actor=Actor(user=agent)),
    ]

    results = run_together(2, lambda i: moves[i]())

    applied = [r for r in results if isinstance(r, Quote)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(applied), len(refused)) == (1, 1), results
    assert refused[0].code == "quote_not_proposed"
    quote.refresh_from_db()
    assert quote.status == applied[0].status
    assert quote.status in (QuoteStatus.ACCEPTED, QuoteStatus.WITHDRAWN)
    # One decision event and the ticket's resume: nothing from the loser.
    actions = list(TicketEvent.objects.filter(ticket=ticket).order_by("id")
                   .values_list("action", flat=True))[before:]
    assert len(actions) == 2 and actions[1] == "resume", actions
    assert actions[0] in ("quote_accepted", "quote_withdrawn")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS


@pytest.mark.usefixtures("slow_state_check")
def test_accept_and_decline_at_once_record_one_answer(technician, agent):
    quote = proposed(technician)
    moves = [
        lambda: accept_quote(quote=fresh(quote), actor=Actor(user=agent),
                             via=DecisionChannel.PHONE),
        lambda: decline_quote(quote=fresh(quote), actor=Actor(user=None, as_customer=True),
                              via=DecisionChannel.PORTAL, reason="太贵"),
    ]

    results = run_together(2, lambda i: moves[i]())

    assert sum(isinstance(r, Quote) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    decided = TicketEvent.objects.filter(
        ticket=quote.ticket, action__in=("quote_accepted", "quote_declined"))
    assert decided.count() == 1


def test_two_proposals_at_once_leave_one_open_quote(technician, supervisor):
    ticket = TicketFactory(status=Status.ASSIGNED, assignee=technician)
    people = [technician, supervisor]

    results = run_together(2, lambda i: propose_quote(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=Actor(user=people[i]),
        labour_fen=1000 * (i + 1), note="检修"))

    assert sum(isinstance(r, Quote) for r in results) == 1, results
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1 and conflicts[0].code == "quote_already_open"
    assert Quote.objects.filter(ticket=ticket, status=QuoteStatus.PROPOSED).count() == 1
