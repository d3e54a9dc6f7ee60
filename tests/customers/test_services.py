"""match_or_create_customer: the same phone or email finds the existing customer (SPEC §2)."""

import pytest

from fivestar.core.errors import ValidationFailed
from fivestar.customers.models import Customer
from fivestar.customers.services import CustomerDetails, match_or_create_customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def match(**details) -> Customer:
    return match_or_create_customer(details=CustomerDetails(**{"name": "张三", **details}))


def test_new_customer_is_created_with_normalised_contacts():
    customer = match(phone="138-1234-5678", email="  Zhang.San@Example.COM ", address="北京市")

    customer.refresh_from_db()
    assert customer.phone == "+8613812345678"
    assert customer.email == "zhang.san@example.com"
    assert customer.name == "张三"
    assert customer.address == "北京市"


@pytest.mark.parametrize("spelling", ["13812345678", "+86 138 1234 5678", "0086-138-1234-5678"])
def test_same_phone_in_any_spelling_finds_the_existing_customer(spelling):
    first = match(phone="13812345678")

    again = match(name="张先生", phone=spelling)

    assert again.pk == first.pk
    assert Customer.objects.count() == 1


def test_same_email_finds_the_existing_customer_whatever_the_case():
    first = match(email="zhang@example.com")

    again = match(name="Zhang", email="ZHANG@Example.com")

    assert again.pk == first.pk
    assert Customer.objects.count() == 1


def test_phone_or_email_alone_is_enough_to_match():
    first = match(phone="13812345678", email="zhang@example.com")

    by_email = match(phone="13912345678", email="zhang@example.com")

    assert by_email.pk == first.pk
    assert Customer.objects.count() == 1


def test_blank_fields_are_filled_in_and_filled_ones_never_overwritten():
    existing = CustomerFactory(name="张三", phone="+8613812345678", email=None, address="")

    customer = match(name="李四", phone="13812345678", email="Zhang@Example.com",
                     address="广东省深圳市南山区")

    customer.refresh_from_db()
    assert customer.pk == existing.pk
    assert customer.name == "张三"  # filled: kept
    assert customer.phone == "+8613812345678"
    assert customer.email == "zhang@example.com"  # blank: filled in
    assert customer.address == "广东省深圳市南山区"


def test_an_address_on_file_is_not_replaced_by_the_one_in_the_request():
    CustomerFactory(phone="+8613812345678", address="北京市朝阳区建国路 1 号")

    customer = match(phone="13812345678", address="上海市浦东新区")

    customer.refresh_from_db()
    assert customer.address == "北京市朝阳区建国路 1 号"


def test_an_email_belonging_to_another_customer_is_not_copied_onto_this_one():
    CustomerFactory(phone="+8613812345678", email=None)
    other = CustomerFactory(phone="+8613912345678", email="li@example.com")

    customer = match(phone="13812345678", email="li@example.com")

    customer.refresh_from_db()
    assert customer.pk != other.pk
    assert customer.email is None
    assert Customer.objects.filter(email="li@example.com").get() == other


def test_neither_phone_nor_email_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        match(phone="", email="")

    assert "customer.phone" in caught.value.fields
    assert not Customer.objects.exists()


def test_invalid_phone_is_refused_naming_the_field():
    with pytest.raises(ValidationFailed) as caught:
        match(phone="12345")

    assert "customer.phone" in caught.value.fields
    assert not Customer.objects.exists()


def test_invalid_email_is_refused_naming_the_field():
    with pytest.raises(ValidationFailed) as caught:
        match(email="not-an-email")

    assert "customer.email" in caught.value.fields
    assert not Customer.objects.exists()


def test_new_customer_needs_a_name_but_a_known_one_does_not():
    with pytest.raises(ValidationFailed) as caught:
        match(name="  ", phone="13812345678")
    assert "customer.name" in caught.value.fields

    known = CustomerFactory(phone="+8613812345678")
    assert match(name="", phone="13812345678").pk == known.pk
