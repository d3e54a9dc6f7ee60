"""Who sees which tickets (SPEC §9): staff by role, technicians their work, customers their own."""

import pytest
from django.contrib.auth.models import AnonymousUser

from fivestar.core.errors import NotFound
from fivestar.tickets.selectors import ticket_for_user, visible_tickets
from tests.factories import CustomerFactory, OutletFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def outlet():
    return OutletFactory()


@pytest.fixture
def tickets(outlet, technician, senior_technician):
    """One ticket per reason to see it, plus one nobody in particular owns."""
    portal_user = UserFactory(username="cust-portal", roles=["customer"])
    return {
        "assigned": TicketFactory(assignee=technician),
        "pending": TicketFactory(pending_assignee=senior_technician),
        "outlet": TicketFactory(outlet=outlet),
        "own": TicketFactory(customer=CustomerFactory(user=portal_user)),
        "other": TicketFactory(),
        "portal_user": portal_user,
    }


def numbers(user) -> set[str]:
    return set(visible_tickets(user=user).values_list("number", flat=True))


def names(tickets, *keys) -> set[str]:
    return {tickets[key].number for key in keys}


@pytest.mark.parametrize("role", ["agent", "supervisor", "manager", "administrator",
                                  "quality_auditor"])
def test_front_office_and_management_see_all(tickets, role):
    user = UserFactory(username=f"u-{role}", roles=[role])

    assert numbers(user) == names(tickets, "assigned", "pending", "outlet", "own", "other")


def test_a_technician_sees_assigned_and_outlet_tickets(tickets, technician, outlet):
    technician.outlet = outlet
    technician.save()

    assert numbers(technician) == names(tickets, "assigned", "outlet")


def test_a_technician_without_an_outlet_sees_only_their_work(tickets, technician):
    assert numbers(technician) == names(tickets, "assigned")


def test_a_proposed_p1_assignee_sees_the_ticket_awaiting_approval(tickets, senior_technician):
    assert numbers(senior_technician) == names(tickets, "pending")


def test_a_customer_sees_only_their_own(tickets):
    assert numbers(tickets["portal_user"]) == names(tickets, "own")


def test_a_user_without_roles_sees_nothing(tickets):
    assert numbers(UserFactory(username="nobody")) == set()


def test_inactive_and_anonymous_users_see_nothing(tickets, agent):
    agent.is_active = False
    agent.save()

    assert numbers(agent) == set()
    assert not visible_tickets(user=AnonymousUser()).exists()


def test_ticket_for_user_returns_a_visible_ticket(tickets, technician):
    ticket = ticket_for_user(number=tickets["assigned"].number, user=technician)

    assert ticket.pk == tickets["assigned"].pk


@pytest.mark.parametrize("key", ["other", "own", "outlet"])
def test_an_invisible_ticket_is_not_found(tickets, technician, key):
    with pytest.raises(NotFound):
        ticket_for_user(number=tickets[key].number, user=technician)


def test_another_customers_ticket_is_not_found(tickets):
    with pytest.raises(NotFound):
        ticket_for_user(number=tickets["other"].number, user=tickets["portal_user"])


def test_an_unknown_number_is_not_found(agent):
    with pytest.raises(NotFound):
        ticket_for_user(number="SR-20990101-000001", user=agent)
