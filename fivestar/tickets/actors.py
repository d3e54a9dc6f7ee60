"""Who acts on a ticket: a staff user, the ticket's customer, or the system itself."""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy

from fivestar.accounts.models import User


class ActorKind(StrEnum):
    """Who an event is by, as the timeline and the API's ``actor_kind`` name them."""

    STAFF = "staff"
    CUSTOMER = "customer"
    SYSTEM = "system"

    @property
    def label(self) -> str:
        return str(_ACTOR_KIND_LABELS[self])


_ACTOR_KIND_LABELS = {
    ActorKind.STAFF: gettext_lazy("员工"),
    ActorKind.CUSTOMER: gettext_lazy("客户"),
    ActorKind.SYSTEM: gettext_lazy("系统"),
}


@dataclass(frozen=True)
class Actor:
    """Who takes an action: a staff user, or the ticket's customer (portal, API with the
    customer's own account, an SMS or e-mail reply: ``user`` None), or the system (a sweep, a
    policy recomputation: no user, not a customer).

    A staff actor without a user is not a thing: ``Actor(user=None)`` is the system, said
    outright by ``Actor.system()``; the kind is never guessed from a missing user later."""

    user: User | None
    as_customer: bool = False

    @classmethod
    def system(cls) -> "Actor":
        return cls(user=None)

    @classmethod
    def customer(cls, user: User | None = None) -> "Actor":
        return cls(user=user, as_customer=True)

    @property
    def kind(self) -> ActorKind:
        if self.as_customer:
            return ActorKind.CUSTOMER
        return ActorKind.STAFF if self.user is not None else ActorKind.SYSTEM

    @property
    def staff_user(self) -> User | None:
        """The staff user acting, or None for a customer or the system."""
        return None if self.as_customer else self.user


def actor_for(*, user: User, ticket) -> Actor:
    """A signed-in user acting on ``ticket``: as its customer when it is their own ticket and
    they hold no staff role (the API with a customer's token, the portal's session), else as
    staff."""
    is_own_customer = ticket.customer.user_id == user.pk if ticket.customer_id else False
    staff = user.role_codes() - {"customer"}
    return Actor(user=user, as_customer=is_own_customer and not staff)
