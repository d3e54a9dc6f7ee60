"""Queries on tickets, access checks included: the API, the pages and the tasks use these."""

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet, Subquery
from django.db.models.functions import Right
from django.utils import timezone
from django.utils.translation import gettext as _

from fivestar.accounts.models import RoleCode, User
from fivestar.core.compiled import CompiledQuery
from fivestar.core.errors import NotFound, ValidationFailed
from fivestar.core.textsearch import contains_text, one_of
from fivestar.customers.models import Customer
from fivestar.customers.phones import normalize_phone
from fivestar.tickets import hooks
from fivestar.tickets.models import OPEN_STATUSES, Ticket, TicketEvent
from fivestar.tickets.workflow import action_prefetches

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
    # The customer row of a portal account, as a value: a join to customers inside this OR
    # would make every list read the whole ticket table.
    visible |= Q(customer_id=Subquery(Customer.objects.filter(user=user).values("pk")[:1]))
    return tickets.filter(visible)


def rows_of_visible_tickets(queryset: QuerySet, *, user: User,
                            through: str = "ticket") -> QuerySet:
    """``queryset``, of rows that belong to a ticket (``through`` names the foreign key), cut
    down to the rows of tickets ``user`` may see: a quote, a clock, a message."""
    if sees_every_ticket(user=user):
        return queryset
    return queryset.filter(**{f"{through}__in": visible_tickets(user=user)})


def customers_of_visible_tickets(user: User) -> QuerySet[Customer] | None:
    """The customers ``user`` may see (``customers.visibility``, installed by
    ``TicketsConfig.ready``): None — every one — for the roles that see every ticket, and
    otherwise the customers of the tickets they may see (SPEC §9: staff see what their role
    and department need)."""
    if sees_every_ticket(user=user):
        return None
    return Customer.objects.filter(pk__in=visible_tickets(user=user).values("customer_id"))


_TICKET_RELATED = ("customer", "assignee", "department", "outlet", "product_model",
                   "product_model__product_line", "unit", "confirmation_recorded_by")
# The roles that see every ticket read one by its number with SQL built once per process (the
# eight-table join cost the ORM ~2 ms to build and PostgreSQL 0.3 ms to answer).
_TICKET_BY_NUMBER = CompiledQuery(
    lambda number: Ticket.objects.select_related(*_TICKET_RELATED).filter(number=number),
    number="\x01number",
)


def ticket_for_user(*, number: str, user: User) -> Ticket:
    """The ticket with this number if ``user`` may see it; otherwise NotFound (never 403, so
    that nobody learns which numbers exist)."""
    if sees_every_ticket(user=user):
        found = _TICKET_BY_NUMBER.run(number=number)
        if found:
            return found[0]
        raise NotFound(_("没有找到工单 %(number)s。") % {"number": number[:30]})
    try:
        # get(), not first(): the number is unique, and first() would sort the eight-table join.
        return visible_tickets(user=user).select_related(*_TICKET_RELATED).get(number=number)
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
#: Lists count their tickets up to this many and then say "10,000+": an exact count of a
#: million rows costs more than the page itself (issue 17).
COUNT_LIMIT = 10_000
#: A search counts up to this many. Past it the text is common, and the first rows in the
#: list's order are found sooner by walking that order than through the text index.
SEARCH_COUNT_LIMIT = 500
# What people type around the digits of a phone number (full-width forms included).
_PHONE_SEPARATORS = re.compile(r"[\s\-－()（）]")
# A ticket number (SR-YYYYMMDD-NNNNNN) or its beginning; "SR-" may be left out before a date.
_NUMBER = re.compile(r"(SR-?)?(\d{1,8})(-\d{0,6})?", re.IGNORECASE)


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


def search_condition(*, q: str, indexed: bool = True) -> Q:
    """``q`` as a condition (SPEC §8 queues: "search by number, name, phone or its last four
    digits, title"), the same in every list:

    - a phone number, however it is spelt (``138 1234 5678``, ``+86 138-1234-5678``):
      normalised, and matched whole on the customer's phone (which is stored normalised);
    - exactly four digits: the last four digits of the customer's phone — only the phone (an
      OR with the text would read every ticket again for four digits any number contains);
    - a ticket number, whole or its beginning (``SR-20260301``; ``SR-`` may be left out
      before the date), case-insensitively;
    - anything else: text inside the title, the description or the customer's name,
      case-insensitively.

    ``indexed`` (PostgreSQL) lets the text indexes find the rows (``core.textsearch``); without
    it the text is compared row by row, the better plan when it is common (``ticket_list``)."""
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
    number = _NUMBER.fullmatch(q)
    if number and (number.group(1) or len(number.group(2)) == 8):
        return Q(number__startswith="SR-" + number.group(2) + (number.group(3) or ""))
    names = Customer.objects.filter(contains_text("name", q=q)).values("pk")
    return (contains_text("title", "description", q=q, indexed=indexed)
            | one_of("customer_id", names, indexed=indexed))


def filtered_tickets(
    *, user: User, filters: TicketFilters, now: datetime | None = None,
    indexed_search: bool = True,
) -> QuerySet[Ticket]:
    """The tickets ``user`` may see (``visible_tickets``) that match ``filters``
    (``indexed_search``: see ``search_condition``)."""
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
        tickets = tickets.filter(search_condition(q=filters.q, indexed=indexed_search))
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
    "confirmation_recorded_by",
    "customer", "product_model", "product_model__product_line", "department", "assignee",
    "pending_assignee",
)


def matching_ids(tickets: QuerySet[Ticket], limit: int) -> list[int]:
    """The ids of ``tickets``, no more than ``limit + 1`` of them, in no particular order: a
    search's matches read through its indexes (``search_condition``), without the sort that
    would let the planner walk a million rows in the list's order looking for them."""
    return list(tickets.order_by().values_list("pk", flat=True)[: limit + 1])


def count_up_to(tickets: QuerySet, limit: int) -> int:
    """How many rows ``tickets`` holds, counting no further than ``limit + 1``: a count that
    costs what ``limit`` rows cost, however many there are."""
    return tickets.order_by()[: limit + 1].count()


def page_of(tickets: QuerySet[Ticket], *, order: tuple, start: int, size: int) -> QuerySet[Ticket]:
    """Rows ``start`` to ``start + size`` of ``tickets`` in ``order``, ready for
    ``select_related``: the page's ids are chosen on the ticket table alone and only those rows
    are joined to their customer, model and people (joining first would join every ticket the
    filters keep before sorting them). One query."""
    ids = tickets.order_by(*order).values("pk")[start: start + size]
    return Ticket.objects.filter(pk__in=ids).order_by(*order)


@dataclass(frozen=True)
class TicketList:
    """One page of a list of tickets, and how many there are in all (``capped``: at least
    ``count``, which is the limit the count stopped at)."""

    tickets: list[Ticket]
    count: int
    page: int
    page_size: int
    capped: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))


def ticket_list(
    *, user: User, filters: TicketFilters, sort: str = "-received_at", page: int = 1,
    page_size: int = 25,
) -> TicketList:
    """Page ``page`` of the tickets ``user`` may see that match ``filters``, in the order
    ``sort`` (a key of ``TICKET_SORTS``), each with its customer, model, department and people
    and the rows its deadlines are read from. Counted up to ``COUNT_LIMIT`` (a search up to
    ``SEARCH_COUNT_LIMIT``). Three queries whatever the page size: the count (for a search, its
    matches' ids), the page and its deadlines."""
    tickets = filtered_tickets(user=user, filters=filters)
    if filters.q.strip():
        # A search reads its matches through the text indexes and sorts the page among them;
        # past the limit the text is common, and walking the list's order (comparing the
        # text row by row) reaches a page's worth of matches sooner.
        limit = SEARCH_COUNT_LIMIT
        matches = matching_ids(tickets, limit)
        counted = len(matches)
        tickets = (filtered_tickets(user=user, filters=filters, indexed_search=False)
                   if counted > limit else Ticket.objects.filter(pk__in=matches))
    else:
        limit = COUNT_LIMIT
        counted = count_up_to(tickets, limit)
    found = list(
        page_of(tickets, order=TICKET_SORTS[sort], start=(page - 1) * page_size,
                size=page_size)
        .select_related(*_LIST_RELATED)
        .prefetch_related(*hooks.deadline_prefetches(), *action_prefetches())
    )
    return TicketList(tickets=found, count=min(counted, limit), page=page,
                      page_size=page_size, capped=counted > limit)
