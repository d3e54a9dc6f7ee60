"""Extensions (延期, SPEC §3): "a deadline can move only with a reason and a new time agreed
with the customer, recorded on the ticket; the original deadline is kept for reporting."

An extension adds working time to the clock — the working time between its current deadline and
the agreed time, on the clock's own calendar — rather than overwriting ``due_at``: a later wait
for the customer or a priority change recomputes the deadline and the extension stays in it.
When the agreed time falls outside working time (a P3 ticket agreed for Saturday), the deadline
becomes the end of the last working stretch before it; ``SlaExtension.agreed_due_at`` keeps what
the customer agreed. The warning moves with the deadline and is sent again before the new one.

A long extension needs a supervisor (issue 18 item 16): one that moves the deadline by more
than ``SLA_EXTENSION_LIMIT`` (7 days) or grants more than ``SLA_EXTENSION_TARGET_FACTOR`` (2)
times the target's own time, asked for by someone who may not approve it (not a supervisor or
manager of the ticket's department, nor an administrator: ``tickets.workflow.may_approve``),
is recorded as a pending request and the deadline stays where it is until an approver decides
(``decide_extension``).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from fivestar.core.errors import Conflict, ValidationFailed
from fivestar.sla.clocks import Calendars, refresh_next_due, schedule
from fivestar.sla.errors import SlaErrorCode
from fivestar.sla.events import (
    SlaEventKind,
    deadline_extended_event,
    extension_declined_event,
    extension_requested_event,
)
from fivestar.sla.models import (
    ClockState,
    ExtensionStatus,
    SlaClock,
    SlaExtension,
    TargetName,
)
from fivestar.sla.worktime import MAX_DURATION, working_time_between
from fivestar.tickets.actors import Actor
from fivestar.tickets.models import Ticket
from fivestar.tickets.services.transitions import action_on_ticket
from fivestar.tickets.workflow import may_approve

ACTION = SlaEventKind.EXTENDED.value
DECIDE_ACTION = "decide_extension"


def extension_limit() -> timedelta:
    """How far an extension may move a deadline without a supervisor (default 7 days)."""
    return getattr(settings, "SLA_EXTENSION_LIMIT", timedelta(days=7))


def extension_target_factor() -> float:
    """How many times the target's own time a deadline may grant in all, extensions included,
    without a supervisor (default 2)."""
    return float(getattr(settings, "SLA_EXTENSION_TARGET_FACTOR", 2))


def needs_approval(*, clock: SlaClock, new_due_at: datetime, added: timedelta) -> bool:
    """Whether moving ``clock``'s deadline to ``new_due_at`` (``added`` working time) goes
    beyond the limit: more than ``extension_limit()`` later than the current deadline, or more
    than ``extension_target_factor()`` times the target's time granted in all."""
    return (new_due_at - clock.due_at > extension_limit()
            or clock.allowed + clock.extended + added
            > clock.allowed * extension_target_factor())


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]})


def running_clock(*, ticket: Ticket, target: str, lock: bool = False) -> SlaClock | None:
    """The ticket's running clock of ``target`` (an extension applies to nothing else)."""
    clocks = SlaClock.objects.filter(ticket=ticket, name=target, state=ClockState.RUNNING,
                                     met_at__isnull=True)
    if lock:
        clocks = clocks.select_for_update()
    return clocks.order_by("-id").first()


def can_extend(ticket: Ticket) -> bool:
    """Whether some deadline of ``ticket`` is running, so an extension could apply. Reads the
    clocks as a ticket list prefetches them (no query per ticket there)."""
    return any(c.state == ClockState.RUNNING and c.met_at is None
               for c in ticket.sla_clocks.all())


def pending_extension(ticket: Ticket) -> bool:
    """Whether ``ticket`` has an extension waiting for a supervisor. Reads the clocks and their
    extensions as a ticket list prefetches them (``sla_clocks__extensions``)."""
    return any(extension.status == ExtensionStatus.PENDING
               for clock in ticket.sla_clocks.all() for extension in clock.extensions.all())


def _check_request(*, target: str, new_due_at: datetime, reason: str,
                   customer_agreed: bool, now: datetime) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise _fail("reason", _("请填写延期原因。"))
    if customer_agreed is not True:
        raise _fail("customer_agreed", _("延期须经客户同意。"))
    if target not in TargetName.values:
        raise _fail("target", _("未知的服务目标：%(name)s。") % {"name": str(target)[:40]})
    if not isinstance(new_due_at, datetime) or timezone.is_naive(new_due_at):
        raise _fail("due_at", _("请给出带时区的时间。"))
    if new_due_at <= now:
        raise _fail("due_at", _("新的截止时间必须晚于现在。"))
    return reason


def extend_deadline(
    *, ticket: Ticket, target: str, new_due_at: datetime, reason: str,
    customer_agreed: bool, actor: Actor,
) -> SlaExtension:
    """Move the running deadline ``target`` of ``ticket`` to ``new_due_at`` (SPEC §3 延期).

    Rules: the actor may extend (supervisor, manager, administrator, or the ticket's assignee:
    ``sla.actions``, registered in ``SlaConfig.ready``); a reason is given; the customer agreed;
    the target's clock is running (not paused, met, breached or cancelled); the new time is later
    than now and later than the current deadline, by some working time on the clock's calendar.
    Keeps ``original_due_at``, records an ``SlaExtension`` and one ``extend`` event on the
    ticket's timeline, in one transaction under the ticket's row lock. Bad input →
    ``ValidationFailed`` naming ``reason``, ``customer_agreed``, ``target`` or ``due_at``.
    """
    with action_on_ticket(ticket=ticket, action=ACTION, actor=actor) as row:
        now = timezone.now()
        note = _check_request(target=target, new_due_at=new_due_at, reason=reason,
                              customer_agreed=customer_agreed, now=now)
        clock = running_clock(ticket=row, target=target, lock=True)
        if clock is None:
            raise _fail("target", _("“%(name)s”没有在计时，不能延期。")
                        % {"name": TargetName(target).label})
        if new_due_at <= clock.due_at:
            raise _fail("due_at", _("新的截止时间必须晚于当前截止时间 %(due)s。")
                        % {"due": timezone.localtime(clock.due_at).isoformat()})
        calendars = Calendars()
        added = working_time_between(clock.due_at, new_due_at, calendars.clock(clock.calendar_id))
        if added <= timedelta(0):
            raise _fail("due_at", _("当前截止时间与新时间之间没有工作时间，截止时间不会改变。"))
        if clock.allowed + clock.extended + added > MAX_DURATION:
            raise _fail("due_at", _("新的截止时间太远。"))
        if needs_approval(clock=clock, new_due_at=new_due_at, added=added) and not may_approve(
                row, actor.user):
            if SlaExtension.objects.filter(clock__ticket=row,
                                           status=ExtensionStatus.PENDING).exists():
                raise Conflict(_("这张工单已有一项延期申请等待主管审批。"),
                               code=SlaErrorCode.EXTENSION_PENDING)
            extension = SlaExtension.objects.create(
                clock=clock, from_due_at=clock.due_at, agreed_due_at=new_due_at,
                to_due_at=new_due_at, reason=note, customer_agreed=True, by=actor.user, at=now,
                status=ExtensionStatus.PENDING,
            )
            extension_requested_event(ticket=row, actor=actor, target=target,
                                      due_at=new_due_at, reason=note)
            return extension
        extension = _apply(row=row, clock=clock, added=added, actor=actor, now=now,
                           agreed=new_due_at, reason=note, target=target)
    return extension


def _apply(*, row: Ticket, clock: SlaClock, added: timedelta, actor: Actor, now: datetime,
           agreed: datetime, reason: str, target: str,
           extension: SlaExtension | None = None) -> SlaExtension:
    """Move ``clock``'s deadline by ``added`` working time and record it."""
    calendars = Calendars()
    before = clock.due_at
    clock.extended += added
    schedule(clock, calendars)
    if clock.warned_at is not None and clock.warn_at > now:
        clock.warned_at = None  # warn again before the new deadline
    clock.save(update_fields=["extended", "due_at", "warn_at", "warned_at",
                              "calendar_unconfirmed"])
    if extension is None:
        extension = SlaExtension.objects.create(
            clock=clock, from_due_at=before, agreed_due_at=agreed, to_due_at=clock.due_at,
            reason=reason, customer_agreed=True, by=actor.user, at=now,
        )
    else:
        extension.from_due_at, extension.to_due_at = before, clock.due_at
        extension.status = ExtensionStatus.APPLIED
        extension.save(update_fields=["from_due_at", "to_due_at", "status"])
    refresh_next_due(ticket=row)
    deadline_extended_event(ticket=row, actor=actor, target=target, from_due=before,
                            to_due=clock.due_at, reason=reason)
    return extension


def decide_extension(*, ticket: Ticket, actor: Actor, approve: bool,
                     note: str = "") -> SlaExtension:
    """A supervisor or manager of the ticket's department (or an administrator) approves or
    declines the extension waiting on ``ticket`` (issue 18 item 16). Approved, the deadline
    moves to the time the customer agreed — if its clock still runs and the time is still
    ahead (else Conflict ``extension_outdated``); declined, it stays. No pending request:
    Conflict ``no_pending_extension``."""
    with action_on_ticket(ticket=ticket, action=DECIDE_ACTION, actor=actor) as row:
        now = timezone.now()
        extension = (SlaExtension.objects.select_for_update()
                     .filter(clock__ticket=row, status=ExtensionStatus.PENDING)
                     .select_related("clock").order_by("-id").first())
        if extension is None:
            raise Conflict(_("这张工单没有待审批的延期申请。"),
                           code=SlaErrorCode.NO_PENDING_EXTENSION)
        extension.decided_by, extension.decided_at = actor.user, now
        extension.decision_note = (note or "").strip()
        extension.save(update_fields=["decided_by", "decided_at", "decision_note"])
        clock = extension.clock
        if not approve:
            extension.status = ExtensionStatus.DECLINED
            extension.save(update_fields=["status"])
            extension_declined_event(ticket=row, actor=actor, target=clock.name,
                                     due_at=extension.agreed_due_at,
                                     note=extension.decision_note)
            return extension
        clock = SlaClock.objects.select_for_update().get(pk=clock.pk)
        calendars = Calendars()
        added = (working_time_between(clock.due_at, extension.agreed_due_at,
                                      calendars.clock(clock.calendar_id))
                 if extension.agreed_due_at > clock.due_at else timedelta(0))
        if (clock.state != ClockState.RUNNING or clock.met_at is not None
                or extension.agreed_due_at <= now or added <= timedelta(0)):
            raise Conflict(_("这项延期申请已不适用：计时已结束或约定时间已过。"),
                           code=SlaErrorCode.EXTENSION_OUTDATED)
        return _apply(row=row, clock=clock, added=added, actor=actor, now=now,
                      agreed=extension.agreed_due_at, reason=extension.reason,
                      target=clock.name, extension=extension)
