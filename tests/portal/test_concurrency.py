"""Portal limits under concurrent requests, each on its own database connection (issue 18
item 14: ten simultaneous submissions for one phone made seven tickets against a limit of five;
twenty simultaneous guesses compared ten against one code whose limit is five)."""

import threading

import pytest
from django.db import connection

from fivestar.customers.services import CustomerDetails
from fivestar.portal import services
from fivestar.portal.models import CodePurpose
from fivestar.portal.services import (
    CODE_MAX_ATTEMPTS,
    TooManyRequests,
    send_follow_code,
    submit_request,
    verify_follow_code,
)
from fivestar.tickets.models import Status, Ticket
from fivestar.tickets.services import TicketRequest
from tests.factories import CustomerFactory, TicketFactory
from tests.portal.conftest import code_sent_to
from tests.tickets.test_concurrency import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only,
              pytest.mark.usefixtures("reseeded")]


@pytest.fixture(autouse=True)
def _concurrent_database(transactional_db):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite is one shared connection: use PostgreSQL or set "
                    "FIVESTAR_TEST_SQLITE to a file")


def test_ten_simultaneous_submissions_for_one_phone_make_at_most_the_limit(settings):
    settings.PORTAL_SUBMIT_LIMIT_PER_PHONE = 5

    def submit(index: int):
        return submit_request(
            request=TicketRequest(channel="web", type="repair",
                                  customer=CustomerDetails(name="赵女士", phone="13900001234"),
                                  description=f"洗衣机不脱水（第 {index} 次）"),
            uploads=[], token=f"token-{index}", address=f"10.0.0.{index}")

    results = run_together(10, submit)

    made = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, TooManyRequests)]
    assert len(made) == 5 and len(refused) == 5, results
    assert Ticket.objects.count() == 5


def test_twenty_simultaneous_guesses_compare_at_most_the_code_s_tries(monkeypatch):
    ticket = TicketFactory(status=Status.IN_PROGRESS,
                           customer=CustomerFactory(phone="+8613812345678"))
    send_follow_code(purpose=CodePurpose.TICKET, number=ticket.number, phone="13812345678",
                     address="a")
    real = code_sent_to("+8613812345678")
    guesses = [g for g in (f"{n:06d}" for n in range(21)) if g != real][:20]
    compared = []
    lock = threading.Lock()
    real_compare = services.constant_time_compare

    def counting_compare(a, b):
        if b != "0" * 64:  # the decoy on the refusal path compares nothing real
            with lock:
                compared.append(b)
        return real_compare(a, b)

    monkeypatch.setattr(services, "constant_time_compare", counting_compare)

    results = run_together(20, lambda i: verify_follow_code(
        purpose=CodePurpose.TICKET, number=ticket.number, phone="13812345678",
        code=guesses[i], address=f"10.0.1.{i}"))

    assert all(isinstance(r, Exception) for r in results)
    assert len(compared) <= CODE_MAX_ATTEMPTS
