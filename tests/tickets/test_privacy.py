"""Revealing a customer's contact details (SPEC §9): only for those who need it, always logged."""

import pytest

from fivestar.core.errors import NotFound, PermissionDenied, ValidationFailed
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


def test_every_reveal_is_logged_again(ticket, agent):
    reveal_customer_contact(ticket=ticket, user=agent, field="address")
    reveal_customer_contact(ticket=ticket, user=agent, field="address")

    assert TicketEvent.objects.filter(ticket=ticket, action="contact_revealed").count() == 2


def test_an_empty_field_reveals_and_logs_nothing(ticket, agent):
    assert reveal_customer_contact(ticket=ticket, user=agent, field="email") == ""
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_a_role_that_does_not_contact_customers_is_refused(ticket):
    auditor = make_user("qa1", "quality_auditor")

    with pytest.raises(PermissionDenied):
        reveal_customer_contact(ticket=ticket, user=auditor, field="phone")
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_a_ticket_the_user_cannot_see_is_not_found(ticket, technician):
    # Technicians see only their own and their outlet's tickets.
    with pytest.raises(NotFound):
        reveal_customer_contact(ticket=ticket, user=technician, field="phone")
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_only_contact_fields_can_be_revealed(ticket, agent):
    with pytest.raises(ValidationFailed):
        reveal_customer_contact(ticket=ticket, user=agent, field="name")
