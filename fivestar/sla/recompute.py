"""Recompute the open tickets' deadlines under a policy an administrator changed (SPEC §3:
"the change applies to new work"; moving the work already open is a separate, explicit step).

The tickets concerned are the open ones the policy governs now (``policy_for``). Each open clock
gets its target's current time counted from its own start (pauses re-measured, extensions kept)
— the same rule as a priority change; a clock whose target the policy no longer has is
cancelled. One transaction per ticket, under its row lock; a ticket whose deadlines changed gets
one ``recompute_deadlines`` event on its timeline, with the deadlines before and after.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from fivestar.accounts.models import User
from fivestar.core.errors import DomainError
from fivestar.sla.clocks import Calendars, Terms, recompute, refresh_next_due
from fivestar.sla.events import deadlines_recomputed_event
from fivestar.sla.models import ClockState, SlaClock, SlaPolicy, default_warn_percent
from fivestar.sla.selectors import policy_for
from fivestar.sla.simulation import replay_ticket
from fivestar.tickets.actors import Actor
from fivestar.tickets.models import OPEN_STATUSES, Ticket

logger = logging.getLogger(__name__)

#: Tickets read per query while looking for the ones the policy governs.
RECOMPUTE_BATCH = 500


@dataclass(frozen=True)
class Recomputed:
    tickets_checked: int
    tickets_changed: int
    clocks_changed: int


def _candidates(policy: SlaPolicy):
    """Open tickets whose values fit the policy's matchers (a more specific policy may still
    win; ``policy_for`` decides per ticket)."""
    tickets = Ticket.objects.filter(status__in=OPEN_STATUSES)
    for name, lookup in (("priority", "priority"), ("ticket_type", "type"),
                         ("channel", "channel"), ("customer_tier", "customer__tier")):
        if value := getattr(policy, name):
            tickets = tickets.filter(**{lookup: value})
    if policy.product_line_id:
        tickets = tickets.filter(product_model__product_line_id=policy.product_line_id)
    open_clocks = SlaClock.objects.filter(ticket=OuterRef("pk"), met_at__isnull=True).exclude(
        state=ClockState.CANCELLED)
    return tickets.filter(Exists(open_clocks))


def _snapshot(clock: SlaClock) -> tuple:
    return (clock.due_at, clock.warn_at, clock.state, clock.allowed, clock.calendar_id,
            clock.warn_percent, clock.target_id)


def _recompute_ticket(*, ticket_id: int, policy: SlaPolicy, actor: User | None,
                      at: datetime, calendars: Calendars) -> int:
    with transaction.atomic():
        ticket = (Ticket.objects.select_for_update(of=("self",))
                  .select_related("customer", "product_model").get(pk=ticket_id))
        if ticket.status not in OPEN_STATUSES:
            return 0
        current = policy_for(ticket=ticket)
        if current is None or current.pk != policy.pk:
            return 0
        targets = {t.name: t for t in current.targets.all()}
        clocks = list(SlaClock.objects.select_for_update().filter(ticket=ticket).order_by("id"))
        changed = []
        reason = f"policy {current.pk} recomputed"
        for clock in clocks:
            if not clock.is_open:
                continue
            before = _snapshot(clock)
            target = targets.get(clock.name)
            if target is None:
                clock.state = ClockState.CANCELLED
            else:
                recompute(clock, target=target, at=at, reason=reason,
                          warn_percent=current.warn_at_percent, calendars=calendars)
            if _snapshot(clock) != before:
                changed.append((clock, before))
        if not changed:
            # Nothing moved: the history recompute() appended is not worth a write.
            return 0
        for clock, _before in changed:
            clock.save()
        refresh_next_due(ticket=ticket, clocks=clocks)
        deadlines_recomputed_event(
            ticket=ticket, actor=Actor(user=actor),
            before={clock.name: (before[0], before[2]) for clock, before in changed},
            after={clock.name: (clock.due_at, clock.state) for clock, _before in changed},
            note=current.name,
        )
        return len(changed)


def recompute_open_deadlines(*, policy: SlaPolicy, actor: User | None,
                             now: datetime | None = None) -> Recomputed:
    """Give the open tickets ``policy`` governs the deadlines of its current targets (SPEC §3).

    Idempotent: a second run changes nothing and writes no event. A ticket whose calendar is
    broken is logged and skipped; the others go on.
    """
    at = now or timezone.now()
    calendars = Calendars()
    checked = tickets_changed = clocks_changed = 0
    last_id = 0
    while True:
        ids = list(_candidates(policy).filter(pk__gt=last_id).order_by("pk")
                   .values_list("pk", flat=True)[:RECOMPUTE_BATCH])
        if not ids:
            break
        last_id = ids[-1]
        for ticket_id in ids:
            checked += 1
            try:
                count = _recompute_ticket(ticket_id=ticket_id, policy=policy, actor=actor,
                                          at=at, calendars=calendars)
            except DomainError:
                logger.exception("deadlines of ticket %s not recomputed", ticket_id)
                continue
            if count:
                tickets_changed += 1
                clocks_changed += count
    return Recomputed(tickets_checked=checked, tickets_changed=tickets_changed,
                      clocks_changed=clocks_changed)


def rebuild_clocks(*, ticket: Ticket, now: datetime | None = None) -> list[SlaClock]:
    """Replace ``ticket``'s clocks with the ones its events give under its policy today.

    For history written after the fact (the demo loader back-dates its tickets; an import of
    old tickets would do the same): the clocks then count from when things happened, not from
    when the rows were written. Warnings and breaches already past are history — they are
    marked as done, so the sweep does not send today a warning that was due last month.
    """
    now = now or timezone.now()
    policy = policy_for(ticket=ticket)
    terms = Terms(targets={t.name: t for t in policy.targets.all()} if policy else {},
                  warn_percent=policy.warn_at_percent if policy else default_warn_percent())
    events = list(ticket.events.order_by("at", "id"))
    with transaction.atomic():
        SlaClock.objects.filter(ticket=ticket).delete()
        clocks = replay_ticket(ticket=ticket, events=events, terms=terms,
                               calendars=Calendars(), now=now)
        for clock in clocks:
            if clock.warn_at and clock.warn_at <= now and clock.warned_at is None:
                clock.warned_at = clock.warn_at
            if clock.state == ClockState.BREACHED:
                clock.escalate_at = None
        SlaClock.objects.bulk_create(clocks)
        refresh_next_due(ticket=ticket, clocks=clocks)
    return clocks
