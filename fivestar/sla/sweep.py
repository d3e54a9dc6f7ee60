"""The SLA sweep (SPEC §3): warnings before a deadline, breach at the deadline, escalation
when nobody acts. Registered with ``fivestar.core.periodic`` to run every minute.

Idempotent and safe with several workers: each pass claims its rows with
``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL) inside a short transaction, re-checks the
condition under the lock (it is the query's filter), changes the clock and queues the
notification in the same transaction, with a dedupe key per clock and step — so each warning and
each breach level is sent once, whoever runs it. A row that fails is logged and skipped; it never
stops the sweep for the other tickets.

Escalation chain: at breach the assignee (level 1); the policy's ``escalation_step`` later
(default 30 min, data an administrator edits) the supervisor of the ticket's department (level
2); again later its manager (level 3). A level whose person is missing goes to the next one up.
"""

import logging
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from fivestar.sla.models import ClockState, SlaClock, TargetName, default_escalation_step
from fivestar.tickets.models import OPEN_STATUSES

logger = logging.getLogger(__name__)

#: Rows claimed per transaction.
SWEEP_BATCH = 200
TOP_LEVEL = 3
SLA_WARNING = "sla_warning"
SLA_BREACHED = "sla_breached"


def escalation_step(clock: SlaClock) -> timedelta:
    """The pace of the clock's policy; the default one when its target is gone."""
    target = clock.target
    return target.policy.escalation_step if target is not None else default_escalation_step()


def due_conditions(now: datetime) -> dict[str, Q]:
    """The clocks each step of a pass at ``now`` claims. Each is served by an index of
    ``SlaClock`` (state and due time; warning time while not warned; escalation time), so a
    pass costs the rows due, not the rows open."""
    return {
        "breached": Q(state=ClockState.RUNNING, due_at__lte=now),
        # Past its deadline a clock is breached, not warned: with several workers the breach
        # step of another may not have reached it yet.
        "warned": Q(state=ClockState.RUNNING, warned_at__isnull=True, warn_at__lte=now,
                    due_at__gt=now),
        "escalated": Q(state=ClockState.BREACHED, met_at__isnull=True, escalate_at__lte=now),
    }


def sla_sweep(*, now: datetime | None = None, batch: int = SWEEP_BATCH) -> dict[str, int]:
    """One pass: breach clocks past due, warn the ones past their warning time, escalate
    breaches nobody acted on. Returns how many clocks each step changed."""
    now = now or timezone.now()
    return {
        name: _claim_and_apply(condition, STEPS[name], now=now, batch=batch)
        for name, condition in due_conditions(now).items()
    }


def claim_query(condition: Q):
    """The rows a step claims, locked, with what the notification needs in the same query."""
    return (
        SlaClock.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(condition)
        .select_related("ticket", "ticket__assignee", "ticket__department__supervisor",
                        "ticket__department__manager", "target__policy")
        .order_by("due_at", "id")
    )


# The notices of the batch being applied: written together after the batch, in its transaction.
_batch_notices: ContextVar[list | None] = ContextVar("sla_batch_notices", default=None)


def _apply_batch(rows: list[SlaClock], apply: Callable[[SlaClock, datetime], dict],
                 now: datetime) -> None:
    from fivestar.notifications.inbox import notify_staff_many

    notices: list = []
    token = _batch_notices.set(notices)
    try:
        changes = [(clock.pk, apply(clock, now)) for clock in rows]
    finally:
        _batch_notices.reset(token)
    _write(changes)
    notify_staff_many(notices=notices)


def _claim_and_apply(condition: Q, apply: Callable[[SlaClock, datetime], dict], *,
                     now: datetime, batch: int) -> int:
    """Claim ``batch`` rows at a time and ``apply`` the step to each: it queues the
    notification and returns the clock's changes, written for the whole batch with one UPDATE
    per distinct change. When a clock fails, the batch is rolled back and done again one clock
    at a time, so that only the failing clock is left for the next pass."""
    done, failed = 0, set()
    while True:
        with transaction.atomic():
            rows = list(claim_query(condition).exclude(pk__in=failed)[:batch])
            try:
                with transaction.atomic():
                    _apply_batch(rows, apply, now)
                done += len(rows)
            except Exception:
                # Our own locks do not stop us reading the same rows again, as they were.
                for clock in claim_query(condition).filter(pk__in=[r.pk for r in rows]):
                    try:
                        with transaction.atomic():
                            _apply_batch([clock], apply, now)
                        done += 1
                    except Exception:
                        logger.exception("SLA sweep: clock %s failed", clock.pk)
                        failed.add(clock.pk)
        if len(rows) < batch:
            return done


def _write(changes: list[tuple[int, dict]]) -> None:
    # Most clocks of a batch change alike (values or expressions of their own columns): one
    # UPDATE per distinct change instead of one per clock.
    groups: dict[tuple, list[int]] = {}
    for pk, change in changes:
        groups.setdefault(tuple(change.items()), []).append(pk)
    for change, pks in groups.items():
        SlaClock.objects.filter(pk__in=pks).update(**dict(change))


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
        if person is not None and person.is_active:
            return person, candidate
    return None, TOP_LEVEL


def _target_label(name: str) -> str:
    # TargetName(name).label, not get_name_display(): that one hashes every lazy choice label
    # on each call, which a sweep notifying thousands of clocks feels.
    return str(TargetName(name).label) if name in TargetName.values else name


def _notify(clock: SlaClock, *, person, code: str, key: str, level: int) -> None:
    """One warning or breach notice for ``person``: in the workspace bell and by e-mail, both
    keyed by ``key`` so a second worker or a second pass sends nothing more."""
    from django.utils import translation
    from django.utils.translation import gettext as _

    from fivestar.notifications.inbox import StaffNotice, StaffNotificationKind
    from fivestar.notifications.selectors import language_of

    ticket = clock.ticket
    warning = code == SLA_WARNING
    with translation.override(language_of(person)):
        if warning:
            title = _("工单 %(number)s 即将超时") % {"number": ticket.number}
        elif level > 1:
            title = _("工单 %(number)s 已超时，已升级给您") % {"number": ticket.number}
        else:
            title = _("工单 %(number)s 已超时") % {"number": ticket.number}
        body = _("%(target)s 截止 %(due)s · %(title)s") % {
            "target": _target_label(clock.name),
            "due": timezone.localtime(clock.due_at).strftime("%m-%d %H:%M"),
            "title": ticket.title,
        }
    notice = StaffNotice(
        person=person, about=ticket, title=title, body=body, dedupe_key=key,
        kind=StaffNotificationKind.SLA_WARNING if warning else StaffNotificationKind.SLA_BREACHED,
        email_template_code=code, email_dedupe_key=key,
        email_context={
            "number": ticket.number, "title": ticket.title, "priority": ticket.priority,
            "target": clock.name, "target_label": _target_label(clock.name),
            "due_at": clock.due_at, "recipient_name": str(person), "level": level,
            "assignee_name": str(ticket.assignee) if ticket.assignee else "",
        },
    )
    batch = _batch_notices.get()
    if batch is None:
        from fivestar.notifications.inbox import notify_staff_many

        notify_staff_many(notices=[notice])
    else:
        batch.append(notice)


def _warn(clock: SlaClock, now: datetime) -> dict:
    if clock.ticket.status in OPEN_STATUSES:
        person, level = _recipient(clock, 1)
        if person is not None:
            # One warning per warning time: an extension or a recomputation that moves the
            # deadline later asks for a new warning, which must not be taken for a repeat.
            key = f"sla:{clock.pk}:warning:{int(clock.warn_at.timestamp())}"
            _notify(clock, person=person, code=SLA_WARNING, key=key, level=level)
    return {"warned_at": now}


def _breach(clock: SlaClock, now: datetime) -> dict:
    person, level = _recipient(clock, 1)
    if person is not None and clock.ticket.status in OPEN_STATUSES:
        _notify(clock, person=person, code=SLA_BREACHED, key=f"sla:{clock.pk}:breach:{level}",
                level=level)
    return {
        "state": ClockState.BREACHED, "breached_at": F("due_at"), "escalation_level": level,
        "escalate_at": (now + escalation_step(clock)) if level < TOP_LEVEL else None,
        "warned_at": Coalesce(F("warned_at"), Value(now)),
    }


def _escalate(clock: SlaClock, now: datetime) -> dict:
    if clock.ticket.status not in OPEN_STATUSES:
        return {"escalate_at": None}
    person, level = _recipient(clock, clock.escalation_level + 1)
    if person is not None:
        _notify(clock, person=person, code=SLA_BREACHED, key=f"sla:{clock.pk}:breach:{level}",
                level=level)
    return {"escalation_level": level,
            "escalate_at": (now + escalation_step(clock)) if level < TOP_LEVEL else None}


#: What each step does to one clock: queue its notification, return the clock's changes.
STEPS: dict[str, Callable[[SlaClock, datetime], dict]] = {
    "breached": _breach, "warned": _warn, "escalated": _escalate,
}
