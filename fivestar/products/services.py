"""Commands on products: registering a customer's unit."""

from datetime import date

from django.db import IntegrityError

from fivestar.core.rows import insert
from fivestar.customers.models import Customer
from fivestar.products.models import ProductModel, Unit


def register_unit(
    *, product_model: ProductModel, serial_number: str, customer: Customer | None,
    purchase_date: date | None = None,
) -> Unit:
    """The unit with this model and serial number, created on first sight.

    A known unit keeps its owner and purchase date; a blank purchase date or owner is filled in.
    """
    serial = serial_number.strip()
    for _attempt in range(2):
        # Most units are new: written first, in one statement, the unique (model, serial)
        # refusing a known one without an error; then the known one is read.
        unit = Unit(product_model=product_model, serial_number=serial,
                    purchase_date=purchase_date, customer=customer)
        if insert(unit, skip_conflicts=True):
            return unit
        # Unique per model: a slice, not ``first()`` and the ORDER BY it would build.
        unit = next(iter(
            Unit.objects.filter(product_model=product_model, serial_number=serial)[:1]
        ), None)
        if unit is None:
            continue  # deleted in between: write it again
        changed = []
        if unit.purchase_date is None and purchase_date is not None:
            unit.purchase_date = purchase_date
            changed.append("purchase_date")
        if unit.customer_id is None and customer is not None:
            unit.customer = customer
            changed.append("customer")
        if changed:
            unit.save(update_fields=changed)
        return unit
    raise IntegrityError("unit could not be registered")  # pragma: no cover - two lost races
