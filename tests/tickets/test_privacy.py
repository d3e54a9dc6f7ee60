"""Revealing a customer's contact details (SPEC §9): only for those who need it, always logged
in the personal-data access log, and on the ticket's timeline."""

import pytest

from fivestar.core.errors import NotFound, PermissionDenied, ValidationFailed
from fivestar.customers.models import PersonalDataAccess
from fivestar.tickets.models import TicketEvent
from fivestar.tickets.services import reveal_customer_contact
from tests.conftest import make_user
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(db):
    return TicketFactory(customer__phone="+8613812345678", customer__email=None,
                         customer__address="上海市浦东新区张杨路 100 号")


def test_reveal_returns_the_real_value_and_writes_an_event(ticket, agent):
    value = reveal_customer_contact(ticket=ticket, user=agent, field="phone")

    assert value == "+8613812345678"
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.action, event.actor, event.after["field"]) == ("contact_revealed", agent,
                                                                  "phone")


def test_reveal_is_one_row_in_the_access_log(ticket, agent):
    reveal_customer_contact(ticket=ticket, user=agent, field="address",
                            client_address="203.0.113.7")

    access = PersonalDataAccess.objects.get()
    assert (access.user, access.customer, access.fields, access.source, access.reference,
            access.client_address) == (agent, ticket.customer, ["address"], "workspace",
                                       ticket.number, "203.0.113.7")
    assert access.at is not None


def test_every_reveal_is_logged_again(ticket, agent):
    reveal_customer_contact(ticket=ticket, user=agent, field="address")
    reveal_customer_contact(ticket=ticket, user=agent, field="address")

    assert TicketEvent.objects.filter(ticket=ticket, action="contact_revealed").count() == 2
    assert PersonalDataAccess.objects.filter(customer=ticket.customer).count() == 2


def test_an_empty_field_reveals_and_logs_nothing(ticket, agent):
    assert reveal_customer_contact(ticket=ticket, user=agent, field="email") == ""
    assert not TicketEvent.objects.filter(ticket=ticket).exists()
    assert not PersonalDataAccess.objects.exists()


def test_a_role_that_does_not_contact_customers_is_refused(ticket):
    auditor = make_user("qa1", "quality_auditor")

    with pytest.raises(PermissionDenied):
        reveal_customer_contact(ticket=ticket, user=auditor, field="phone")
    assert not TicketEvent.objects.filter(ticket=ticket).exists()
    assert not PersonalDataAccess.objects.exists()


def test_a_ticket_the_user_cannot_see_is_not_found(ticket, technician):
    # Technicians see only their own and their outlet's tickets.
    with pytest.raises(NotFound):
        reveal_customer_contact(ticket=ticket, user=technician, field="phone")
    assert not TicketEvent.objects.filter(ticket=ticket).exists()
    assert not PersonalDataAccess.objects.exists()


def test_only_contact_fields_can_be_revealed(ticket, agent):
    with pytest.raises(ValidationFailed):
        reveal_customer_contact(ticket=ticket, user=agent, field="name")
