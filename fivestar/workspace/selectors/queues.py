"""Queries behind the staff queues (工单队列), the workspace's front door.

A queue is the tickets the user may see (``tickets.selectors.visible_tickets``), narrowed by the
filters, split into tabs — mine, unassigned, awaiting approval, due soon or breached, waiting
for the customer, all. One aggregate query counts every tab; one query reads a page of rows with
their customer, model and assignee; one more reads the page's open SLA clocks, from which each
row's countdown state is derived (running, warning at the policy's warning point, breached,
paused) without a query per row.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from fivestar.accounts.models import Outlet, User
from fivestar.products.models import ProductLine
from fivestar.sla.models import ClockState, SlaClock, TargetName
from fivestar.tickets.models import OPEN_STATUSES, Priority, Status, Ticket
from fivestar.tickets.selectors import (
    COUNT_LIMIT,
    SEARCH_COUNT_LIMIT,
    SEARCH_MAX_LENGTH,
    TicketFilters,
    count_up_to,
    matching_ids,
    page_of,
    visible_tickets,
)
from fivestar.tickets.selectors import filtered_tickets as shared_filtered_tickets
from fivestar.tickets.services.transitions import ASSIGNABLE_ROLES

PAGE_SIZE = 50
#: A ticket whose nearest deadline is this close counts as "breaching soon" even before its
#: warning point (``QUEUE_DUE_SOON_MINUTES`` in the settings).
DEFAULT_DUE_SOON = timedelta(hours=2)
Q_MAX_LENGTH = SEARCH_MAX_LENGTH


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    empty: str


TABS: tuple[Tab, ...] = (
    Tab("mine", _("我的待办"), _("没有需要您处理的工单。")),
    Tab("unassigned", _("未派单"), _("没有等待派单的工单。")),
    Tab("approval", _("待审批"), _("没有等待审批的一级工单。")),
    Tab("due", _("即将超时 / 已超时"), _("没有即将超时或已超时的工单。")),
    Tab("waiting", _("等待客户"), _("没有等待客户回复的工单。")),
    Tab("all", _("全部"), _("没有符合条件的工单。")),
)
TAB_KEYS = tuple(tab.key for tab in TABS)
SORTS = {"due": _("最近截止"), "newest": _("最新受理")}


def due_soon() -> timedelta:
    minutes = getattr(settings, "QUEUE_DUE_SOON_MINUTES", None)
    return DEFAULT_DUE_SOON if minutes is None else timedelta(minutes=int(minutes))


@dataclass(frozen=True)
class QueueFilters:
    """What the user asked for: a tab, an order, and the filters and search every list of
    tickets shares (``tickets.selectors.TicketFilters``)."""

    tab: str = "mine"
    sort: str = "due"
    tickets: TicketFilters = field(default_factory=TicketFilters)

    @property
    def q(self) -> str:
        return self.tickets.q


@dataclass(frozen=True)
class Countdown:
    """A row's SLA countdown: the nearest deadline still counting and how it stands."""

    state: str  # running | warning | breached | paused | none
    due_at: datetime | None = None
    warn_at: datetime | None = None
    target: str = ""

    @property
    def remaining(self) -> str:
        """``h:mm`` left, ``−h:mm`` overdue, with ``Nd`` in front past a day — as app.js ticks
        it, so the first paint and the ticking agree."""
        if self.due_at is None:
            return ""
        seconds = (self.due_at - timezone.now()).total_seconds()
        minutes = int(abs(seconds) // 60)
        days, rest = divmod(minutes, 1440)
        text = (f"{days}d " if days else "") + f"{rest // 60}:{rest % 60:02d}"
        return ("−" if seconds < 0 else "") + text

    # Machine and human forms of the times, in the current time zone (cheaper than the
    # ``date`` filter on every row of a long list).
    @property
    def due_iso(self) -> str:
        return _iso(self.due_at)

    @property
    def warn_iso(self) -> str:
        return _iso(self.warn_at)

    @property
    def due_text(self) -> str:
        return _text(self.due_at)


def _iso(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _text(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


# Labels by value, looked up once per row (``get_FOO_display`` rebuilds its whole choice map,
# translating every label, on each call — the most expensive thing on a 50-row page).
_STATUS_LABELS = dict(Status.choices)
_PRIORITY_LABELS = dict(Priority.choices)
_TARGET_LABELS = dict(TargetName.choices)


@dataclass(frozen=True)
class QueueRow:
    ticket: Ticket
    countdown: Countdown
    age: str
    #: The ticket page's address, filled in by the view (selectors know no URLs).
    url: str = ""

    @property
    def status_label(self) -> str:
        return str(_STATUS_LABELS.get(self.ticket.status, self.ticket.status))

    @property
    def priority_label(self) -> str:
        return str(_PRIORITY_LABELS.get(self.ticket.priority, self.ticket.priority))

    @property
    def received_iso(self) -> str:
        return _iso(self.ticket.received_at)

    @property
    def received_text(self) -> str:
        return _text(self.ticket.received_at)


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    number: int
    pages: int
    total: int
    page_size: int = PAGE_SIZE
    #: ``total`` is where the count stopped: there are more.
    more: bool = False

    @property
    def total_text(self) -> str:
        return f"{self.total}+" if self.more else str(self.total)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.page_size + len(self.rows)


# --- the choices the filter form offers ------------------------------------------------------


def assignee_choices() -> list[tuple[int, str]]:
    """Active staff who can hold tickets, as (id, name), by name. One query."""
    people = (
        User.objects.filter(is_active=True, roles__code__in=ASSIGNABLE_ROLES)
        .distinct().order_by("display_name", "username")
        .only("id", "username", "display_name", "first_name", "last_name")
    )
    return [(person.pk, str(person)) for person in people]


def outlet_choices() -> list[tuple[int, str]]:
    """Active service outlets as (id, name). One query."""
    return list(Outlet.objects.filter(is_active=True).order_by("name").values_list("pk", "name"))


def product_line_choices() -> list[tuple[int, str]]:
    """Product lines as (id, name). One query."""
    return list(ProductLine.objects.order_by("name").values_list("pk", "name"))


# --- the queries -----------------------------------------------------------------------------


def _warning_ticket_ids(*, now: datetime) -> QuerySet:
    """Ids of tickets with a running clock past its warning point and not yet due."""
    return SlaClock.objects.filter(
        state=ClockState.RUNNING, met_at__isnull=True, warn_at__lte=now, due_at__gt=now
    ).values("ticket_id")


def tab_conditions(*, user: User, now: datetime) -> dict[str, Q]:
    """The condition of each tab for ``user`` at ``now``."""
    is_open = Q(status__in=OPEN_STATUSES)
    return {
        "mine": is_open & (Q(assignee=user) | Q(pending_assignee=user)),
        "unassigned": is_open & Q(assignee__isnull=True, pending_assignee__isnull=True),
        "approval": Q(status=Status.AWAITING_APPROVAL),
        "due": is_open & (
            Q(next_due_at__lte=now + due_soon()) | Q(pk__in=_warning_ticket_ids(now=now))
        ),
        "waiting": Q(status=Status.WAITING_CUSTOMER),
        "all": Q(),
    }


def filtered_tickets(
    *, user: User, filters: QueueFilters, indexed_search: bool = True
) -> QuerySet[Ticket]:
    """The tickets ``user`` may see that match ``filters`` (every tab together)."""
    return shared_filtered_tickets(user=user, filters=filters.tickets,
                                   indexed_search=indexed_search)


def _count_all(*, user: User, filters: QueueFilters) -> dict:
    """The "all" tab's count, stopped at ``COUNT_LIMIT`` (``all_more``: it holds more); for a
    search, its matches' ids (``all_matches``, None past ``SEARCH_COUNT_LIMIT``: a common
    text). One query."""
    tickets = filtered_tickets(user=user, filters=filters)
    if not filters.q.strip():
        counted = count_up_to(tickets, COUNT_LIMIT)
        return {"all": min(counted, COUNT_LIMIT), "all_more": counted > COUNT_LIMIT,
                "all_matches": None}
    matches = matching_ids(tickets, SEARCH_COUNT_LIMIT)
    more = len(matches) > SEARCH_COUNT_LIMIT
    return {"all": min(len(matches), SEARCH_COUNT_LIMIT), "all_more": more,
            "all_matches": None if more else matches}


def queue_counts(
    *, user: User, filters: QueueFilters, now: datetime | None = None
) -> dict[str, Any]:
    """How many tickets each tab holds under ``filters``, plus ``"dated"``: how many of the
    current tab's have a deadline (``queue_page`` needs it to page the deadline order), and
    from ``_count_all`` ``"all_more"`` (true when "all" was counted only up to its limit and
    holds more) and ``"all_matches"`` (a search's matches in "all"). Two or three queries: one
    aggregate over the open tickets only (every tab but "all" holds open tickets, and closed
    ones are most of a mature system), a count of "all" that stops at the limit."""
    now = now or timezone.now()
    conditions = tab_conditions(user=user, now=now)
    # The open tickets are few: a search among them compares the text row by row.
    few = filtered_tickets(user=user, filters=filters, indexed_search=False)
    has_due = Q(next_due_at__isnull=False)
    current = filters.tab if filters.tab in TAB_KEYS else "mine"
    open_aggregates = {
        key: Count("pk", filter=condition)
        for key, condition in conditions.items() if key != "all"
    }
    if current != "all":
        open_aggregates["dated"] = Count("pk", filter=conditions[current] & has_due)
    counts = few.filter(status__in=OPEN_STATUSES).aggregate(**open_aggregates)
    counts.update(_count_all(user=user, filters=filters))
    if current == "all":
        # Only open tickets have a deadline.
        counts["dated"] = few.filter(has_due).count()
    return counts


def open_clocks_prefetch() -> Prefetch:
    """The open SLA clocks of a list of tickets in one query, as ``ticket.open_clocks``."""
    return Prefetch(
        "sla_clocks",
        queryset=SlaClock.objects.filter(met_at__isnull=True)
        .exclude(state=ClockState.CANCELLED).order_by("due_at", "id"),
        to_attr="open_clocks",
    )


def countdown_for(ticket: Ticket, *, now: datetime) -> Countdown:
    """The ticket's countdown from its prefetched ``open_clocks``: the nearest deadline still
    counting; breached when it has passed, warning when any counting clock is past its warning
    point, paused when every open clock waits (the customer), none for a finished ticket."""
    if ticket.status not in OPEN_STATUSES:
        return Countdown("none")
    clocks = getattr(ticket, "open_clocks", None)
    if clocks is None:
        clocks = list(
            SlaClock.objects.filter(ticket=ticket, met_at__isnull=True)
            .exclude(state=ClockState.CANCELLED)
        )
    counting = [c for c in clocks if c.state in (ClockState.RUNNING, ClockState.BREACHED)]
    if counting:
        nearest = min(counting, key=lambda c: (c.due_at, c.pk))
        warn_at = min(c.warn_at for c in counting)
        if nearest.state == ClockState.BREACHED or nearest.due_at <= now:
            state = "breached"
        elif warn_at <= now:
            state = "warning"
        else:
            state = "running"
        return Countdown(state, due_at=nearest.due_at, warn_at=warn_at,
                         target=str(_TARGET_LABELS.get(nearest.name, nearest.name)))
    if any(c.state == ClockState.PAUSED for c in clocks):
        return Countdown("paused")
    return Countdown("none")


def age_text(received_at: datetime, *, now: datetime) -> str:
    """How long ago, in one unit: "3 小时前", "2 周前"; "刚刚" under a minute."""
    if now - received_at < timedelta(minutes=1):
        return str(_("刚刚"))
    return str(_("%(age)s前") % {"age": timesince(received_at, now, depth=1)})


def queue_row(ticket: Ticket, *, now: datetime) -> QueueRow:
    """A ticket as a list shows it: with its countdown (from prefetched clocks) and its age."""
    return QueueRow(ticket=ticket, countdown=countdown_for(ticket, now=now),
                    age=age_text(ticket.received_at, now=now))


_ROW_RELATED = ("customer", "product_model", "assignee", "pending_assignee")
_ROW_DEFERRED = ("description", "demand", "resolution", "technical_solution", "parts_replaced",
                 "cancel_reason", "customer__address")


def queue_page(
    *, user: User, filters: QueueFilters, page: int = 1, total: int | None = None,
    dated: int | None = None, more: bool = False, matches: list[int] | None = None,
    now: datetime | None = None, page_size: int = PAGE_SIZE,
) -> QueuePage:
    """One page of the tab ``filters.tab``, sorted by ``filters.sort``: ``due`` is the nearest
    deadline first and tickets without one after them, newest first; ``newest`` is by receipt.

    ``total`` and ``dated`` (the tab's count and how many of those have a deadline), ``more``
    (the count stopped at its limit) and ``matches`` (a search's matches in "all") come from
    ``queue_counts`` when the caller has them, saving queries. The deadline order reads the
    tickets with a deadline through the ``next_due_at`` index and the rest through the
    ``received_at`` one — no sort of the whole queue, however long — and each page's ids are
    chosen before its rows are joined to their customer, model and people (``page_of``), so a
    page is one or two row queries plus one for the open clocks of its tickets."""
    now = now or timezone.now()
    tab = filters.tab if filters.tab in TAB_KEYS else "mine"
    if tab == "all" and total is None:
        counted = _count_all(user=user, filters=filters)
        total, more, matches = counted["all"], counted["all_more"], counted["all_matches"]
    # Every tab but "all" holds open tickets only: few enough to compare a search text row by
    # row. In "all" a search's matches (read through the text indexes) are the rows to page;
    # past the limit the text is common, and walking the list's order finds a page sooner.
    tickets = filtered_tickets(user=user, filters=filters, indexed_search=False).filter(
        tab_conditions(user=user, now=now)[tab]
    )
    if tab == "all" and matches is not None:
        tickets = Ticket.objects.filter(pk__in=matches)
    if total is None:
        total = tickets.count()
    pages = max(1, math.ceil(total / page_size))
    number = min(max(1, page), pages)
    offset = (number - 1) * page_size

    def read(chosen: QuerySet[Ticket], order: tuple, start: int, size: int) -> list[Ticket]:
        return list(page_of(chosen, order=order, start=start, size=size)
                    .select_related(*_ROW_RELATED).defer(*_ROW_DEFERRED))

    newest_first = ("-received_at", "-id")
    if filters.sort == "newest":
        found = read(tickets, newest_first, offset, page_size)
    else:
        if dated is None:
            dated = tickets.filter(next_due_at__isnull=False).count()
        found = []
        if offset < dated:
            found = read(tickets.filter(next_due_at__isnull=False), ("next_due_at", "id"),
                         offset, page_size)
        missing = page_size - len(found)
        if missing > 0 and (more or total > dated):
            found += read(tickets.filter(next_due_at__isnull=True), newest_first,
                          max(0, offset - dated), missing)
    prefetch_related_objects(found, open_clocks_prefetch())
    return QueuePage(rows=[queue_row(ticket, now=now) for ticket in found], number=number,
                     pages=pages, total=total, page_size=page_size, more=more)


#: How many unassigned tickets an empty "my work" queue offers to take.
TAKE_SUGGESTIONS = 5


def tickets_to_take(
    *, user: User, now: datetime | None = None, limit: int = TAKE_SUGGESTIONS
) -> list[QueueRow]:
    """What a new agent with nothing to do could take: the unassigned tickets ``user`` may see
    that are still new or accepted, nearest deadline first (those without one after them,
    oldest first). P1 tickets are among them — they are the most urgent — but cannot be taken
    (they go to a senior technician with approval, SPEC §4); the page says so instead of
    offering the button. Two queries: the rows and their open clocks."""
    now = now or timezone.now()
    tickets = (
        visible_tickets(user=user)
        .filter(status__in=(Status.NEW, Status.ACCEPTED), assignee__isnull=True,
                pending_assignee__isnull=True)
        .select_related(*_ROW_RELATED).defer(*_ROW_DEFERRED)
        .order_by(F("next_due_at").asc(nulls_last=True), "received_at", "id")[:limit]
    )
    found = list(tickets)
    prefetch_related_objects(found, open_clocks_prefetch())
    return [queue_row(ticket, now=now) for ticket in found]
