"""Queries behind the supervisor console (主管控制台).

What a supervisor watches in their department(s) — a manager or an administrator in all of
them: P1 assignments waiting for approval, breaches and warnings by team, each agent's and
technician's load today, and the work nobody holds yet. A ticket belongs to a team (部门) by its
assignee's department, else by its own. Every section is a fixed number of queries whatever the
number of tickets; lists are capped (``LIST_LIMIT``) and say how many there are in all.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from fivestar.accounts.models import Department, RoleCode, User
from fivestar.sla.models import ClockState, SlaClock
from fivestar.tickets.models import OPEN_STATUSES, Status, Ticket, TicketEvent
from fivestar.tickets.selectors import TicketFilters, filtered_tickets, page_of
from fivestar.workspace.selectors.queues import QueueRow, open_clocks_prefetch, queue_row

CONSOLE_ROLES = (RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.ADMINISTRATOR)
#: Managers and administrators see every department.
ALL_DEPARTMENT_ROLES = frozenset({RoleCode.MANAGER, RoleCode.ADMINISTRATOR})
#: Whose load the console shows, and who can be given work from it.
WORKER_ROLES = (RoleCode.AGENT, RoleCode.TECHNICIAN, RoleCode.SENIOR_TECHNICIAN)
LIST_LIMIT = 25
_ROW_RELATED = ("customer", "assignee", "assignee__department", "pending_assignee",
                "department", "product_model")


@dataclass(frozen=True)
class ConsoleScope:
    """The departments a console shows: ``everything`` for managers and administrators."""

    everything: bool
    departments: tuple[Department, ...]

    @property
    def department_ids(self) -> list[int]:
        return [department.pk for department in self.departments]


@dataclass(frozen=True)
class TeamSla:
    department: Department | None
    open: int
    warning: int
    breached: int


@dataclass
class StaffLoad:
    person: User
    open: int = 0
    breached: int = 0
    received_today: int = 0
    resolved_today: int = 0
    roles: list[str] = field(default_factory=list)

    @property
    def role_labels(self) -> list[str]:
        return [str(RoleCode(code).label) for code in self.roles]


@dataclass(frozen=True)
class Section:
    rows: list[QueueRow]
    total: int

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.rows))


def console_scope(*, user: User) -> ConsoleScope:
    """Every active department for a manager or an administrator; for a supervisor the ones
    they head (as supervisor or manager), else their own. One query."""
    departments = Department.objects.filter(is_active=True).order_by("code")
    if user.is_superuser or user.role_codes() & ALL_DEPARTMENT_ROLES:
        return ConsoleScope(everything=True, departments=tuple(departments))
    headed = departments.filter(
        Q(supervisor=user) | Q(manager=user) | Q(pk=user.department_id or 0)
    )
    return ConsoleScope(everything=False, departments=tuple(headed))


def scoped_tickets(*, user: User, scope: ConsoleScope) -> QuerySet[Ticket]:
    """The tickets of the scope's teams that ``user`` may see."""
    teams = None if scope.everything else tuple(scope.department_ids)
    return filtered_tickets(user=user, filters=TicketFilters(teams=teams))


_BY_DEADLINE = (F("next_due_at").asc(nulls_last=True), "received_at", "id")


def _rows(tickets: QuerySet[Ticket], *, now: datetime) -> list[QueueRow]:
    """The first ``LIST_LIMIT`` of ``tickets``, nearest deadline first, as rows: two queries
    (the rows, chosen before they are joined to their people; their open clocks)."""
    found = list(page_of(tickets, order=_BY_DEADLINE, start=0, size=LIST_LIMIT)
                 .select_related(*_ROW_RELATED))
    prefetch_related_objects(found, open_clocks_prefetch())
    return [queue_row(ticket, now=now) for ticket in found]


def approvals_waiting(*, user: User, scope: ConsoleScope, now: datetime | None = None) -> Section:
    """P1 assignments waiting for approval, nearest deadline first. Three queries."""
    now = now or timezone.now()
    tickets = scoped_tickets(user=user, scope=scope).filter(status=Status.AWAITING_APPROVAL)
    total = tickets.count()
    return Section(rows=_rows(tickets, now=now), total=total)


def _warning_clocks(*, now: datetime) -> QuerySet[SlaClock]:
    return SlaClock.objects.filter(
        ticket=OuterRef("pk"), state=ClockState.RUNNING, met_at__isnull=True,
        warn_at__lte=now, due_at__gt=now,
    )


def _team_annotated(tickets: QuerySet[Ticket], *, now: datetime) -> QuerySet[Ticket]:
    return tickets.annotate(
        team=Coalesce("assignee__department_id", "department_id"),
        in_warning=Exists(_warning_clocks(now=now)),
    )


def sla_by_team(*, user: User, scope: ConsoleScope, now: datetime | None = None
                ) -> list[TeamSla]:
    """Per team: open tickets, those in warning (a running clock past its warning point) and
    those breached (the nearest deadline has passed). Teams of the scope come first in code
    order, then tickets without a team. One query."""
    now = now or timezone.now()
    open_tickets = scoped_tickets(user=user, scope=scope).filter(status__in=OPEN_STATUSES)
    counts = {
        row["team"]: row
        for row in _team_annotated(open_tickets, now=now).values("team").annotate(
            open=Count("pk"),
            breached=Count("pk", filter=Q(next_due_at__lte=now)),
            warning=Count("pk", filter=Q(in_warning=True) & ~Q(next_due_at__lte=now)),
        ).order_by()
    }
    teams = []
    for department in scope.departments:
        row = counts.pop(department.pk, None) or {}
        teams.append(TeamSla(department=department, open=row.get("open", 0),
                             warning=row.get("warning", 0), breached=row.get("breached", 0)))
    # Tickets of a team outside the scope (a supervisor's ticket handed to another
    # department's technician keeps showing) or of none.
    others = {"open": 0, "warning": 0, "breached": 0}
    for row in counts.values():
        for key in others:
            others[key] += row[key]
    if any(others.values()):
        teams.append(TeamSla(department=None, **others))
    return teams


def at_risk(*, user: User, scope: ConsoleScope, teams: list[TeamSla],
            now: datetime | None = None) -> Section:
    """Open tickets breached or in warning, most overdue first. Two queries (the total comes
    from ``teams``)."""
    now = now or timezone.now()
    tickets = _team_annotated(
        scoped_tickets(user=user, scope=scope).filter(status__in=OPEN_STATUSES), now=now
    ).filter(Q(next_due_at__lte=now) | Q(in_warning=True))
    total = sum(team.breached + team.warning for team in teams)
    return Section(rows=_rows(tickets, now=now), total=total)


def unassigned_work(*, user: User, scope: ConsoleScope, now: datetime | None = None) -> Section:
    """Open tickets nobody holds or is proposed for, nearest deadline first. Three queries."""
    now = now or timezone.now()
    tickets = scoped_tickets(user=user, scope=scope).filter(
        status__in=OPEN_STATUSES, assignee__isnull=True, pending_assignee__isnull=True
    )
    total = tickets.count()
    return Section(rows=_rows(tickets, now=now), total=total)


def team_staff(*, scope: ConsoleScope) -> list[User]:
    """Active agents and technicians of the scope's departments (every one of them for a
    manager), with their roles and department loaded, by department and name. Two queries."""
    people = User.objects.filter(is_active=True, roles__code__in=WORKER_ROLES)
    if not scope.everything:
        people = people.filter(department_id__in=scope.department_ids)
    return list(
        people.distinct().select_related("department").prefetch_related("roles")
        .order_by("department__code", "display_name", "username")
    )


def start_of_today(now: datetime | None = None) -> datetime:
    """Midnight today in the configured time zone."""
    today = timezone.localdate(now or timezone.now())
    return timezone.make_aware(datetime.combine(today, time.min))


def staff_load(*, staff: list[User], now: datetime | None = None) -> list[StaffLoad]:
    """Each person's load: open tickets held (and how many of them are breached), tickets that
    became theirs today (registered by them, or assigned or approved to them), and tickets they
    resolved today. Four queries whatever the number of people."""
    now = now or timezone.now()
    start = start_of_today(now)
    loads = {
        person.pk: StaffLoad(person=person, roles=[
            code for code in WORKER_ROLES if code in person.role_codes()
        ])
        for person in staff
    }
    if not loads:
        return []
    ids = list(loads)
    for row in (
        Ticket.objects.filter(assignee_id__in=ids, status__in=OPEN_STATUSES)
        .values("assignee_id").annotate(
            n=Count("pk"), late=Count("pk", filter=Q(next_due_at__lte=now))
        ).order_by()
    ):
        loads[row["assignee_id"]].open = row["n"]
        loads[row["assignee_id"]].breached = row["late"]
    for row in (
        Ticket.objects.filter(assignee_id__in=ids, resolved_at__gte=start)
        .values("assignee_id").annotate(n=Count("pk")).order_by()
    ):
        loads[row["assignee_id"]].resolved_today = row["n"]
    received: dict[int, set[int]] = defaultdict(set)
    for ticket_id, creator in Ticket.objects.filter(
        created_by_id__in=ids, received_at__gte=start
    ).values_list("pk", "created_by_id"):
        received[creator].add(ticket_id)
    for ticket_id, after in TicketEvent.objects.filter(
        action__in=("assign", "approve"), at__gte=start
    ).values_list("ticket_id", "after"):
        assignee = (after or {}).get("assignee")
        if assignee in loads:
            received[assignee].add(ticket_id)
    for person_id, tickets in received.items():
        loads[person_id].received_today = len(tickets)
    return list(loads.values())


def assignable_for(ticket: Ticket, staff: list[User]) -> list[User]:
    """Who in ``staff`` may take ``ticket``: a P1 goes to a senior technician only (SPEC §4)."""
    if ticket.priority == "P1":
        return [p for p in staff if RoleCode.SENIOR_TECHNICIAN in p.role_codes()]
    return staff
