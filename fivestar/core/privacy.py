"""Personal data on the ground floor: the rules the customers app installs for the back office.

``core`` and ``notifications`` import no domain app (DESIGN.md "Architecture"), yet the admin
base in ``core.admin`` masks customers' phones on every app's pages, and the outbox shows their
addresses. The customers app owns personal data; when Django starts (``CustomersConfig.ready``)
it installs here its one masking function, its rule of who may see a value whole and its access
log. They are read from here by ``core.admin`` alone; domain code calls the customers app.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class PersonalDataRules:
    #: ``mask(value, kind)``: ``customers.masking.mask``.
    mask: Callable[[Any, str], str]
    #: ``may_reveal(user=)``: whether the user's role may see contact details whole.
    may_reveal: Callable[..., bool]
    #: ``record_access(user=, customer=, fields=, source=, reference=, client_address=)``.
    record_access: Callable[..., Any]
    #: ``owner_of_contact(contact=)``: the customer whose phone or e-mail address it is, or None.
    owner_of_contact: Callable[..., Any]


_installed: list[PersonalDataRules] = []


def install(rules: PersonalDataRules) -> None:
    _installed[:] = [rules]


def rules() -> PersonalDataRules:
    if not _installed:
        raise ImproperlyConfigured("fivestar.customers must be installed: it masks personal data")
    return _installed[0]
