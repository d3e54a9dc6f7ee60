"""Races between real concurrent database connections (SPEC §2: one ticket per request, unique
numbers, no duplicate customers; §5: one change at a time).

Each thread opens its own connection and closes it when done. They run on PostgreSQL, and on
SQLite when the test database is a file (``FIVESTAR_TEST_SQLITE=/tmp/fivestar-test.sqlite3``);
an in-memory SQLite database is one shared connection, so there they are skipped.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from fivestar.core.errors import Conflict
from fivestar.customers.models import Customer
from fivestar.customers.services import CustomerDetails
from fivestar.tickets.models import IdempotencyKey, Status, Ticket, TicketEvent
from fivestar.tickets.services import (
    Actor,
    Resolution,
    TicketRequest,
    accept_ticket,
    cancel_ticket,
    create_ticket,
    resolve_ticket,
    transitions,
)
from tests.factories import TicketFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

THREAD_TIMEOUT = 60


@pytest.fixture(autouse=True)
def _concurrent_database(transactional_db):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite is one shared connection: use PostgreSQL or set "
                    "FIVESTAR_TEST_SQLITE to a file")


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released at the same moment; return each result or
    the exception it raised."""
    barrier = threading.Barrier(count, timeout=THREAD_TIMEOUT)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            connection.ensure_connection()  # connect first, so the start line is the barrier
            barrier.wait()
            results[index] = work(index)
        except BaseException as exc:  # handed back to the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


@pytest.fixture
def slow_state_check(monkeypatch):
    """Widen the window between reading the ticket and writing it: without the row lock both
    racers would read the old state and both would apply."""
    check = transitions.check_action

    def slow_check(**kwargs):
        check(**kwargs)
        time.sleep(0.3)

    monkeypatch.setattr(transitions, "check_action", slow_check)


def request(phone: str, description: str = "空调不制冷") -> TicketRequest:
    return TicketRequest(channel="phone", type="repair", description=description,
                         customer=CustomerDetails(name="张三", phone=phone))


@pytest.mark.usefixtures("slow_state_check")
class TestTransitionRaces:
    def test_two_different_transitions_one_applies(self, agent, technician):
        ticket = TicketFactory(status=Status.IN_PROGRESS, assignee=technician)
        moves = [
            lambda: resolve_ticket(ticket=Ticket.objects.get(pk=ticket.pk),
                                   actor=Actor(user=technician),
                                   record=Resolution(resolution="已修复")),
            lambda: cancel_ticket(ticket=Ticket.objects.get(pk=ticket.pk),
                                  actor=Actor(user=agent), reason="客户取消"),
        ]

        results = run_together(2, lambda i: moves[i]())

        applied = [r for r in results if isinstance(r, Ticket)]
        refused = [r for r in results if isinstance(r, Conflict)]
        assert (len(applied), len(refused)) == (1, 1), results
        ticket.refresh_from_db()
        assert ticket.status == applied[0].status
        assert ticket.status in {Status.RESOLVED, Status.CANCELLED}
        assert TicketEvent.objects.filter(ticket=ticket).count() == 1

    def test_the_same_transition_twice_applies_once(self, agent, supervisor):
        ticket = TicketFactory(status=Status.NEW)
        actors = [agent, supervisor]

        results = run_together(2, lambda i: accept_ticket(
            ticket=Ticket.objects.get(pk=ticket.pk), actor=Actor(user=actors[i])))

        assert sum(isinstance(r, Ticket) for r in results) == 1, results
        assert sum(isinstance(r, Conflict) for r in results) == 1, results
        ticket.refresh_from_db()
        assert ticket.status == Status.ACCEPTED
        assert TicketEvent.objects.filter(ticket=ticket, action="accept").count() == 1


def test_concurrent_intakes_get_distinct_numbers(agent):
    count = 20

    results = run_together(count, lambda i: create_ticket(
        request=request(f"139{i:08d}"), actor=agent).ticket.number)

    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    assert len(set(results)) == count
    assert Ticket.objects.count() == count
    sequence = sorted(int(number[-6:]) for number in results)
    assert sequence == list(range(sequence[0], sequence[0] + count))


def test_concurrent_intakes_for_one_new_number_make_one_customer(agent):
    count = 10

    results = run_together(count, lambda i: create_ticket(
        request=request("13812345678", description=f"问题 {i}"), actor=agent).ticket)

    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    assert Customer.objects.count() == 1
    customer = Customer.objects.get()
    assert customer.phone == "+8613812345678"
    assert Ticket.objects.filter(customer=customer).count() == count


def test_concurrent_requests_with_one_idempotency_key_make_one_ticket(agent):
    count = 8

    results = run_together(count, lambda i: create_ticket(
        request=request("13812345678"), actor=agent, idempotency_key="retry-1"))

    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    assert Ticket.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
    assert {intake.ticket.pk for intake in results} == {Ticket.objects.get().pk}
    assert sum(intake.created for intake in results) == 1
    assert TicketEvent.objects.filter(action="created").count() == 1
