"""The SLA sweep (SPEC §3): warnings before a deadline, breach at the deadline, escalation
when nobody acts. Registered with ``fivestar.core.periodic`` to run every minute.

Idempotent and safe with several workers: each pass claims its rows with
``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL) inside a short transaction, re-checks the
condition under the lock (it is the query's filter), changes the clock and queues the
notification in the same transaction, with a dedupe key per clock and step — so each warning and
each breach level is sent once, whoever runs it. A row that fails is logged and skipped; it never
stops the sweep for the other tickets.

Escalation chain: at breach the assignee (level 1); ``SLA_ESCALATION_STEP`` later (default
30 min) the supervisor of the ticket's department (level 2); again later its manager (level 3).
A level whose person is missing goes to the next one up.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fivestar.sla.models import ClockState, SlaClock
from fivestar.tickets.models import OPEN_STATUSES

logger = logging.getLogger(__name__)

#: Rows claimed per transaction.
SWEEP_BATCH = 200
DEFAULT_ESCALATION_STEP = timedelta(minutes=30)
TOP_LEVEL = 3
SLA_WARNING = "sla_warning"
SLA_BREACHED = "sla_breached"


def escalation_step() -> timedelta:
    return getattr(settings, "SLA_ESCALATION_STEP", DEFAULT_ESCALATION_STEP)


def sla_sweep(*, now: datetime | None = None, batch: int = SWEEP_BATCH) -> dict[str, int]:
    """One pass: breach clocks past due, warn the ones past their warning time, escalate
    breaches nobody acted on. Returns how many clocks each step changed."""
    now = now or timezone.now()
    return {
        "breached": _claim_and_apply(
            Q(state=ClockState.RUNNING, due_at__lte=now), _breach, now=now, batch=batch),
        "warned": _claim_and_apply(
            Q(state=ClockState.RUNNING, warned_at__isnull=True, warn_at__lte=now), _warn,
            now=now, batch=batch),
        "escalated": _claim_and_apply(
            Q(state=ClockState.BREACHED, met_at__isnull=True, escalate_at__lte=now), _escalate,
            now=now, batch=batch),
    }


def _claim_and_apply(condition: Q, apply: Callable[[SlaClock, datetime], None], *,
                     now: datetime, batch: int) -> int:
    done, failed = 0, set()
    while True:
        with transaction.atomic():
            rows = list(
                SlaClock.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(condition).exclude(pk__in=failed)
                .select_related("ticket", "ticket__assignee", "ticket__department__supervisor",
                                "ticket__department__manager")
                .order_by("due_at", "id")[:batch]
            )
            for clock in rows:
                try:
                    with transaction.atomic():
                        apply(clock, now)
                    done += 1
                except Exception:
                    logger.exception("SLA sweep: clock %s failed", clock.pk)
                    failed.add(clock.pk)
        if len(rows) < batch:
            return done


def _recipient(clock: SlaClock, level: int):
    """The person for escalation ``level`` (1 assignee, 2 supervisor, 3 manager), going up
    when one is missing; (None, level) when nobody is left."""
    ticket = clock.ticket
    department = ticket.department
    people = {
        1: ticket.assignee,
        2: department.supervisor if department else None,
        3: department.manager if department else None,
    }
    for candidate in range(level, TOP_LEVEL + 1):
        person = people[candidate]
        if person is not None and person.is_active and person.email:
            return person, candidate
    return None, TOP_LEVEL


def _notify(clock: SlaClock, *, person, code: str, key: str, level: int) -> None:
    from fivestar.notifications.models import Channel
    from fivestar.notifications.selectors import language_of
    from fivestar.notifications.services import queue_message

    ticket = clock.ticket
    queue_message(
        channel=Channel.EMAIL, recipient=person.email, template_code=code,
        language=language_of(person), ticket=ticket, dedupe_key=key,
        context={
            "number": ticket.number, "title": ticket.title, "priority": ticket.priority,
            "target": clock.name, "target_label": clock.get_name_display(),
            "due_at": clock.due_at, "recipient_name": str(person), "level": level,
            "assignee_name": str(ticket.assignee) if ticket.assignee else "",
        },
    )


def _warn(clock: SlaClock, now: datetime) -> None:
    SlaClock.objects.filter(pk=clock.pk).update(warned_at=now)
    if clock.ticket.status not in OPEN_STATUSES:
        return
    person, level = _recipient(clock, 1)
    if person is not None:
        _notify(clock, person=person, code=SLA_WARNING, key=f"sla:{clock.pk}:warning",
                level=level)


def _breach(clock: SlaClock, now: datetime) -> None:
    person, level = _recipient(clock, 1)
    SlaClock.objects.filter(pk=clock.pk).update(
        state=ClockState.BREACHED, breached_at=clock.due_at, escalation_level=level,
        escalate_at=(now + escalation_step()) if level < TOP_LEVEL else None,
        warned_at=clock.warned_at or now,
    )
    if person is not None and clock.ticket.status in OPEN_STATUSES:
        _notify(clock, person=person, code=SLA_BREACHED, key=f"sla:{clock.pk}:breach:{level}",
                level=level)


def _escalate(clock: SlaClock, now: datetime) -> None:
    if clock.ticket.status not in OPEN_STATUSES:
        SlaClock.objects.filter(pk=clock.pk).update(escalate_at=None)
        return
    person, level = _recipient(clock, clock.escalation_level + 1)
    SlaClock.objects.filter(pk=clock.pk).update(
        escalation_level=level,
        escalate_at=(now + escalation_step()) if level < TOP_LEVEL else None,
    )
    if person is not None:
        _notify(clock, person=person, code=SLA_BREACHED, key=f"sla:{clock.pk}:breach:{level}",
                level=level)
