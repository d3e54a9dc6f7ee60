"""The personal-data access log (SPEC §9): one row per unmasked view, written by one service."""

import pytest

from fivestar.customers.models import PersonalDataAccess
from fivestar.customers.selectors import customer_with_contact
from fivestar.customers.services import record_personal_data_access
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_one_view_is_one_row_with_who_whose_which_and_where(agent):
    customer = CustomerFactory()

    row = record_personal_data_access(
        user=agent, customer=customer, fields=["phone", "address", "phone"], source="admin",
        reference="customers.customer/1", client_address="2001:db8::1",
    )

    row.refresh_from_db()
    assert (row.user, row.customer, row.fields, row.source, row.reference) == (
        agent, customer, ["phone", "address"], "admin", "customers.customer/1")
    assert row.client_address == "2001:db8::1"
    assert row.at is not None


@pytest.mark.parametrize("address", ["", None, "unix:/run/fivestar.sock", "not an address"])
def test_an_address_the_server_did_not_give_is_left_empty(agent, address):
    row = record_personal_data_access(user=agent, customer=None, fields=["recipient"],
                                      source="admin", client_address=address)

    assert row.client_address is None


def test_nothing_seen_or_an_unknown_place_is_refused(agent):
    with pytest.raises(ValueError):
        record_personal_data_access(user=agent, customer=None, fields=[], source="admin")
    with pytest.raises(ValueError):
        record_personal_data_access(user=agent, customer=None, fields=["phone"], source="cli")
    assert not PersonalDataAccess.objects.exists()


def test_the_customer_of_a_contact_is_found_by_phone_or_email():
    customer = CustomerFactory(phone="+8613812345678", email="zhang@example.com")

    assert customer_with_contact(contact="+8613812345678") == customer
    assert customer_with_contact(contact="138 1234 5678") == customer
    assert customer_with_contact(contact="Zhang@Example.com") == customer
    assert customer_with_contact(contact="colleague@fivestar.example.com") is None
    assert customer_with_contact(contact="not a phone") is None
    assert customer_with_contact(contact="") is None
