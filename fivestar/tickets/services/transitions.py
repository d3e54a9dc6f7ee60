"""One function per transition of the ticket state machine (SPEC §2–§5).

Each takes the ticket's number-free row lock, checks the action against the table in
``workflow``, changes the row and writes one event, all in one transaction: of two concurrent
transitions on one ticket exactly one applies and the other sees the new state and gets 409.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fivestar.accounts.models import RoleCode, User
from fivestar.core.errors import Conflict, PermissionDenied, ValidationFailed
from fivestar.tickets import events, hooks
from fivestar.tickets.actors import Actor
from fivestar.tickets.errors import TicketErrorCode
from fivestar.tickets.models import (
    ConfirmationChannel,
    ConfirmationMethod,
    ContactChannel,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)
from fivestar.tickets.workflow import FRONT_LINE, check_action, may_approve

__all__ = ["Actor"]  # re-exported: callers have long taken it from here

ASSIGNABLE_ROLES = frozenset(
    {RoleCode.AGENT, RoleCode.TECHNICIAN, RoleCode.SENIOR_TECHNICIAN, RoleCode.SUPERVISOR,
     RoleCode.MANAGER}
)

#: Writes a transition's event: ``(row, from_status, before) -> TicketEvent``.
EventWriter = Callable[[Ticket, str, dict], TicketEvent]


def _locked(ticket: Ticket) -> Ticket:
    # Re-read under a row lock so the state check below sees the last committed state.
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def refresh_from(ticket: Ticket, row: Ticket) -> None:
    """The caller's ticket object takes the committed state of ``row``. Through the field
    descriptors, not ``__dict__``: setting a foreign key's id this way drops a related object
    the caller had cached (``ticket.assignee`` must not stay the old one)."""
    if ticket is row:
        return
    for model_field in row._meta.concrete_fields:
        setattr(ticket, model_field.attname, getattr(row, model_field.attname))


def _transition(
    *, ticket: Ticket, action: str, actor: Actor,
    to_status: str | Callable[[Ticket], str] | None, write_event: EventWriter,
    change: Callable[[Ticket], dict] | None = None,
    validate: Callable[[Ticket], None] | None = None,
) -> Ticket:
    with transaction.atomic():
        row = _locked(ticket)
        check_action(ticket=row, action=action, user=actor.user, as_customer=actor.as_customer)
        # The body is checked only once the action itself is allowed: a forbidden transition
        # answers 409 with the allowed actions whatever the body says.
        if validate is not None:
            validate(row)
        from_status = row.status
        if callable(to_status):
            to_status = to_status(row)
        changed = change(row) if change else {}
        if to_status is not None and to_status != from_status:
            row.status = to_status
        row.save()
        write_event(row, from_status, {name: old for name, (old, _new) in changed.items()})
    refresh_from(ticket, row)
    return row


@contextmanager
def action_on_ticket(*, ticket: Ticket, action: str, actor: Actor) -> Iterator[Ticket]:
    """For an action another app registers that changes no status (an extension, an arrival
    on site): one transaction with the ticket's row lock, the action's rule checked against the
    locked row; the block does the app's work on the yielded row and writes the app's own event
    (raising a domain error rolls everything back). The caller's ticket object is refreshed."""
    with transaction.atomic():
        row = _locked(ticket)
        check_action(ticket=row, action=action, user=actor.user, as_customer=actor.as_customer)
        yield row
    refresh_from(ticket, row)


def _set(row: Ticket, **values) -> dict:
    """Assign ``values`` to ``row`` and return {field: (old, new)} for those that changed."""
    changed = {}
    for name, new in values.items():
        old = getattr(row, name)
        if old != new:
            changed[name.removesuffix("_id")] = (old, new)
            setattr(row, name, new)
    return changed


def accept_ticket(*, ticket: Ticket, actor: Actor, note: str = "",
                  visit_needed: bool = False) -> Ticket:
    """new → accepted: an agent has read the request and takes it on (SPEC §2 受理). The
    acceptance is the evaluation (受理评估, SPEC §3): ``visit_needed`` records that the problem
    needs an on-site visit, which starts the 48-hour visit target."""
    return _transition(
        ticket=ticket, action="accept", actor=actor, to_status=Status.ACCEPTED,
        change=lambda row: _set(row, accepted_at=row.accepted_at or timezone.now()),
        write_event=lambda row, from_status, before: events.ticket_accepted_event(
            ticket=row, actor=actor, from_status=from_status, visit_needed=visit_needed,
            before=before, note=note),
    )


def _check_assignee(*, assignee: User, priority: str) -> None:
    if not assignee.is_active or not assignee.role_codes() & ASSIGNABLE_ROLES:
        raise ValidationFailed(
            _("%(name)s 不能被指派工单。") % {"name": assignee},
            fields={"assignee": [_("该用户没有处理工单的角色。")]},
        )
    if priority == Priority.P1 and not assignee.has_role(RoleCode.SENIOR_TECHNICIAN):
        # SPEC §4: P1 goes straight to a senior technician.
        raise ValidationFailed(
            _("一级（紧急）工单须指派给技术骨干。"),
            fields={"assignee": [_("请选择技术骨干。")]},
        )


def assign_ticket(*, ticket: Ticket, assignee: User, actor: Actor, note: str = "") -> Ticket:
    """Give the ticket to ``assignee`` (or to another person when already assigned).

    A P1 ticket needs a supervisor's or manager's approval (SPEC §4): assigned by anyone but a
    supervisor or manager of its department (or an administrator) it waits in
    awaiting_approval with the proposed assignee; assigned by an approver it goes straight on.
    """
    def needs_approval(row: Ticket) -> bool:
        # Only an approver of this ticket (``workflow.may_approve``: its department's
        # supervisors and managers, administrators) assigns a P1 straight on.
        return (
            row.status == Status.ACCEPTED
            and row.priority == Priority.P1
            and not (not actor.as_customer and may_approve(row, actor.user))
        )

    def target(row: Ticket) -> str:
        if row.status != Status.ACCEPTED:
            return row.status  # a reassignment keeps the work where it is
        return Status.AWAITING_APPROVAL if needs_approval(row) else Status.ASSIGNED

    def change(row: Ticket) -> dict:
        # Checked against the locked row: the caller's copy may predate a priority change.
        _check_assignee(assignee=assignee, priority=row.priority)
        if needs_approval(row):
            return _set(row, pending_assignee_id=assignee.pk)
        return _set(row, assignee_id=assignee.pk, pending_assignee_id=None)

    return _transition(
        ticket=ticket, action="assign", actor=actor, to_status=target, change=change,
        write_event=lambda row, from_status, before: events.ticket_assigned_event(
            ticket=row, actor=actor, from_status=from_status, before=before, note=note),
    )


def approve_ticket(*, ticket: Ticket, actor: Actor, note: str = "",
                   assignee: User | None = None) -> Ticket:
    """awaiting_approval → assigned: a supervisor or manager of the ticket's department (or an
    administrator: ``workflow.may_approve``) approves a P1 assignment (SPEC §4), to the proposed
    assignee or to ``assignee`` instead; a P1 goes to a senior technician only."""
    def change(row: Ticket) -> dict:
        chosen = assignee
        if chosen is None and row.pending_assignee_id is not None:
            chosen = User.objects.get(pk=row.pending_assignee_id)
        if chosen is None:
            raise ValidationFailed(_("请选择处理人。"), fields={"assignee": [_("必填。")]})
        _check_assignee(assignee=chosen, priority=row.priority)
        return _set(row, assignee_id=chosen.pk, pending_assignee_id=None)

    return _transition(
        ticket=ticket, action="approve", actor=actor, to_status=Status.ASSIGNED,
        change=change,
        write_event=lambda row, from_status, before: events.ticket_approved_event(
            ticket=row, actor=actor, from_status=from_status, before=before, note=note),
    )


def start_ticket(*, ticket: Ticket, actor: Actor, note: str = "") -> Ticket:
    """assigned → in_progress: the assignee starts work."""
    return _transition(
        ticket=ticket, action="start", actor=actor, to_status=Status.IN_PROGRESS,
        write_event=lambda row, from_status, _before: events.ticket_started_event(
            ticket=row, actor=actor, from_status=from_status, note=note),
    )


def _required_text(value: str, *, field: str, message: str) -> Callable[[Ticket], None]:
    def validate(_row: Ticket) -> None:
        if not (value or "").strip():
            raise ValidationFailed(message, fields={field: [_("必填。")]})

    return validate


def wait_for_customer(*, ticket: Ticket, actor: Actor, reason: str) -> Ticket:
    """in_progress → waiting_customer: work needs the customer (logs, access, an appointment);
    the service clocks pause (SPEC §3)."""
    return _transition(
        ticket=ticket, action="wait_customer", actor=actor, to_status=Status.WAITING_CUSTOMER,
        validate=_required_text(reason, field="reason", message=_("请说明在等待客户什么。")),
        write_event=lambda row, from_status, _before: events.ticket_waiting_customer_event(
            ticket=row, actor=actor, from_status=from_status, reason=reason.strip()),
    )


def resume_ticket(*, ticket: Ticket, actor: Actor, note: str = "") -> Ticket:
    """waiting_customer → in_progress."""
    return _transition(
        ticket=ticket, action="resume", actor=actor, to_status=Status.IN_PROGRESS,
        write_event=lambda row, from_status, _before: events.ticket_resumed_event(
            ticket=row, actor=actor, from_status=from_status, note=note),
    )


@dataclass(frozen=True)
class Resolution:
    """The closing record (SPEC §5)."""

    resolution: str
    technical_solution: str = ""
    parts_replaced: str = ""
    labour_minutes: int | None = None
    cost_fen: int | None = None
    solved_on_first_contact: bool | None = None


def resolve_ticket(*, ticket: Ticket, actor: Actor, record: Resolution) -> Ticket:
    """in_progress → resolved, with what was done. The customer confirms before closure."""
    def validate(_row: Ticket) -> None:
        if not (record.resolution or "").strip():
            raise ValidationFailed(_("请填写处理过程。"), fields={"resolution": [_("必填。")]})
        for name in ("labour_minutes", "cost_fen"):
            value = getattr(record, name)
            if value is not None and value < 0:
                raise ValidationFailed(_("不能为负数。"), fields={name: [_("不能为负数。")]})

    return _transition(
        ticket=ticket, action="resolve", actor=actor, to_status=Status.RESOLVED,
        validate=validate,
        change=lambda row: _set(
            row,
            resolution=record.resolution.strip(),
            technical_solution=(record.technical_solution or "").strip(),
            parts_replaced=(record.parts_replaced or "").strip(),
            labour_minutes=record.labour_minutes,
            cost_fen=record.cost_fen,
            solved_on_first_contact=record.solved_on_first_contact,
            resolved_at=timezone.now(),
        ),
        write_event=lambda row, from_status, before: events.ticket_resolved_event(
            ticket=row, actor=actor, from_status=from_status, before=before),
    )


@dataclass(frozen=True)
class Confirmation:
    """The customer's confirmation as staff record it (SPEC §5): how it came (``channel``),
    who gave it (``confirmed_by``: the customer when blank), when (``confirmed_at``: now when
    None)."""

    channel: str = ""
    confirmed_by: str = ""
    confirmed_at: datetime | None = None


def _confirmation_fields(row: Ticket, *, actor: Actor, method: str,
                         given: Confirmation) -> dict:
    """The ticket's confirmation fields for a closure resting on ``method``."""
    now = timezone.now()
    if method == ConfirmationMethod.NO_ANSWER:
        return {"confirmation_method": method, "confirmation_channel": "",
                "confirmed_by_name": "", "confirmed_at": now,
                "confirmation_recorded_by_id": actor.user.pk if actor.user else None}
    if method == ConfirmationMethod.CUSTOMER:
        return {"confirmation_method": method,
                "confirmation_channel": given.channel or ConfirmationChannel.PORTAL,
                "confirmed_by_name": row.customer.name[:100], "confirmed_at": now,
                "confirmation_recorded_by_id": None}
    at = given.confirmed_at or now
    if at > now:
        raise ValidationFailed(_("确认时间不能晚于现在。"),
                               fields={"confirmed_at": [_("不能晚于现在。")]})
    if row.resolved_at is not None and at < row.resolved_at:
        raise ValidationFailed(_("确认时间不能早于工单解决的时间。"),
                               fields={"confirmed_at": [_("不能早于解决时间。")]})
    return {"confirmation_method": method,
            "confirmation_channel": given.channel or ConfirmationChannel.PHONE,
            "confirmed_by_name": (given.confirmed_by or "").strip()[:100] or row.customer.name,
            "confirmed_at": at,
            "confirmation_recorded_by_id": actor.user.pk if actor.user else None}


_NO_CONFIRMATION = {"confirmation_method": "", "confirmation_channel": "", "confirmed_by_name": "",
                    "confirmed_at": None, "confirmation_recorded_by_id": None}


def confirm_resolution(*, ticket: Ticket, actor: Actor, solved: bool, note: str = "",
                       confirmation: Confirmation | None = None) -> Ticket:
    """The customer's answer to "is it solved?" (SPEC §5): solved closes the ticket; not solved
    reopens it and work goes on — and says what is still wrong (a reason is required, on every
    channel: the portal, the API, staff recording a phone answer).

    A solved answer is the closure's confirmation: the customer's own (portal, API, a message),
    or — taken by staff — the customer's answer recorded with how, who and when
    (``confirmation``: phone and the customer by default, now)."""
    note = (note or "").strip()
    given = confirmation or Confirmation()
    if solved:
        method = (ConfirmationMethod.CUSTOMER if actor.as_customer
                  else ConfirmationMethod.RECORDED)
        return _transition(
            ticket=ticket, action="confirm", actor=actor, to_status=Status.CLOSED,
            change=lambda row: _set(row, customer_confirmed=True, closed_at=timezone.now(),
                                    **_confirmation_fields(row, actor=actor, method=method,
                                                           given=given)),
            write_event=lambda row, from_status, before: events.ticket_confirmed_event(
                ticket=row, actor=actor, from_status=from_status, solved=True, before=before,
                note=note),
        )
    return _transition(
        ticket=ticket, action="confirm", actor=actor, to_status=Status.IN_PROGRESS,
        validate=_required_text(note, field="note", message=_("请说明哪里还没有解决。")),
        change=lambda row: _set(row, customer_confirmed=False, resolved_at=None,
                                reopen_count=row.reopen_count + 1, **_NO_CONFIRMATION),
        write_event=lambda row, from_status, before: events.ticket_confirmed_event(
            ticket=row, actor=actor, from_status=from_status, solved=False, before=before,
            note=note),
    )


@dataclass(frozen=True)
class NoAnswerRule:
    """When a customer who cannot be reached counts as confirming (SPEC §5): ``attempts``
    unanswered contact attempts logged since the resolution, on at least ``working_days``
    different working days of the working calendar. Settings ``TICKET_NO_ANSWER_ATTEMPTS``
    (3) and ``TICKET_NO_ANSWER_WORKING_DAYS`` (3)."""

    attempts: int
    working_days: int


def no_answer_rule() -> NoAnswerRule:
    return NoAnswerRule(attempts=int(getattr(settings, "TICKET_NO_ANSWER_ATTEMPTS", 3)),
                        working_days=int(getattr(settings, "TICKET_NO_ANSWER_WORKING_DAYS", 3)))


def unanswered_attempts(*, ticket: Ticket) -> list[TicketEvent]:
    """The unanswered contact attempts logged on ``ticket`` since it was last resolved."""
    found = TicketEvent.objects.filter(ticket=ticket, action=events.TicketEventKind.CONTACTED)
    if ticket.resolved_at is not None:
        found = found.filter(at__gte=ticket.resolved_at)
    return [event for event in found.order_by("at", "id")
            if isinstance(event.payload, events.Contacted) and not event.payload.reached]


def _no_answer_rule_met(row: Ticket) -> int:
    """The number of unanswered attempts when they satisfy the rule; else Conflict."""
    rule = no_answer_rule()
    attempts = unanswered_attempts(ticket=row)
    days = {timezone.localdate(event.at) for event in attempts}
    working_days = sum(1 for day in days if hooks.is_working_day(day))
    if len(attempts) < rule.attempts or working_days < rule.working_days:
        raise Conflict(
            _("还不能按“联系不上”关闭：需要在 %(days)s 个不同工作日共 %(need)s 次未接通的联系记录，"
              "现有 %(count)s 次、%(have)s 个工作日。")
            % {"days": rule.working_days, "need": rule.attempts, "count": len(attempts),
               "have": working_days},
            code=TicketErrorCode.NO_ANSWER_RULE_NOT_MET,
            extra={"attempts": len(attempts), "working_days": working_days,
                   "required_attempts": rule.attempts,
                   "required_working_days": rule.working_days},
        )
    return len(attempts)


def close_ticket(*, ticket: Ticket, actor: Actor, method: str = "", note: str = "",
                 confirmation: Confirmation | None = None) -> Ticket:
    """resolved → closed by staff, resting on the customer's confirmation (SPEC §5):
    ``method`` ``recorded`` — the customer confirmed to staff (``confirmation``: how, who,
    when) — or ``no_answer`` — the customer could not be reached (``NoAnswerRule``), recorded
    as such. Without one: Conflict ``confirmation_required``; the no-answer rule not yet met:
    Conflict ``no_answer_rule_not_met``."""
    given = confirmation or Confirmation()
    attempts = {"count": 0}

    def validate(row: Ticket) -> None:
        if method == ConfirmationMethod.NO_ANSWER:
            attempts["count"] = _no_answer_rule_met(row)
        elif method != ConfirmationMethod.RECORDED:
            raise Conflict(
                _("关闭前须记录客户的确认：客户本人确认，或记录客户在电话等渠道中的确认"
                  "（谁、何时、何种方式），或按“联系不上”规则关闭。"),
                code=TicketErrorCode.CONFIRMATION_REQUIRED, extra={"status": row.status},
            )
        if given.channel and given.channel not in ContactChannel.values:
            raise ValidationFailed(_("未知的确认渠道。"), fields={"channel": [_("无效的取值。")]})

    return _transition(
        ticket=ticket, action="close", actor=actor, to_status=Status.CLOSED, validate=validate,
        change=lambda row: _set(
            row, closed_at=timezone.now(),
            customer_confirmed=True if method == ConfirmationMethod.RECORDED else None,
            **_confirmation_fields(row, actor=actor, method=method, given=given)),
        write_event=lambda row, from_status, before: events.ticket_closed_event(
            ticket=row, actor=actor, from_status=from_status, before=before, note=note,
            attempts=attempts["count"]),
    )


def contact_customer(*, ticket: Ticket, actor: Actor, channel: str = ContactChannel.PHONE,
                     reached: bool = True, note: str = "") -> Ticket:
    """Staff contacted the customer (a call, a message, a visit) or tried to (SPEC §3: the
    assignee contacts the customer within 30 minutes; SPEC §5: the closing callback). One
    ``contact`` event on the timeline; a contact that reached the customer meets the contact
    target, an unanswered attempt counts toward the no-answer rule. A reached contact says what
    was said (``note``)."""
    note = (note or "").strip()
    if channel not in ContactChannel.values:
        raise ValidationFailed(_("未知的联系方式。"), fields={"channel": [_("无效的取值。")]})
    with action_on_ticket(ticket=ticket, action=events.TicketEventKind.CONTACTED.value,
                          actor=actor) as row:
        if reached and not note:
            raise ValidationFailed(_("请记录与客户沟通的内容。"), fields={"note": [_("必填。")]})
        events.customer_contacted_event(ticket=row, actor=actor, channel=channel,
                                        reached=reached, note=note or _("未接通"))
        row.save(update_fields=["updated_at"])
    return ticket


def reopen_ticket(*, ticket: Ticket, actor: Actor, reason: str) -> Ticket:
    """resolved or closed → in_progress: the problem is back (SPEC §5)."""
    return _transition(
        ticket=ticket, action="reopen", actor=actor, to_status=Status.IN_PROGRESS,
        validate=_required_text(reason, field="reason", message=_("请说明重开原因。")),
        change=lambda row: _set(row, closed_at=None, resolved_at=None, customer_confirmed=None,
                                reopen_count=row.reopen_count + 1, **_NO_CONFIRMATION),
        write_event=lambda row, from_status, before: events.ticket_reopened_event(
            ticket=row, actor=actor, from_status=from_status, before=before,
            reason=reason.strip()),
    )


def cancel_ticket(*, ticket: Ticket, actor: Actor, reason: str) -> Ticket:
    """Any open state → cancelled, always with a reason."""
    return _transition(
        ticket=ticket, action="cancel", actor=actor, to_status=Status.CANCELLED,
        validate=_required_text(reason, field="reason", message=_("请填写取消原因。")),
        change=lambda row: _set(row, cancel_reason=reason.strip()),
        write_event=lambda row, from_status, before: events.ticket_cancelled_event(
            ticket=row, actor=actor, from_status=from_status, before=before,
            reason=reason.strip()),
    )


_HELD = frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING_CUSTOMER})


def set_priority(*, ticket: Ticket, actor: Actor, priority: str, reason: str = "") -> Ticket:
    """Confirm or change the priority (SPEC §3: proposed on intake, confirmed by the agent).

    P1 approval cannot be gone round (SPEC §4): lowering a P1 takes someone who may approve
    it (a supervisor or manager of the ticket's department, or an administrator; else 403
    ``priority_change_needs_approver``); raising a ticket someone already holds to P1 sends it
    back to awaiting_approval with its holder proposed — unless the one raising it may approve
    and the holder is a senior technician — so that an approver confirms a senior technician.
    """
    user = actor.user if not actor.as_customer else None

    def validate(row: Ticket) -> None:
        if priority not in Priority.values:
            raise ValidationFailed(
                _("优先级只能是 P1、P2 或 P3。"), fields={"priority": [_("无效的优先级。")]}
            )
        if row.priority == Priority.P1 and priority != Priority.P1 and not may_approve(
                row, user):
            raise PermissionDenied(
                _("降低一级（紧急）工单的优先级须由所属部门的主管、经理（或系统管理员）操作。"),
                code=TicketErrorCode.PRIORITY_CHANGE_NEEDS_APPROVER,
            )

    def back_to_approval(row: Ticket) -> bool:
        if priority != Priority.P1 or row.priority == Priority.P1 or row.status not in _HELD:
            return False
        holder = row.assignee
        return not (may_approve(row, user) and holder is not None
                    and holder.has_role(RoleCode.SENIOR_TECHNICIAN))

    decided: dict[str, bool] = {}

    def target(row: Ticket) -> str:
        decided["back"] = back_to_approval(row)
        return Status.AWAITING_APPROVAL if decided["back"] else row.status

    def change(row: Ticket) -> dict:
        changed = _set(row, priority=priority, priority_confirmed=True)
        if decided.get("back"):
            changed |= _set(row, pending_assignee_id=row.assignee_id, assignee_id=None)
        return changed

    return _transition(
        ticket=ticket, action="set_priority", actor=actor, to_status=target, validate=validate,
        change=change,
        write_event=lambda row, from_status, before: events.ticket_priority_set_event(
            ticket=row, actor=actor, before=before, reason=reason, from_status=from_status),
    )


# --- taking an unassigned ticket -----------------------------------------------------------------

#: Who may take a ticket for themselves: front-line roles that may accept and assign (workflow
#: ``RULES``) and that can hold tickets (``ASSIGNABLE_ROLES``) — agents, supervisors, managers.
TAKERS = FRONT_LINE & ASSIGNABLE_ROLES


def may_take(*, user: User) -> bool:
    """Whether ``user``'s roles let them take unassigned tickets (``take_ticket`` checks again)."""
    return bool(user.is_authenticated and user.is_active and user.role_codes() & TAKERS)


def take_ticket(*, ticket: Ticket, actor: Actor) -> Ticket:
    """An unassigned ticket becomes the actor's: accepted if it is new, then assigned to the
    actor — each step through its own transition (``accept_ticket``, ``assign_ticket``), so each
    writes its event and the workflow's role rules apply, all in one transaction.

    Refused, with nothing changed: a role that may not take tickets (403); a ticket that someone
    already holds or is proposed for — taken a moment ago by a colleague (409 ``already_taken``);
    a P1, which goes to a senior technician with a supervisor's approval (SPEC §4; 409
    ``needs_approval``); a ticket no longer new or accepted (409). Taking a ticket one already
    holds changes nothing (a double click).
    """
    user = actor.user
    if user is None or actor.as_customer or not may_take(user=user):
        raise PermissionDenied(
            _("您的角色不能接手工单：工单由客服或主管派给技术人员。"),
            code=TicketErrorCode.TAKE_NOT_PERMITTED,
        )
    with transaction.atomic():
        # The row lock makes two people taking the same ticket queue up: the second one finds
        # it taken.
        row = _locked(ticket)
        if row.assignee_id == user.pk:
            return row
        holder_id = row.assignee_id or row.pending_assignee_id
        if holder_id is not None:
            holder = User.objects.filter(pk=holder_id).first()
            raise Conflict(
                _("工单 %(number)s 已被 %(name)s 接手。")
                % {"number": row.number, "name": holder or _("其他人")},
                code=TicketErrorCode.ALREADY_TAKEN, extra={"status": row.status},
            )
        if row.priority == Priority.P1:
            raise Conflict(
                _("一级（紧急）工单须经主管或经理批准后派给技术骨干，不能直接接手。"),
                code=TicketErrorCode.NEEDS_APPROVAL, extra={"status": row.status},
            )
        if row.status not in (Status.NEW, Status.ACCEPTED):
            raise Conflict(
                _("工单当前状态为“%(status)s”，不能接手。") % {"status": Status(row.status).label},
                code=TicketErrorCode.TRANSITION_NOT_ALLOWED, extra={"status": row.status},
            )
        if row.status == Status.NEW:
            accept_ticket(ticket=row, actor=actor)
        assign_ticket(ticket=row, assignee=user, actor=actor)
    refresh_from(ticket, row)
    return row
