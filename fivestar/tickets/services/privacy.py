"""Revealing a customer's contact details, one field at a time, on the record.

SPEC §9 (Privacy and security): "phone numbers and addresses are masked (``138****5678``) unless
the viewer needs them, and every unmasked view is logged"; DESIGN.md "Data rules": personal
data is masked by the one function in ``customers.masking``. Pages show the masked value; a
member of staff who needs the real one (to call the customer back, to plan a visit) asks for it,
and this service hands it over, writes the view in the personal-data access log (the customers
app's, which every unmasked view goes to) and a ``contact_revealed`` event on the ticket's
timeline, so that who saw what, and when, is also part of the ticket's history.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fivestar.accounts.models import User
from fivestar.core.errors import PermissionDenied, ValidationFailed
from fivestar.customers.models import AccessSource
from fivestar.customers.privacy import REVEAL_ROLES, may_reveal_contact
from fivestar.customers.services import record_personal_data_access
from fivestar.tickets.actors import Actor
from fivestar.tickets.events import contact_revealed_event
from fivestar.tickets.models import Ticket
from fivestar.tickets.selectors import ticket_for_user

#: The customer's fields that are masked on pages, with their names for people.
REVEALABLE_FIELDS = {
    "phone": gettext_lazy("手机"),
    "email": gettext_lazy("邮箱"),
    "address": gettext_lazy("地址"),
}

# Who may reveal is the customers app's rule (``customers.privacy``); the pages import it here.
__all__ = ["REVEALABLE_FIELDS", "REVEAL_ROLES", "may_reveal_contact",
           "reveal_customer_contact"]


def reveal_customer_contact(*, ticket: Ticket, user: User, field: str,
                            client_address: str | None = None) -> str:
    """The unmasked value of the ticket's customer's ``field`` (phone, email or address), after
    logging the view (SPEC §9: every unmasked view is logged) in the personal-data access log,
    with the client's address, and as a ``contact_revealed`` event on the ticket's timeline.

    The user must be allowed to see the ticket (``ticket_for_user``: NotFound otherwise) and hold
    a role that contacts customers (PermissionDenied otherwise). An empty field reveals nothing
    and logs nothing."""
    if field not in REVEALABLE_FIELDS:
        raise ValidationFailed(_("不能显示这个字段。"), fields={"field": [_("未知的字段。")]})
    if not may_reveal_contact(user=user):
        raise PermissionDenied(_("您的角色不能查看客户的完整联系方式。"))
    # Access is checked here, not only by the caller: the value leaves the system.
    visible = ticket_for_user(number=ticket.number, user=user)
    customer = visible.customer
    value = getattr(customer, field) or ""
    if not value or customer.anonymised_at is not None:
        return ""
    with transaction.atomic():
        record_personal_data_access(
            user=user, customer=customer, fields=[field], source=AccessSource.WORKSPACE,
            reference=visible.number, client_address=client_address,
        )
        contact_revealed_event(ticket=visible, actor=Actor(user=user), field=field)
    return value
