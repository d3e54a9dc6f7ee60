"""Queries on tickets, access checks included: the API, the pages and the tasks use these."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fivestar.accounts.models import RoleCode, User
from fivestar.core.errors import NotFound
from fivestar.customers.models import Customer
from fivestar.tickets import hooks
from fivestar.tickets.models import Ticket, TicketEvent

# Roles that see every ticket; technicians and warehouse keepers see their own work and their
# outlet's; a customer sees only their own tickets (SPEC §9).
SEE_ALL = frozenset(
    {RoleCode.AGENT, RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.ADMINISTRATOR,
     RoleCode.QUALITY_AUDITOR}
)


def sees_every_ticket(*, user: User) -> bool:
    """Whether ``user``'s roles see every ticket (and so every customer)."""
    return bool(user.is_authenticated and user.is_active and user.role_codes() & SEE_ALL)


def visible_tickets(*, user: User) -> QuerySet[Ticket]:
    """Every ticket ``user`` may see."""
    tickets = Ticket.objects.all()
    if not user.is_authenticated or not user.is_active:
        return tickets.none()
    if sees_every_ticket(user=user):
        return tickets
    roles = user.role_codes()
    visible = Q(assignee=user) | Q(pending_assignee=user)
    if user.outlet_id and roles & {RoleCode.TECHNICIAN, RoleCode.SENIOR_TECHNICIAN,
                                   RoleCode.WAREHOUSE_KEEPER}:
        visible |= Q(outlet_id=user.outlet_id)
    visible |= Q(customer__user=user)
    return tickets.filter(visible)


def rows_of_visible_tickets(queryset: QuerySet, *, user: User,
                            through: str = "ticket") -> QuerySet:
    """``queryset``, of rows that belong to a ticket (``through`` names the foreign key), cut
    down to the rows of tickets ``user`` may see: a quote, a clock, a message."""
    if sees_every_ticket(user=user):
        return queryset
    return queryset.filter(**{f"{through}__in": visible_tickets(user=user)})


def visible_customers(*, user: User) -> QuerySet[Customer]:
    """Every customer ``user`` may see: all of them for the roles that see every ticket, and
    otherwise the customers of the tickets they may see (SPEC §9: staff see what their role
    and department need)."""
    if sees_every_ticket(user=user):
        return Customer.objects.all()
    return Customer.objects.filter(pk__in=visible_tickets(user=user).values("customer_id"))


def ticket_for_user(*, number: str, user: User) -> Ticket:
    """The ticket with this number if ``user`` may see it; otherwise NotFound (never 403, so
    that nobody learns which numbers exist)."""
    try:
        # get(), not first(): the number is unique, and first() would sort the eight-table join.
        return (
            visible_tickets(user=user)
            .select_related("customer", "assignee", "department", "outlet", "product_model",
                            "product_model__product_line", "unit")
            .get(number=number)
        )
    except Ticket.DoesNotExist:
        raise NotFound(_("没有找到工单 %(number)s。") % {"number": number[:30]}) from None


def ticket_for_customer(*, number: str, customer: Customer) -> Ticket:
    ticket = Ticket.objects.filter(number=number, customer=customer).first()
    if ticket is None:
        raise NotFound(_("没有找到工单 %(number)s。") % {"number": number[:30]})
    return ticket


def ticket_timeline(*, ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor").order_by("at", "id")


def ticket_deadlines(*, ticket: Ticket) -> dict[str, dict]:
    """The ticket's service deadlines keyed by target name (DESIGN.md), each
    ``{"due_at", "met_at", "state", "breached"}``, from the provider the SLA engine registers
    (empty without it). A list of tickets prefetches ``hooks.deadline_prefetches()`` first."""
    return hooks.deadlines(ticket)
