"""core.rows and core.compiled: the kept statements give what the ORM gives."""

import pytest

from fivestar.core.compiled import CompiledQuery
from fivestar.core.rows import insert, insert_all, update
from fivestar.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_insert_sets_the_key_and_a_conflict_writes_nothing():
    first = Customer(name="张三", phone="+8613812345678")
    assert insert(first, skip_conflicts=True)
    assert Customer.objects.get(pk=first.pk).name == "张三"
    assert first.created_at is not None  # the default, as save() computes it

    again = Customer(name="李四", phone="+8613812345678")
    assert not insert(again, skip_conflicts=True)
    assert again.pk is None
    assert Customer.objects.count() == 1


def test_insert_all_keeps_the_order_of_the_keys_across_statements():
    customers = [Customer(name=f"客户{i}", phone=f"+86138000000{i:02d}") for i in range(7)]
    insert_all(customers)

    assert [c.name for c in Customer.objects.order_by("pk")] == [c.name for c in customers]
    assert [c.pk for c in customers] == list(
        Customer.objects.order_by("pk").values_list("pk", flat=True))


def test_update_writes_the_columns_and_the_object():
    customer = Customer(name="张三", phone="+8613812345678")
    insert(customer)
    update(customer, name="张三丰", address="北京")

    customer.refresh_from_db()
    assert (customer.name, customer.address) == ("张三丰", "北京")


def test_a_compiled_query_answers_each_value_as_the_queryset_does():
    by_phone = CompiledQuery(lambda phone: Customer.objects.filter(phone=phone),
                             phone="\x01phone")
    for phone in ("+8613812345678", "+8613912345678"):
        Customer.objects.create(name=phone[-4:], phone=phone)

    for phone in ("+8613812345678", "+8613912345678", "+8613700000000"):
        assert by_phone.run(phone=phone) == list(Customer.objects.filter(phone=phone))


def test_a_marker_the_orm_changes_is_refused():
    with pytest.raises(ValueError):
        CompiledQuery(lambda name: Customer.objects.filter(name__contains=name),
                      name="\x01name").run(name="张")
