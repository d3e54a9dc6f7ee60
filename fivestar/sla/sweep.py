"""The SLA sweep (SPEC §3): warnings before a deadline, breach at the deadline, escalation
when nobody acts. Registered with ``fivestar.core.periodic`` to run every minute.

Idempotent and safe with several workers: each pass claims its rows with
``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL) inside a short transaction, re-checks the
condition under the lock (it is the query's filter), changes the clock and queues the
notification in the same transaction, with a dedupe key per clock and step — so each warning and
each breach level is sent once, whoever runs it. A row that fails is logged and skipped; it never
stops the sweep for the other tickets.

Escalation chain: at breach the assignee (level 1); the policy's ``escalation_step`` later
(default 30 min, data an administrator edits) the supervisor of the team working the ticket —
the assignee's department, else the department the ticket was dispatched to (level 2); again
later its manager (level 3). A level whose person is missing goes to the next one up.

One notice per ticket and level: the clocks of a ticket breached together make one notice
listing the breached targets, and a clock that breaches while others of the ticket are still
breached joins their escalation — its level's notice, keyed by the earliest of them, has been
sent already (or is sent for all of them at once). Warnings stay one per clock and warning time.
"""

import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

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


@dataclass(frozen=True, slots=True)
class _Notice:
    """A notice a step asked for: composed with the others of its batch (``_compose``)."""

    clock: SlaClock
    person: Any
    code: str
    level: int


# The notices of the batch being applied: composed and written together after the batch, in
# its transaction.
_batch_notices: ContextVar[list[_Notice] | None] = ContextVar("sla_batch_notices", default=None)


def _apply_batch(rows: list[SlaClock], apply: Callable[[SlaClock, datetime], dict],
                 now: datetime) -> None:
    from fivestar.notifications.inbox import notify_staff_many

    _load_teams(rows)
    notices: list[_Notice] = []
    token = _batch_notices.set(notices)
    try:
        changes = [(clock.pk, apply(clock, now)) for clock in rows]
    finally:
        _batch_notices.reset(token)
    _write(changes)
    notify_staff_many(notices=_compose(notices, now=now))


def _load_teams(rows: list[SlaClock]) -> None:
    """Give the batch's assignees their departments with the supervisor and manager
    (``_recipient``): one query for the departments the tickets' own do not cover, none when
    there is no such one. Joined into the claim query instead, the two extra users and the
    department made every batch's claim slower, assignees without a department included."""
    from fivestar.accounts.models import Department

    known = {clock.ticket.department_id: clock.ticket.department for clock in rows
             if clock.ticket.department_id}
    assignees = [clock.ticket.assignee for clock in rows
                 if clock.ticket.assignee is not None and clock.ticket.assignee.department_id]
    missing = {person.department_id for person in assignees} - known.keys()
    if missing:
        known |= Department.objects.select_related("supervisor", "manager").in_bulk(missing)
    for person in assignees:
        person.department = known.get(person.department_id)


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
    """The person for escalation ``level`` (1 assignee, 2 supervisor, 3 manager of the team:
    the assignee's department, else the ticket's), going up when one is missing; (None, level)
    when nobody is left."""
    ticket = clock.ticket
    assignee = ticket.assignee
    # The intake department keeps the ticket after a technician of another takes it: the team
    # that must act is the assignee's.
    team = assignee.department if assignee is not None and assignee.department_id else None
    team = team or ticket.department
    people = {
        1: assignee,
        2: team.supervisor if team else None,
        3: team.manager if team else None,
    }
    for candidate in range(level, TOP_LEVEL + 1):
        person = people[candidate]
        if person is not None and person.is_active:
            return person, candidate
    return None, TOP_LEVEL


_TARGET_NAMES = frozenset(TargetName.values)


def _target_label(name: str) -> str:
    # TargetName(name).label, not get_name_display() nor TargetName.values: those rebuild every
    # lazy choice label on each call, which a sweep notifying thousands of clocks feels.
    return str(TargetName(name).label) if name in _TARGET_NAMES else name


def _notify(clock: SlaClock, *, person, code: str, level: int) -> None:
    """Ask for a warning or breach notice to ``person``: kept with the batch's and composed
    after it (``_compose``), or sent at once outside a batch."""
    wanted = _Notice(clock=clock, person=person, code=code, level=level)
    batch = _batch_notices.get()
    if batch is None:
        from fivestar.notifications.inbox import notify_staff_many

        notify_staff_many(notices=_compose([wanted], now=timezone.now()))
    else:
        batch.append(wanted)


def _compose(wanted: list[_Notice], *, now: datetime) -> list:
    """The notices to write for what a batch asked: one per warning; one per ticket and level
    for breaches, listing every target of the ticket past due and not met, and keyed by the
    earliest of them — so that neither a second clock nor a second worker sends it again (a
    worker breaching the ticket's other clocks at the same moment finds the same earliest one,
    whether or not it has marked them yet). One query for the batch, none without breaches."""
    notices = [_staff_notice(n.clock, person=n.person, code=n.code, level=n.level,
                             due=[(n.clock.name, n.clock.due_at)], key=_warning_key(n.clock))
               for n in wanted if n.code == SLA_WARNING]
    groups: dict[tuple[int, int], list[_Notice]] = {}
    for n in wanted:
        if n.code != SLA_WARNING:
            groups.setdefault((n.clock.ticket_id, n.level), []).append(n)
    if not groups:
        return notices
    # Ticket → {clock id: (due_at, clock id, target name)}: the other clocks past due (the
    # batch's own are at hand; most tickets have none other).
    overdue: dict[int, dict[int, tuple[datetime, int, str]]] = {}
    for pk, ticket_id, name, due_at in SlaClock.objects.filter(
        ticket_id__in={ticket_id for ticket_id, _level in groups}, met_at__isnull=True,
        state__in=(ClockState.RUNNING, ClockState.BREACHED), due_at__lte=now,
    ).exclude(pk__in=[n.clock.pk for members in groups.values() for n in members]).values_list(
        "pk", "ticket_id", "name", "due_at"
    ):
        overdue.setdefault(ticket_id, {})[pk] = (due_at, pk, name)
    for (ticket_id, level), members in groups.items():
        clocks = overdue.get(ticket_id, {}) | {
            n.clock.pk: (n.clock.due_at, n.clock.pk, n.clock.name) for n in members}
        listed = sorted(clocks.values())
        first_due, first_pk, _name = listed[0]
        key = f"sla:ticket:{ticket_id}:{first_pk}-{int(first_due.timestamp())}:breach:{level}"
        head = members[0]
        notices.append(_staff_notice(head.clock, person=head.person, code=head.code,
                                     level=level, due=[(name, due) for due, _pk, name in listed],
                                     key=key))
    return notices


def _warning_key(clock: SlaClock) -> str:
    # One warning per warning time: an extension or a recomputation that moves the deadline
    # later asks for a new warning, which must not be taken for a repeat.
    return f"sla:{clock.pk}:warning:{int(clock.warn_at.timestamp())}"


def _staff_notice(clock: SlaClock, *, person, code: str, level: int,
                  due: list[tuple[str, datetime]], key: str):
    """One warning or breach notice for ``person`` about the targets ``due`` (name, deadline;
    the earliest first) of ``clock``'s ticket: in the workspace bell and by e-mail, both keyed
    by ``key``."""
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
        labels = [_target_label(name) for name, _at in due]
        body = "；".join(
            _("%(target)s 截止 %(due)s") % {
                "target": label, "due": timezone.localtime(at).strftime("%m-%d %H:%M"),
            }
            for label, (_name, at) in zip(labels, due, strict=True)
        ) + f" · {ticket.title}"
    return StaffNotice(
        person=person, about=ticket, title=title, body=body, dedupe_key=key,
        kind=StaffNotificationKind.SLA_WARNING if warning else StaffNotificationKind.SLA_BREACHED,
        email_template_code=code, email_dedupe_key=key,
        email_context={
            "number": ticket.number, "title": ticket.title, "priority": ticket.priority,
            # The message templates name one target; several breached together read as a list.
            "target": ", ".join(name for name, _at in due), "target_label": "、".join(labels),
            "due_at": due[0][1], "recipient_name": str(person), "level": level,
            "assignee_name": str(ticket.assignee) if ticket.assignee else "",
            "targets": [{"name": name, "label": label, "due_at": at}
                        for label, (name, at) in zip(labels, due, strict=True)],
        },
    )


def _warn(clock: SlaClock, now: datetime) -> dict:
    if clock.ticket.status in OPEN_STATUSES:
        person, level = _recipient(clock, 1)
        if person is not None:
            _notify(clock, person=person, code=SLA_WARNING, level=level)
    return {"warned_at": now}


def _breach(clock: SlaClock, now: datetime) -> dict:
    person, level = _recipient(clock, 1)
    if person is not None and clock.ticket.status in OPEN_STATUSES:
        _notify(clock, person=person, code=SLA_BREACHED, level=level)
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
        _notify(clock, person=person, code=SLA_BREACHED, level=level)
    return {"escalation_level": level,
            "escalate_at": (now + escalation_step(clock)) if level < TOP_LEVEL else None}


#: What each step does to one clock: queue its notification, return the clock's changes.
STEPS: dict[str, Callable[[SlaClock, datetime], dict]] = {
    "breached": _breach, "warned": _warn, "escalated": _escalate,
}
