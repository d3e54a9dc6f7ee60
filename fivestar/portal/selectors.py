"""Queries of the customer portal, access checks included.

A customer reaches a ticket in one of three ways: a follow link or a one-time code granted this
browser session access to it, or it belongs to the customer signed in to the account. Anything
else is NotFound — never "forbidden" — so that nobody learns which ticket numbers exist.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fivestar.core.errors import NotFound
from fivestar.customers.models import Customer
from fivestar.products.models import ProductModel, Unit
from fivestar.products.selectors import WarrantyState, warranty_state
from fivestar.tickets import hooks
from fivestar.tickets.models import Attachment, Reply, Ticket, TicketEvent


def portal_ticket(
    *, number: str, ticket_ids: Collection[int], customer_id: int | None
) -> Ticket:
    """The ticket ``number`` when this visitor may see it: its id is among ``ticket_ids`` (the
    session's grants) or it belongs to customer ``customer_id`` (the signed-in account).
    NotFound otherwise."""
    allowed = Q(pk__in=list(ticket_ids)) if ticket_ids else Q(pk__in=[])
    if customer_id is not None:
        allowed |= Q(customer_id=customer_id)
    ticket = (
        Ticket.objects.filter(allowed, number=(number or "").strip().upper())
        .select_related("customer", "product_model", "product_model__product_line")
        .prefetch_related(*hooks.deadline_prefetches())
        .first()
    )
    if ticket is None:
        raise NotFound(_("没有找到这张工单。"))
    return ticket


def public_replies(*, ticket: Ticket) -> list[Reply]:
    """The conversation the customer sees: public staff replies and the customer's own, oldest
    first, with their attachments. Internal notes never."""
    return list(
        ticket.replies.filter(internal=False)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def ticket_photos(*, ticket: Ticket) -> list[Attachment]:
    """Files attached to the ticket itself (on submission or later), not to a reply."""
    return list(ticket.attachments.filter(reply__isnull=True).order_by("id"))


def waiting_reason(*, ticket: Ticket) -> str:
    """What the service centre is waiting for from the customer: the note of the latest
    ``wait_customer`` event (empty when none)."""
    event = (
        TicketEvent.objects.filter(ticket=ticket, action="wait_customer")
        .order_by("-at", "-id").only("note").first()
    )
    return event.note if event else ""


def customer_tickets(*, customer: Customer) -> QuerySet[Ticket]:
    """The customer's tickets, newest first, with what a list shows (model, deadlines)."""
    return (
        Ticket.objects.filter(customer=customer)
        .select_related("product_model")
        .prefetch_related(*hooks.deadline_prefetches())
        .order_by("-received_at", "-id")
    )


@dataclass(frozen=True)
class UnitView:
    unit: Unit
    warranty: WarrantyState


def customer_units(*, customer: Customer, on: date | None = None) -> list[UnitView]:
    """The customer's registered units with their warranty state today."""
    today = on or timezone.localdate()
    units = (
        Unit.objects.filter(customer=customer)
        .select_related("product_model", "product_model__product_line",
                        "product_model__warranty_policy")
        .prefetch_related("product_model__warranty_policy__parts")
        .order_by("-purchase_date", "-id")
    )
    return [UnitView(unit=unit, warranty=warranty_state(unit=unit, on=today)) for unit in units]


def product_model_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Active product models grouped by product line, for a grouped select:
    ``[(line name, [(code, "name（code）"), ...]), ...]``."""
    groups: dict[str, list[tuple[str, str]]] = {}
    models = (
        ProductModel.objects.filter(is_active=True)
        .select_related("product_line")
        .order_by("product_line__name", "name", "code")
    )
    for model in models:
        groups.setdefault(model.product_line.name, []).append(
            (model.code, f"{model.name}（{model.code}）")
        )
    return list(groups.items())


def customer_for_user(*, user) -> Customer | None:
    """The customer record linked to a portal account, or None (staff, or not signed in)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Customer.objects.filter(user=user, anonymised_at__isnull=True).first()


def customer_by_id(*, customer_id: int | None) -> Customer | None:
    if customer_id is None:
        return None
    return Customer.objects.filter(pk=customer_id, anonymised_at__isnull=True).first()
