"""The clocks of a ticket's service targets (SPEC §3), driven by ticket events.

``on_ticket_event`` is registered with ``tickets.hooks`` and runs inside the transaction that
wrote the event. ``apply_event`` (pure: it saves nothing, so the replay of a draft policy uses it
too) turns the event into triggers (``triggers_for``), then, in this order: recomputes the open
clocks on a priority change, stops the clocks the triggers stop, cancels the rest when the ticket
is closed or cancelled, pauses or resumes by the ticket's new status, starts (or re-arms) the
clocks the triggers start; the handler saves them and writes ``Ticket.next_due_at``.

Time rules: a clock's ``due_at`` is ``add_working_time(started_at, allowed + extended +
paused_working)`` on the clock's own calendar (the wall clock when it has none). Time spent
waiting for the customer is measured in *working* time on that calendar and pushes every paused
target, response included — not wall-clock seconds, and not only the resolve deadline. An
extension agreed with the customer (``fivestar.sla.extensions``) adds working time the same way,
so a later pause or priority change keeps it.

Re-arming: a target with ``restart_events`` gets a fresh clock when one of them fires on an open
ticket. In the SPEC §3 defaults only ``update`` re-arms — after each public staff reply (a
progress update) and on a reopen; ``contact`` restarts on a reassignment.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from fivestar.core.compiled import CompiledQuery
from fivestar.core.errors import DomainError
from fivestar.core.memo import memo
from fivestar.core.rows import insert_all, update
from fivestar.sla.events import SlaEventKind
from fivestar.sla.models import ClockState, SlaClock, SlaTarget, default_warn_percent
from fivestar.sla.selectors import calendar_snapshot, load_calendar, policy_for
from fivestar.sla.worktime import (
    CalendarSnapshot,
    add_working_time,
    is_working_time,
    make_snapshot,
    working_time_between,
)
from fivestar.tickets.actors import ActorKind
from fivestar.tickets.events import (
    Accepted,
    Assignment,
    Contacted,
    Created,
    PrioritySet,
    TicketEventKind,
)
from fivestar.tickets.models import OPEN_STATUSES, Channel, Status, Ticket, TicketEvent

logger = logging.getLogger(__name__)

#: Channels on which the customer is talking to the agent who records the ticket (SPEC §3 first
#: response: the call or the visit itself answers the customer).
LIVE_CHANNELS = frozenset({Channel.PHONE, Channel.WALK_IN})
WALL_CLOCK = make_snapshot(code="wall-clock", time_zone="UTC", is_24x7=True)
_ENDED = frozenset({Status.CLOSED, Status.CANCELLED})
#: Events that never move a clock: notes and files, and the SLA engine's own events (an
#: extension or a recomputation has already changed the clocks when its event is written).
QUIET_KINDS = frozenset({
    TicketEventKind.NOTE_ADDED, TicketEventKind.ATTACHMENTS_ADDED, TicketEventKind.EDITED,
    TicketEventKind.CONTACT_REVEALED, SlaEventKind.EXTENDED, SlaEventKind.DEADLINES_RECOMPUTED,
    SlaEventKind.EXTENSION_REQUESTED, SlaEventKind.EXTENSION_DECLINED,
})


class Calendars:
    """Calendar snapshots read at most once per handler call; id None is the wall clock."""

    def __init__(self) -> None:
        self._loaded: dict[object, CalendarSnapshot] = {}

    def clock(self, calendar_id: int | None) -> CalendarSnapshot:
        if calendar_id is None:
            return WALL_CLOCK
        if calendar_id not in self._loaded:
            self._loaded[calendar_id] = calendar_snapshot(calendar_id=calendar_id)
        return self._loaded[calendar_id]

    def hours(self, calendar_id: int | None) -> CalendarSnapshot:
        """The calendar that tells working hours from the rest: id None is the default one."""
        key = ("hours", calendar_id)
        if key not in self._loaded:
            self._loaded[key] = (
                load_calendar(None) if calendar_id is None else self.clock(calendar_id)
            )
        return self._loaded[key]


def triggers_for(event: TicketEvent) -> set[str]:
    """The trigger names an event fires: its action, plus ``assigned`` (an assignee was set),
    ``staff_reply`` (a public reply by staff), ``reopened`` (work resumes after a resolution),
    ``visit_planned`` (the acceptance found an on-site visit needed, SPEC §3),
    ``customer_contacted`` (staff logged a contact that reached the customer — a call, a
    message, a visit; an unanswered attempt is no contact) and ``live_intake`` (staff recorded
    the ticket while talking to the customer, on the phone or at the counter: the first
    response happened at creation)."""
    kind = event.kind
    triggers = {str(kind)}
    payload = event.payload
    if isinstance(payload, Assignment) and payload.assignee:
        triggers.add("assigned")
    if kind == TicketEventKind.REPLIED and event.actor_kind == ActorKind.STAFF:
        triggers.add("staff_reply")
    if kind == TicketEventKind.REOPENED or (
        kind == TicketEventKind.CONFIRMED and event.to_status == Status.IN_PROGRESS
    ):
        triggers.add("reopened")
    if isinstance(payload, Accepted) and payload.visit_needed:
        triggers.add("visit_planned")
    if isinstance(payload, Contacted) and payload.reached:
        triggers.add("customer_contacted")
    if (isinstance(payload, Created) and payload.channel in LIVE_CHANNELS
            and event.actor_kind == ActorKind.STAFF):
        triggers.add("live_intake")
    return triggers


# --- one clock ------------------------------------------------------------------------------


def allowed_for(*, target: SlaTarget, started_at: datetime, calendars: Calendars) -> timedelta:
    """The target's time: ``outside_hours_duration`` when it has one and ``started_at`` is
    outside the working hours of its hours calendar (SPEC §3 first response 10/30 min)."""
    if target.outside_hours_duration is not None and not is_working_time(
        started_at, calendars.hours(target.hours_calendar_id)
    ):
        return target.outside_hours_duration
    return target.duration


def hours_unconfirmed(*, target: SlaTarget, started_at: datetime,
                      calendars: Calendars) -> bool:
    """Whether ``allowed_for`` judged working hours on a day of a year without confirmed
    holiday data (2027-01-01 taken for an ordinary Friday gives 10 minutes, not 30)."""
    if target.outside_hours_duration is None:
        return False
    cal = calendars.hours(target.hours_calendar_id)
    return cal.unconfirmed_between(started_at, started_at)


def schedule(clock: SlaClock, calendars: Calendars) -> None:
    """Set ``due_at`` and ``warn_at`` from the clock's start, granted time and pauses, and
    flag the deadline when the time between start and due crosses a year without confirmed
    holiday data. The flag only ever turns on here (a pause or an extension moves the
    deadline later); ``new_clock`` and ``recompute`` start it afresh."""
    cal = calendars.clock(clock.calendar_id)
    granted = clock.allowed + clock.extended
    clock.due_at = add_working_time(clock.started_at, granted + clock.paused_working, cal)
    clock.warn_at = add_working_time(
        clock.started_at, granted * clock.warn_percent / 100 + clock.paused_working, cal
    )
    clock.calendar_unconfirmed = clock.calendar_unconfirmed or cal.unconfirmed_between(
        clock.started_at, clock.due_at
    )


def _unextended_due(clock: SlaClock, calendars: Calendars) -> datetime:
    if not clock.extended:
        return clock.due_at
    return add_working_time(clock.started_at, clock.allowed + clock.paused_working,
                            calendars.clock(clock.calendar_id))


def new_clock(*, ticket: Ticket, status: str, target: SlaTarget, at: datetime,
              warn_percent: int, calendars: Calendars) -> SlaClock:
    """An unsaved clock for ``target`` started at ``at``, paused at once when the ticket's
    ``status`` is one of the target's pause states."""
    clock = SlaClock(
        ticket=ticket, name=target.name, target=target if target.pk else None,
        calendar_id=target.calendar_id,
        allowed=allowed_for(target=target, started_at=at, calendars=calendars),
        started_at=at, state=ClockState.RUNNING, warn_percent=warn_percent,
        calendar_unconfirmed=hours_unconfirmed(target=target, started_at=at,
                                               calendars=calendars),
    )
    schedule(clock, calendars)
    clock.original_due_at = clock.due_at
    if status in (target.pause_statuses or ()):
        clock.state, clock.paused_at = ClockState.PAUSED, at
    return clock


def _fold_pause(clock: SlaClock, at: datetime, calendars: Calendars) -> None:
    """End the current pause at ``at``: add its working time to the clock and push due."""
    if clock.paused_at is None:
        return
    end = max(at, clock.paused_at)
    cal = calendars.clock(clock.calendar_id)
    clock.paused_working += working_time_between(clock.paused_at, end, cal)
    clock.pauses = [*clock.pauses, [clock.paused_at.isoformat(), end.isoformat()]]
    clock.paused_at = None
    schedule(clock, calendars)


def pause(clock: SlaClock, at: datetime) -> None:
    """Stop counting at ``at``; a clock already past due is breached instead (a wait that
    starts after the deadline does not rescue it)."""
    if clock.due_at <= at:
        clock.state, clock.breached_at = ClockState.BREACHED, clock.breached_at or clock.due_at
        return
    clock.state, clock.paused_at = ClockState.PAUSED, at


def resume(clock: SlaClock, at: datetime, calendars: Calendars) -> None:
    _fold_pause(clock, at, calendars)
    clock.state = ClockState.RUNNING


def stop(clock: SlaClock, at: datetime, calendars: Calendars) -> None:
    """The target is done at ``at``: met when in time, breached (and met) when late."""
    _fold_pause(clock, at, calendars)
    clock.met_at = at
    clock.escalate_at = None
    if at > clock.due_at or clock.breached_at is not None:
        clock.state = ClockState.BREACHED
        clock.breached_at = clock.breached_at or clock.due_at
    else:
        clock.state = ClockState.MET


def recompute(clock: SlaClock, *, target: SlaTarget, at: datetime, reason: str,
              warn_percent: int, calendars: Calendars) -> None:
    """Give an open clock the time of ``target`` counted from its original start (a priority
    change, or a policy an administrator changed): pauses are re-measured on the new calendar,
    time added by extensions stays granted; the change is recorded."""
    before = clock.due_at
    clock.target = target if target.pk else None
    clock.calendar_id = target.calendar_id
    clock.warn_percent = warn_percent
    clock.allowed = allowed_for(target=target, started_at=clock.started_at, calendars=calendars)
    clock.calendar_unconfirmed = hours_unconfirmed(target=target, started_at=clock.started_at,
                                                   calendars=calendars)
    cal = calendars.clock(clock.calendar_id)
    clock.paused_working = sum(
        (working_time_between(parse_datetime(a), parse_datetime(b), cal) for a, b in clock.pauses),
        timedelta(0),
    )
    schedule(clock, calendars)
    clock.original_due_at = _unextended_due(clock, calendars)
    if clock.state == ClockState.BREACHED and clock.due_at > at:
        clock.state, clock.breached_at = ClockState.RUNNING, None
        clock.escalation_level, clock.escalate_at = 0, None
    if clock.warned_at is not None and clock.warn_at > at:
        clock.warned_at = None
    clock.changes = [*clock.changes, {
        "at": at.isoformat(), "reason": reason,
        "from_due": before.isoformat(), "to_due": clock.due_at.isoformat(),
    }]


# --- one event ------------------------------------------------------------------------------


@dataclass
class Terms:
    """What a ticket's clocks are held to: the matching policy's targets by name, the targets
    the open clocks were started from (they still decide how those stop), the warning point."""

    targets: dict[str, SlaTarget]
    started_from: dict[int, SlaTarget] = field(default_factory=dict)
    warn_percent: int = field(default_factory=default_warn_percent)

    def for_clock(self, clock: SlaClock) -> SlaTarget | None:
        own = self.started_from.get(clock.target_id) if clock.target_id else None
        return own or self.targets.get(clock.name)


@dataclass
class Applied:
    changed: list[SlaClock]
    started: list[SlaClock]


def event_time(event: TicketEvent, ticket: Ticket) -> datetime:
    """When an event counts for the clocks: a ticket counts from its receipt (SPEC §2)."""
    return ticket.received_at if event.kind == TicketEventKind.CREATED else event.at


def apply_event(*, event: TicketEvent, ticket: Ticket, status: str, clocks: list[SlaClock],
                terms: Terms, calendars: Calendars) -> Applied:
    """What ``event`` does to the ticket's ``clocks`` (all of them, closed ones included) when
    the ticket's status after it is ``status``: changes them in memory and returns the changed
    ones and the new ones, saving nothing. In this order: recompute the open clocks on a
    priority change, stop the clocks the triggers stop, cancel the rest when the ticket is
    closed or cancelled, pause or resume by the new status, start (or re-arm) the clocks the
    triggers start. Used by the live handler and by the replay of a draft policy."""
    at = event_time(event, ticket)
    triggers = triggers_for(event)
    open_clocks = [c for c in clocks if c.is_open]
    changed: dict[int, SlaClock] = {}

    payload = event.payload
    if isinstance(payload, PrioritySet) and payload.previous != payload.priority:
        reason = f"priority {payload.previous} → {payload.priority}"
        for clock in open_clocks:
            target = terms.targets.get(clock.name)
            if target is None:
                clock.state = ClockState.CANCELLED
            else:
                recompute(clock, target=target, at=at, reason=reason,
                          warn_percent=terms.warn_percent, calendars=calendars)
                if target.pk:
                    terms.started_from[target.pk] = target
            changed[id(clock)] = clock
    for clock in open_clocks:
        if not clock.is_open:
            continue
        target = terms.for_clock(clock)
        if target is not None and triggers & set(target.stop_events or ()):
            stop(clock, at, calendars)
            changed[id(clock)] = clock
    if event.to_status in _ENDED:
        for clock in open_clocks:
            if clock.is_open and clock.state in (ClockState.RUNNING, ClockState.PAUSED):
                _fold_pause(clock, at, calendars)
                clock.state = ClockState.CANCELLED
                changed[id(clock)] = clock
    elif event.to_status:
        for clock in open_clocks:
            if not clock.is_open:
                continue
            target = terms.for_clock(clock)
            pausing = event.to_status in ((target.pause_statuses or ()) if target else ())
            if pausing and clock.state == ClockState.RUNNING:
                pause(clock, at)
                changed[id(clock)] = clock
            elif not pausing and clock.state == ClockState.PAUSED:
                resume(clock, at, calendars)
                changed[id(clock)] = clock
    started: list[SlaClock] = []
    had = {c.name for c in clocks}
    for target in terms.targets.values():
        if target.start_event in triggers and target.name not in had:
            clock = new_clock(ticket=ticket, status=status, target=target, at=at,
                              warn_percent=terms.warn_percent, calendars=calendars)
            if triggers & set(target.stop_events or ()):
                stop(clock, at, calendars)  # started and met by the same event
            started.append(clock)
        elif (triggers & set(target.restart_events or ()) and target.name in had
              and status in OPEN_STATUSES):
            for clock in open_clocks:
                if clock.name == target.name and clock.is_open:
                    _fold_pause(clock, at, calendars)
                    clock.state = ClockState.CANCELLED
                    changed[id(clock)] = clock
            started.append(new_clock(ticket=ticket, status=status, target=target, at=at,
                                     warn_percent=terms.warn_percent, calendars=calendars))
    return Applied(changed=list(changed.values()), started=started)


def terms_for(*, ticket: Ticket, clocks: list[SlaClock]) -> Terms:
    """The live terms of ``ticket``: its matching policy now, and the targets its open clocks
    were started from."""
    policy = policy_for(ticket=ticket)
    targets = {t.name: t for t in policy.targets.all()} if policy else {}
    open_ids = {c.target_id for c in clocks if c.is_open and c.target_id}
    started_from = (
        {t.pk: t for t in SlaTarget.objects.filter(pk__in=open_ids)} if open_ids else {}
    )
    return Terms(targets=targets, started_from=started_from,
                 warn_percent=policy.warn_at_percent if policy else default_warn_percent())


def on_ticket_event(event: TicketEvent) -> None:
    """Start, stop, pause, resume, re-arm and recompute the ticket's clocks for ``event``,
    and write ``Ticket.next_due_at``. Runs inside the transaction that wrote the event."""
    if event.kind in QUIET_KINDS:
        return
    ticket = event.ticket
    # A ticket being created has no clocks yet: no need to ask the database.
    clocks = (
        [] if event.kind == TicketEventKind.CREATED
        else list(SlaClock.objects.filter(ticket=ticket).order_by("id"))
    )
    try:
        applied = apply_event(event=event, ticket=ticket, status=ticket.status, clocks=clocks,
                              terms=terms_for(ticket=ticket, clocks=clocks),
                              calendars=Calendars())
    except DomainError:
        # A broken calendar must not block the ticket change; the clocks wait for a fix.
        logger.exception("SLA clocks not updated for ticket %s (%s)", ticket.pk, event.kind)
        return
    for clock in applied.changed:
        clock.save()
    if applied.started:
        insert_all(applied.started)  # one INSERT, its statement kept (core.rows)
    refresh_next_due(ticket=ticket, clocks=[*clocks, *applied.started])
    if (scratch := memo()) is not None:
        # Inside the intake's answer (core.memo): its deadlines are the clocks just started.
        # Any later event of the ticket forgets them.
        if event.kind == TicketEventKind.CREATED:
            scratch[("sla_clocks", ticket.pk)] = list(applied.started)
        else:
            scratch.pop(("sla_clocks", ticket.pk), None)


def counting(clocks) -> list[SlaClock]:
    """Clocks still counting toward a deadline: running, or breached and not yet met."""
    return [c for c in clocks if c.met_at is None
            and c.state in (ClockState.RUNNING, ClockState.BREACHED)]


def refresh_next_due(*, ticket: Ticket, clocks: list[SlaClock] | None = None) -> None:
    """``Ticket.next_due_at`` = the earliest due time among the clocks still counting (None
    when there is none or the ticket is no longer open); written with a queryset update."""
    if clocks is None:
        clocks = list(SlaClock.objects.filter(ticket=ticket))
    due = None
    if ticket.status in OPEN_STATUSES:
        due = min((c.due_at for c in counting(clocks)), default=None)
    if ticket.next_due_at != due:
        update(ticket, next_due_at=due)  # the queryset update, its statement kept (core.rows)


# --- reading --------------------------------------------------------------------------------


def deadline_payload(clock: SlaClock, *, now: datetime) -> dict:
    breached = clock.breached_at is not None or clock.state == ClockState.BREACHED or (
        clock.met_at is None and clock.state == ClockState.RUNNING and clock.due_at <= now
    )
    return {"due_at": clock.due_at, "met_at": clock.met_at, "state": clock.state,
            "breached": breached, "calendar_unconfirmed": clock.calendar_unconfirmed}


# One ticket's clocks, with SQL built once per process (see fivestar/core/compiled.py).
_CLOCKS_OF_TICKET = CompiledQuery(
    lambda ticket_id: SlaClock.objects.filter(ticket_id=ticket_id), ticket_id=-9_000_001
)


def deadlines_for(ticket: Ticket) -> dict[str, dict]:
    """The ticket's deadlines keyed by target name (DESIGN.md): the latest clock of each
    target. Uses ``ticket.sla_clocks`` as prefetched when it is (the list endpoint)."""
    clocks = getattr(ticket, "_prefetched_objects_cache", {}).get("sla_clocks")
    if clocks is None and (scratch := memo()) is not None:
        clocks = scratch.get(("sla_clocks", ticket.pk))
    if clocks is None:
        clocks = _CLOCKS_OF_TICKET.run(ticket_id=ticket.pk)
    now = timezone.now()
    latest: dict[str, SlaClock] = {}
    for clock in sorted(clocks, key=lambda c: c.pk):
        latest[clock.name] = clock
    return {name: deadline_payload(clock, now=now) for name, clock in latest.items()}
