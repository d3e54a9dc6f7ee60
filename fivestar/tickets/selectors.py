"""Queries on tickets, access checks included: the API, the pages and the tasks use these."""

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.db.models.functions import Right
from django.utils import timezone
from django.utils.translation import gettext as _

from fivestar.accounts.models import RoleCode, User
from fivestar.core.errors import NotFound, ValidationFailed
from fivestar.customers.models import Customer
from fivestar.customers.phones import normalize_phone
from fivestar.tickets import hooks
from fivestar.tickets.models import OPEN_STATUSES, Ticket, TicketEvent

# Roles that see every ticket; technicians and warehouse keepers see their own work and their
# outlet's; a customer sees only their own tickets (SPEC §9).
SEE_ALL = frozenset(
    {RoleCode.AGENT, RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.ADMINISTRATOR,
     RoleCode.QUALITY_AUDITOR}
)


def visible_tickets(*, user: User) -> QuerySet[Ticket]:
    """Every ticket ``user`` may see."""
    tickets = Ticket.objects.all()
    if not user.is_authenticated or not user.is_active:
        return tickets.none()
    roles = user.role_codes()
    if roles & SEE_ALL:
        return tickets
    visible = Q(assignee=user) | Q(pending_assignee=user)
    if user.outlet_id and roles & {RoleCode.TECHNICIAN, RoleCode.SENIOR_TECHNICIAN,
                                   RoleCode.WAREHOUSE_KEEPER}:
        visible |= Q(outlet_id=user.outlet_id)
    visible |= Q(customer__user=user)
    return tickets.filter(visible)


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


# --- filtering and search: one rule for the API's list, the queues and the console -----------

#: The longest search text taken; the rest is ignored.
SEARCH_MAX_LENGTH = 100
# What people type around the digits of a phone number (full-width forms included).
_PHONE_SEPARATORS = re.compile(r"[\s\-－()（）]")
# A ticket number holds only these: a text with anything else cannot be inside one.
_NUMBER_CHARACTERS = re.compile(r"[A-Za-z0-9\-]+")


@dataclass(frozen=True, kw_only=True)
class TicketFilters:
    """What a list of tickets is narrowed to. Every field left empty means "any"; a sequence
    means "one of these"."""

    statuses: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    #: ``"me"``, ``"none"`` (nobody holds it) or a username.
    assignee: str = ""
    assignee_id: int | None = None
    #: The ticket's own department, by code.
    department: str = ""
    #: Departments whose work it is: by the ticket's department, its assignee's or its
    #: proposed assignee's (the supervisor console's teams). None: any.
    teams: tuple[int, ...] | None = None
    outlet_id: int | None = None
    product_line_id: int | None = None
    #: Open with the nearest deadline passed (True), or not (False).
    breached: bool | None = None
    #: Open with the nearest deadline within this time from now (and not yet passed).
    due_within: timedelta | None = None
    #: A ticket number, a phone (whole or its last four digits), a name, words of the title
    #: or the description: ``search_condition``.
    q: str = ""


def search_condition(*, q: str) -> Q:
    """``q`` as a condition (SPEC §8 queues: "search by number, name, phone or its last four
    digits, title"), the same in every list:

    - a phone number, however it is spelt (``138 1234 5678``, ``+86 138-1234-5678``):
      normalised, and matched whole on the customer's phone (which is stored normalised);
    - exactly four digits: the last four digits of the customer's phone — only the phone (an
      OR with the text would read every ticket again for four digits any number contains);
    - anything else: text inside the ticket number, the title, the description or the
      customer's name, case-insensitively.
    """
    q = q.strip()[:SEARCH_MAX_LENGTH]
    if not q:
        return Q()
    digits = _PHONE_SEPARATORS.sub("", q)
    if re.fullmatch(r"\d{4}", digits):
        tails = Customer.objects.annotate(phone_tail=Right("phone", 4)).filter(
            phone_tail=digits
        ).values("pk")
        return Q(customer_id__in=tails)
    if re.fullmatch(r"[+＋]?\d{7,15}", digits):
        try:
            return Q(customer__phone=normalize_phone(q))
        except ValidationFailed:
            pass
    text = (Q(title__icontains=q) | Q(description__icontains=q)
            | Q(customer__name__icontains=q))
    if _NUMBER_CHARACTERS.fullmatch(q):
        text |= Q(number__icontains=q)
    return text


def filtered_tickets(
    *, user: User, filters: TicketFilters, now: datetime | None = None
) -> QuerySet[Ticket]:
    """The tickets ``user`` may see (``visible_tickets``) that match ``filters``."""
    tickets = visible_tickets(user=user)
    exact = {
        "status__in": filters.statuses, "priority__in": filters.priorities,
        "type__in": filters.types, "channel__in": filters.channels,
        "assignee_id": filters.assignee_id, "department__code": filters.department,
        "outlet_id": filters.outlet_id,
        "product_model__product_line_id": filters.product_line_id,
    }
    tickets = tickets.filter(**{name: value for name, value in exact.items() if value})
    if filters.assignee == "me":
        tickets = tickets.filter(assignee=user)
    elif filters.assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif filters.assignee:
        tickets = tickets.filter(assignee__username=filters.assignee)
    if filters.teams is not None:
        tickets = tickets.filter(
            Q(department_id__in=filters.teams) | Q(assignee__department_id__in=filters.teams)
            | Q(pending_assignee__department_id__in=filters.teams)
        )
    if filters.breached is not None or filters.due_within is not None:
        now = now or timezone.now()
        overdue = Q(status__in=OPEN_STATUSES, next_due_at__lt=now)
        if filters.breached is not None:
            tickets = tickets.filter(overdue) if filters.breached else tickets.exclude(overdue)
        if filters.due_within is not None:
            tickets = tickets.filter(status__in=OPEN_STATUSES, next_due_at__gte=now,
                                     next_due_at__lte=now + filters.due_within)
    if filters.q.strip():
        tickets = tickets.filter(search_condition(q=filters.q))
    return tickets


#: The orders a list can be read in (the API's ``sort``), each ending on a unique column so
#: that pages neither repeat nor skip a ticket.
TICKET_SORTS: dict[str, tuple[str, ...]] = {
    "-received_at": ("-received_at", "-id"),
    "received_at": ("received_at", "id"),
    "next_due_at": ("next_due_at", "-received_at", "-id"),
    "priority": ("priority", "-received_at", "-id"),
}
_LIST_RELATED = (
    "customer", "product_model", "product_model__product_line", "department", "assignee",
    "pending_assignee",
)


@dataclass(frozen=True)
class TicketList:
    """One page of a list of tickets, and how many there are in all."""

    tickets: list[Ticket]
    count: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))


def ticket_list(
    *, user: User, filters: TicketFilters, sort: str = "-received_at", page: int = 1,
    page_size: int = 25,
) -> TicketList:
    """Page ``page`` of the tickets ``user`` may see that match ``filters``, in the order
    ``sort`` (a key of ``TICKET_SORTS``), each with its customer, model, department and people
    and the rows its deadlines are read from. Three queries whatever the page size: the count,
    the page and its deadlines."""
    tickets = filtered_tickets(user=user, filters=filters)
    count = tickets.count()
    offset = (page - 1) * page_size
    found = list(
        tickets.select_related(*_LIST_RELATED)
        .prefetch_related(*hooks.deadline_prefetches())
        .order_by(*TICKET_SORTS[sort])[offset: offset + page_size]
    )
    return TicketList(tickets=found, count=count, page=page, page_size=page_size)
