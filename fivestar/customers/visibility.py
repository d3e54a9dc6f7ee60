"""Which customers a member of staff may see (SPEC §9: "staff see what their role and
department need").

The rule follows the tickets: the customers of the tickets one may see, or all of them for the
roles that see every ticket. ``tickets`` knows customers, not the other way round, so the
tickets app installs its rule here when Django starts (``TicketsConfig.ready``); the customers'
and units' back-office pages ask here. Until a rule is installed nobody sees anyone.
"""

from collections.abc import Callable

from django.db.models import QuerySet

from fivestar.accounts.models import User
from fivestar.customers.models import Customer

#: ``scope(user)``: the customers ``user`` may see, or None for every customer.
CustomerScope = Callable[[User], QuerySet[Customer] | None]

_scope: list[CustomerScope] = []


def install_customer_scope(scope: CustomerScope) -> None:
    _scope[:] = [scope]


def customer_scope(*, user: User) -> QuerySet[Customer] | None:
    """The customers ``user`` may see, or None when they may see every one."""
    if not _scope:
        return Customer.objects.none()
    return _scope[0](user)


def visible_customers(*, user: User) -> QuerySet[Customer]:
    """Every customer ``user`` may see."""
    scope = customer_scope(user=user)
    return Customer.objects.all() if scope is None else scope
