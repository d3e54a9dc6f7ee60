"""Queries for the phone intake page (来电登记): who is calling, what they own, what they asked
before, and the product models an agent can pick. Access rules stay in the domain selectors."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from fivestar.accounts.models import User
from fivestar.core.errors import ValidationFailed
from fivestar.customers.models import Customer
from fivestar.customers.phones import normalize_phone
from fivestar.products.models import PartWarranty, ProductModel, Unit
from fivestar.products.selectors import WarrantyState, warranty_state
from fivestar.tickets.models import OPEN_STATUSES, Ticket
from fivestar.tickets.selectors import visible_tickets

#: How many of a caller's earlier tickets the intake page lists.
RECENT_TICKETS = 5
#: How many product models one typeahead answer offers.
MODEL_CHOICES = 30
# The shortest input worth looking up: a mainland mobile number has 11 digits.
_MIN_PHONE_DIGITS = 7


@dataclass(frozen=True)
class UnitView:
    """A registered unit with its warranty state on a given day."""

    unit: Unit
    warranty: WarrantyState


@dataclass(frozen=True)
class Caller:
    """What the intake page shows about a phone number. ``phone`` is the normalised number or
    "" when the input is not (yet) a valid number; ``customer`` is None for a new number."""

    phone: str
    customer: Customer | None = None
    units: list[UnitView] = field(default_factory=list)
    recent: list[Ticket] = field(default_factory=list)
    ticket_count: int = 0
    open_count: int = 0

    @property
    def is_known(self) -> bool:
        return self.customer is not None


def _units_queryset() -> QuerySet[Unit]:
    return Unit.objects.select_related(
        "product_model", "product_model__product_line", "product_model__warranty_policy"
    ).prefetch_related(
        Prefetch("product_model__warranty_policy__parts",
                 queryset=PartWarranty.objects.order_by("part_name"))
    )


def units_with_warranty(
    *, customer: Customer | None, on: date, also_unit_id: int | None = None
) -> list[UnitView]:
    """The customer's registered units (and ``also_unit_id``, a ticket's unit that may belong to
    someone else), newest purchase first, each with its warranty state on ``on``. Three queries
    whatever the number of units."""
    match = Q(pk=also_unit_id) if also_unit_id else Q(pk__in=[])
    if customer is not None:
        match |= Q(customer=customer)
    units = _units_queryset().filter(match).order_by("-purchase_date", "-id")
    return [UnitView(unit=unit, warranty=warranty_state(unit=unit, on=on)) for unit in units]


def caller_for_phone(*, phone: str, user: User) -> Caller:
    """The customer a typed phone number belongs to, with their units and the tickets ``user``
    may see; an empty ``Caller`` while the input is not a valid number yet, a ``Caller`` without
    customer for a new number. Constant queries."""
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if len(digits) < _MIN_PHONE_DIGITS:
        return Caller(phone="")
    try:
        normalised = normalize_phone(phone)
    except ValidationFailed:
        return Caller(phone="")
    customer = Customer.objects.filter(phone=normalised).first()
    if customer is None:
        return Caller(phone=normalised)
    tickets = visible_tickets(user=user).filter(customer=customer)
    counts = tickets.aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATUSES))
    )
    recent = list(tickets.select_related("product_model").order_by("-received_at", "-id")
                  [:RECENT_TICKETS])
    return Caller(
        phone=normalised, customer=customer,
        units=units_with_warranty(customer=customer, on=timezone.localdate()),
        recent=recent, ticket_count=counts["total"], open_count=counts["open"],
    )


def is_new_caller(*, phone: str) -> bool:
    """Whether ``phone`` is a valid number no customer has yet (intake will create one)."""
    try:
        normalised = normalize_phone(phone)
    except ValidationFailed:
        return False
    return not Customer.objects.filter(phone=normalised).exists()


def unit_of_customer(*, unit_id: int, phone: str) -> Unit | None:
    """The unit ``unit_id`` if it belongs to the customer with this phone number (as typed);
    None otherwise, so that a posted id cannot attach somebody else's unit."""
    try:
        normalised = normalize_phone(phone)
    except ValidationFailed:
        return None
    return (
        Unit.objects.select_related("product_model")
        .filter(pk=unit_id, customer__phone=normalised)
        .first()
    )


def product_model_choices(*, query: str = "", limit: int = MODEL_CHOICES) -> list[ProductModel]:
    """Active product models whose code or name contains ``query`` (all when empty), codes that
    start with it first, for the model typeahead."""
    models = ProductModel.objects.filter(is_active=True).select_related("product_line")
    text = (query or "").strip()[:60]
    if text:
        models = models.filter(Q(code__icontains=text) | Q(name__icontains=text)
                               | Q(product_line__name__icontains=text))
    found = list(models.order_by("code")[: limit * 3 if text else limit])
    if text:
        folded = text.casefold()
        found.sort(key=lambda m: (not m.code.casefold().startswith(folded), m.code))
    return found[:limit]
