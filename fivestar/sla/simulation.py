"""What a policy would do, computed without changing anything (SPEC §3: administrators change
the service standards as data, and want to see the effect first).

- ``preview_deadlines``: the deadlines a ticket of a given priority, type and channel received
  at a given time gets on intake, under the policies in force.
- ``replay_draft``: every ticket received in a period, replayed event by event under a draft
  policy with the same clock rules as the live engine (``clocks.apply_event``), and the outcome
  per target — met, breached, still open, cancelled — beside what actually happened.

Both build unsaved clocks in memory; nothing is written. The replay treats the period's tickets
the draft's matchers select by their values today; it emulates the sweep by marking a running
clock breached once an event comes after its deadline; extensions agreed under the real
deadlines are not carried over to the draft's.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fivestar.core.errors import ValidationFailed
from fivestar.sla.clocks import (
    QUIET_KINDS,
    Calendars,
    Terms,
    apply_event,
    event_time,
)
from fivestar.sla.models import (
    ClockState,
    SlaClock,
    SlaPolicy,
    TargetName,
    default_warn_percent,
)
from fivestar.sla.policies import PolicySpec, draft_targets
from fivestar.sla.selectors import policy_for
from fivestar.tickets.events import TicketEventKind
from fivestar.tickets.models import Status, Ticket, TicketEvent

#: Tickets read per query during a replay.
REPLAY_BATCH = 200
MAX_REPLAY_PERIOD = timedelta(days=366)
OUTCOMES = ("met", "breached", "open", "cancelled")


# --- preview --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    policy: SlaPolicy | None
    received_at: datetime
    # Target name → {"due_at", "state", "breached", "calendar_unconfirmed"}: the ticket's
    # ``deadlines`` minus ``met_at``.
    deadlines: dict[str, dict]


def preview_deadlines(*, priority: str, ticket_type: str = "", channel: str = "",
                      received_at: datetime | None = None,
                      now: datetime | None = None) -> Preview:
    """The deadlines a ticket would be given on intake (SPEC §3): the targets that start when
    the ticket is received, computed by the live clock rules under the policy that would match.
    Targets that start later (contact, visit, update) are not due yet and are not listed."""
    now = now or timezone.now()
    received_at = received_at or now
    ticket = Ticket(priority=priority, type=ticket_type, channel=channel,
                    received_at=received_at, status=Status.NEW)
    policy = policy_for(ticket=ticket)
    terms = Terms(targets={t.name: t for t in policy.targets.all()} if policy else {},
                  warn_percent=policy.warn_at_percent if policy else default_warn_percent())
    created = TicketEvent(ticket=ticket, action=TicketEventKind.CREATED, at=received_at,
                          to_status=Status.NEW)
    applied = apply_event(event=created, ticket=ticket, status=Status.NEW, clocks=[],
                          terms=terms, calendars=Calendars())
    deadlines = {
        clock.name: {"due_at": clock.due_at, "state": clock.state,
                     "breached": clock.state == ClockState.RUNNING and clock.due_at <= now,
                     "calendar_unconfirmed": clock.calendar_unconfirmed}
        for clock in applied.started
    }
    return Preview(policy=policy, received_at=received_at, deadlines=deadlines)


# --- replay ---------------------------------------------------------------------------------


def outcome(clock: SlaClock, *, now: datetime) -> str:
    """How a clock ended, or stands at ``now``: breached (late, met or not), met, cancelled,
    or open."""
    if clock.breached_at is not None or clock.state == ClockState.BREACHED:
        return "breached"
    if clock.met_at is not None:
        return "met"
    if clock.state == ClockState.CANCELLED:
        return "cancelled"
    if clock.state == ClockState.RUNNING and clock.due_at <= now:
        return "breached"
    return "open"


def _breach_past_due(clocks: list[SlaClock], at: datetime) -> None:
    # What the sweep would have done before an event at ``at``; an event exactly at the
    # deadline is in time, as ``clocks.stop`` counts it.
    for clock in clocks:
        if clock.met_at is None and clock.state == ClockState.RUNNING and clock.due_at < at:
            clock.state, clock.breached_at = ClockState.BREACHED, clock.due_at


def replay_ticket(*, ticket: Ticket, events: list[TicketEvent], terms: Terms,
                  calendars: Calendars, now: datetime) -> list[SlaClock]:
    """The clocks ``ticket`` would have had under ``terms``, from its events (oldest first),
    as they stand at ``now``. Unsaved."""
    clocks: list[SlaClock] = []
    status = Status.NEW
    for event in events:
        if event.kind in QUIET_KINDS:
            continue
        _breach_past_due(clocks, event_time(event, ticket))
        status = event.to_status or status
        applied = apply_event(event=event, ticket=ticket, status=status, clocks=clocks,
                              terms=terms, calendars=calendars)
        clocks.extend(applied.started)
    _breach_past_due(clocks, now)
    return clocks


@dataclass
class Replay:
    tickets: int = 0
    # Target name → {"draft": Counter of outcomes, "actual": Counter of outcomes}.
    targets: dict[str, dict[str, Counter]] = field(default_factory=dict)

    def count(self, side: str, clocks, now: datetime) -> None:
        for clock in clocks:
            sides = self.targets.setdefault(clock.name, {"draft": Counter(), "actual": Counter()})
            sides[side][outcome(clock, now=now)] += 1

    def as_dict(self) -> dict:
        names = [name for name in TargetName.values if name in self.targets]
        return {
            "tickets": self.tickets,
            "targets": {
                name: {side: {key: self.targets[name][side][key] for key in OUTCOMES}
                       for side in ("draft", "actual")}
                for name in names
            },
        }


def _matching(tickets: QuerySet[Ticket], spec: PolicySpec) -> QuerySet[Ticket]:
    for name, lookup in (("priority", "priority"), ("ticket_type", "type"),
                         ("channel", "channel"), ("customer_tier", "customer__tier")):
        if value := getattr(spec, name):
            tickets = tickets.filter(**{lookup: value})
    if spec.product_line is not None:
        tickets = tickets.filter(product_model__product_line=spec.product_line)
    return tickets


def check_period(*, period_from: datetime, period_to: datetime) -> None:
    """A replay period: ``from`` before ``to``, one year at most (``ValidationFailed``)."""
    if period_to <= period_from:
        raise ValidationFailed(_("结束时间必须晚于开始时间。"),
                               fields={"to": [_("必须晚于开始时间。")]})
    if period_to - period_from > MAX_REPLAY_PERIOD:
        raise ValidationFailed(_("回放期间最长一年。"), fields={"to": [_("期间超过一年。")]})


def replay_draft(*, spec: PolicySpec, period_from: datetime, period_to: datetime,
                 now: datetime | None = None) -> Replay:
    """Replay the tickets received in [``period_from``, ``period_to``) that ``spec`` (a checked
    draft, ``policies.validate_policy``) would match, under its targets, and count per target
    the clocks met, breached, open and cancelled under the draft and in reality (SPEC §3).
    Changes no ticket and no clock."""
    check_period(period_from=period_from, period_to=period_to)
    now = now or timezone.now()
    targets = draft_targets(spec)
    calendars = Calendars()
    result = Replay()
    tickets = _matching(
        Ticket.objects.filter(received_at__gte=period_from, received_at__lt=period_to), spec
    ).prefetch_related(
        Prefetch("events", queryset=TicketEvent.objects.order_by("at", "id")),
        Prefetch("sla_clocks", queryset=SlaClock.objects.order_by("id")),
    ).order_by("pk")
    last_id = 0
    while True:
        batch = list(tickets.filter(pk__gt=last_id)[:REPLAY_BATCH])
        if not batch:
            return result
        last_id = batch[-1].pk
        for ticket in batch:
            terms = Terms(targets=targets, warn_percent=spec.warn_at_percent)
            clocks = replay_ticket(ticket=ticket, events=list(ticket.events.all()),
                                   terms=terms, calendars=calendars, now=now)
            result.tickets += 1
            result.count("draft", clocks, now)
            result.count("actual", ticket.sla_clocks.all(), now)
