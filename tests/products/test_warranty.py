"""Warranty decision (SPEC §4): from the unit's purchase date and its model's policy."""

from datetime import date

import pytest

from fivestar.core.errors import ValidationFailed
from fivestar.products.models import Unit
from fivestar.products.selectors import add_months, product_model_by_code, warranty_state
from fivestar.products.services import register_unit
from tests.factories import (
    CustomerFactory,
    PartWarrantyFactory,
    ProductModelFactory,
    UnitFactory,
    WarrantyPolicyFactory,
)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # clamped to the month's end
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 11, 30), 2, date(2027, 1, 30)),  # across the year end
        (date(2026, 12, 31), 12, date(2027, 12, 31)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 5, 20), 36, date(2029, 5, 20)),
        (date(2026, 5, 20), 0, date(2026, 5, 20)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.django_db
class TestWarrantyState:
    def unit(self, *, purchase_date, unit_months=12, parts=()):
        policy = WarrantyPolicyFactory(unit_months=unit_months)
        for part_name, months in parts:
            PartWarrantyFactory(policy=policy, part_name=part_name, months=months)
        return UnitFactory(product_model=ProductModelFactory(warranty_policy=policy),
                           purchase_date=purchase_date)

    def test_in_warranty_until_the_day_before_expiry(self):
        unit = self.unit(purchase_date=date(2025, 1, 31))

        state = warranty_state(unit=unit, on=date(2026, 1, 30))

        assert state.known
        assert state.in_warranty
        assert state.expires_on == date(2026, 1, 31)
        assert state.last_day == date(2026, 1, 30)  # what "保修至" shows

    def test_out_of_warranty_from_the_expiry_day(self):
        unit = self.unit(purchase_date=date(2025, 1, 31))

        assert not warranty_state(unit=unit, on=date(2026, 1, 31)).in_warranty
        assert not warranty_state(unit=unit, on=date(2027, 6, 1)).in_warranty

    def test_each_part_has_its_own_term(self):
        unit = self.unit(purchase_date=date(2024, 3, 1), unit_months=12,
                         parts=[("压缩机", 72), ("遥控器", 6)])

        state = warranty_state(unit=unit, on=date(2026, 3, 1))

        assert state.known and not state.in_warranty
        parts = {part.part_name: part for part in state.parts}
        assert parts["压缩机"].in_warranty
        assert parts["压缩机"].expires_on == date(2030, 3, 1)
        assert parts["压缩机"].last_day == date(2030, 2, 28)
        assert not parts["遥控器"].in_warranty
        assert parts["遥控器"].expires_on == date(2024, 9, 1)

    def test_unknown_without_purchase_date(self):
        unit = self.unit(purchase_date=None)

        state = warranty_state(unit=unit, on=date(2026, 1, 1))

        assert not state.known
        assert state.expires_on is None
        assert not state.in_warranty

    def test_unknown_without_policy(self):
        unit = UnitFactory(product_model=ProductModelFactory(warranty_policy=None),
                           purchase_date=date(2026, 1, 1))

        state = warranty_state(unit=unit, on=date(2026, 2, 1))

        assert not state.known
        assert state.expires_on is None

    def test_a_policy_change_applies_to_the_next_decision(self):
        unit = self.unit(purchase_date=date(2025, 1, 1), unit_months=12)
        policy = unit.product_model.warranty_policy
        assert not warranty_state(unit=unit, on=date(2026, 6, 1)).in_warranty

        policy.unit_months = 24
        policy.save()
        unit = Unit.objects.get(pk=unit.pk)

        assert warranty_state(unit=unit, on=date(2026, 6, 1)).in_warranty


@pytest.mark.django_db
class TestRegisterUnit:
    def test_first_sight_creates_the_unit(self):
        model = ProductModelFactory()
        customer = CustomerFactory()

        unit = register_unit(product_model=model, serial_number="  SN-001 ", customer=customer,
                             purchase_date=date(2026, 1, 1))

        unit.refresh_from_db()
        assert unit.serial_number == "SN-001"
        assert unit.customer == customer
        assert unit.purchase_date == date(2026, 1, 1)

    def test_a_known_unit_is_found_not_duplicated(self):
        model = ProductModelFactory()
        first = register_unit(product_model=model, serial_number="SN-001", customer=None)

        again = register_unit(product_model=model, serial_number="SN-001 ", customer=None)

        assert again.pk == first.pk
        assert Unit.objects.count() == 1

    def test_same_serial_on_another_model_is_another_unit(self):
        register_unit(product_model=ProductModelFactory(), serial_number="SN-001", customer=None)
        register_unit(product_model=ProductModelFactory(), serial_number="SN-001", customer=None)

        assert Unit.objects.count() == 2

    def test_known_owner_and_purchase_date_are_kept_blank_ones_filled(self):
        owner = CustomerFactory()
        unit = UnitFactory(serial_number="SN-001", customer=owner, purchase_date=None)

        again = register_unit(product_model=unit.product_model, serial_number="SN-001",
                              customer=CustomerFactory(), purchase_date=date(2025, 5, 5))

        again.refresh_from_db()
        assert again.customer == owner
        assert again.purchase_date == date(2025, 5, 5)

        register_unit(product_model=unit.product_model, serial_number="SN-001",
                      customer=None, purchase_date=date(2020, 1, 1))
        again.refresh_from_db()
        assert again.purchase_date == date(2025, 5, 5)


@pytest.mark.django_db
def test_product_model_lookup_refuses_unknown_and_inactive_models():
    ProductModelFactory(code="KFR-35GW")
    ProductModelFactory(code="KFR-OLD", is_active=False)

    assert product_model_by_code(code=" KFR-35GW ").code == "KFR-35GW"
    for code in ("KFR-NOPE", "KFR-OLD", ""):
        with pytest.raises(ValidationFailed) as caught:
            product_model_by_code(code=code)
        assert "product_model" in caught.value.fields
