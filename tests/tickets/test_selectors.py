"""Who sees which tickets (SPEC §9): staff by role, technicians their work, customers their own."""

import pytest
from django.contrib.auth.models import AnonymousUser

from fivestar.core.errors import NotFound
from fivestar.tickets.selectors import (
    TicketFilters,
    filtered_tickets,
    ticket_for_user,
    visible_tickets,
)
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


# --- filtering and search: one rule for every list ---------------------------------------------


@pytest.fixture
def searchable(db):
    """Three customers whose phones share digits in different places, each with a ticket."""
    wang = CustomerFactory(name="王晓明", phone="+8613812345678")
    li = CustomerFactory(name="李丽娟", phone="+8613900005678")
    zhao = CustomerFactory(name="赵海燕", phone="+8613712340000")
    return {
        "wang": TicketFactory(customer=wang, number="SR-20260301-000001", title="洗衣机漏水",
                              description="洗衣时底部漏水。"),
        "li": TicketFactory(customer=li, number="SR-20260301-000002", title="电视黑屏",
                            description="有声音没有画面。"),
        "zhao": TicketFactory(customer=zhao, number="SR-20260302-000003", title="空调不制冷",
                              description="室外机在转，出风不凉，墙角也漏水。"),
    }


@pytest.mark.parametrize(("q", "expected"), [
    # A phone, however it is spelt, matches the whole normalised number.
    ("138 1234 5678", {"wang"}),
    ("+86 138-1234-5678", {"wang"}),
    ("（138）12345678", {"wang"}),
    # Four digits are the end of a phone, and only the end.
    ("5678", {"wang", "li"}),
    ("0000", {"zhao"}),
    ("1234", set()),
    # Digits inside a phone (neither the whole number nor its last four) match no phone.
    ("12345", set()),
    ("13812345", set()),
    # Text: the number, the title, the description, the customer's name.
    ("SR-20260301", {"wang", "li"}),
    ("sr-20260302-000003", {"zhao"}),
    ("黑屏", {"li"}),
    ("漏水", {"wang", "zhao"}),
    ("不制冷", {"zhao"}),
    ("丽娟", {"li"}),
    ("  ", {"wang", "li", "zhao"}),
])
def test_one_search_rule(searchable, agent, q, expected):
    found = filtered_tickets(user=agent, filters=TicketFilters(q=q))

    assert set(found.values_list("number", flat=True)) == {
        searchable[key].number for key in expected
    }
