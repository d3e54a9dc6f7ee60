"""Queries on customers."""


from fivestar.core.errors import ValidationFailed
from fivestar.customers.models import Customer
from fivestar.customers.phones import normalize_phone


def customer_with_contact(*, contact: str) -> Customer | None:
    """The customer whose phone or e-mail address is ``contact`` (a message's recipient), if
    any: phones and e-mail addresses are each unique to one customer."""
    contact = (contact or "").strip()
    if not contact:
        return None
    if "@" in contact:
        return Customer.objects.filter(email=contact.lower()).first()
    try:
        phone = normalize_phone(contact)
    except ValidationFailed:
        return None
    return Customer.objects.filter(phone=phone).first()
