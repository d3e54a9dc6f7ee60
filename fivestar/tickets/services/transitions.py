"""One function per transition of the ticket state machine (SPEC §2–§5).

Each takes the ticket's number-free row lock, checks the action against the table in
``workflow``, changes the row and writes one event, all in one transaction: of two concurrent
transitions on one ticket exactly one applies and the other sees the new state and gets 409.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fivestar.accounts.models import RoleCode, User
from fivestar.core.errors import Conflict, PermissionDenied, ValidationFailed
from fivestar.tickets import events
from fivestar.tickets.actors import Actor
from fivestar.tickets.errors import TicketErrorCode
from fivestar.tickets.models import Priority, Status, Ticket, TicketEvent
from fivestar.tickets.workflow import APPROVERS, FRONT_LINE, check_action

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

    A P1 ticket needs a supervisor's or manager's approval (SPEC §4): assigned by anyone else it
    waits in awaiting_approval with the proposed assignee; assigned by an approver it goes
    straight on.
    """
    def needs_approval(row: Ticket) -> bool:
        return (
            row.status == Status.ACCEPTED
            and row.priority == Priority.P1
            and not (actor.user is not None and actor.user.role_codes() & APPROVERS)
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


def approve_ticket(*, ticket: Ticket, actor: Actor, note: str = "") -> Ticket:
    """awaiting_approval → assigned: a supervisor or manager approves a P1 assignment."""
    return _transition(
        ticket=ticket, action="approve", actor=actor, to_status=Status.ASSIGNED,
        change=lambda row: _set(row, assignee_id=row.pending_assignee_id,
                                pending_assignee_id=None),
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


def confirm_resolution(*, ticket: Ticket, actor: Actor, solved: bool, note: str = "") -> Ticket:
    """The customer's answer to "is it solved?" (SPEC §5): solved closes the ticket; not solved
    reopens it and work goes on — and says what is still wrong (a reason is required, on every
    channel: the portal, the API, staff recording a phone answer)."""
    note = (note or "").strip()
    if solved:
        return _transition(
            ticket=ticket, action="confirm", actor=actor, to_status=Status.CLOSED,
            change=lambda row: _set(row, customer_confirmed=True, closed_at=timezone.now()),
            write_event=lambda row, from_status, before: events.ticket_confirmed_event(
                ticket=row, actor=actor, from_status=from_status, solved=True, before=before,
                note=note),
        )
    return _transition(
        ticket=ticket, action="confirm", actor=actor, to_status=Status.IN_PROGRESS,
        validate=_required_text(note, field="note", message=_("请说明哪里还没有解决。")),
        change=lambda row: _set(row, customer_confirmed=False, resolved_at=None,
                                reopen_count=row.reopen_count + 1),
        write_event=lambda row, from_status, before: events.ticket_confirmed_event(
            ticket=row, actor=actor, from_status=from_status, solved=False, before=before,
            note=note),
    )


def close_ticket(*, ticket: Ticket, actor: Actor, note: str = "") -> Ticket:
    """resolved → closed by staff (e.g. the customer confirmed on a phone callback)."""
    return _transition(
        ticket=ticket, action="close", actor=actor, to_status=Status.CLOSED,
        change=lambda row: _set(row, closed_at=timezone.now()),
        write_event=lambda row, from_status, before: events.ticket_closed_event(
            ticket=row, actor=actor, from_status=from_status, before=before, note=note),
    )


def reopen_ticket(*, ticket: Ticket, actor: Actor, reason: str) -> Ticket:
    """resolved or closed → in_progress: the problem is back (SPEC §5)."""
    return _transition(
        ticket=ticket, action="reopen", actor=actor, to_status=Status.IN_PROGRESS,
        validate=_required_text(reason, field="reason", message=_("请说明重开原因。")),
        change=lambda row: _set(row, closed_at=None, resolved_at=None, customer_confirmed=None,
                                reopen_count=row.reopen_count + 1),
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


def set_priority(*, ticket: Ticket, actor: Actor, priority: str, reason: str = "") -> Ticket:
    """Confirm or change the priority (SPEC §3: proposed on intake, confirmed by the agent)."""
    def validate(_row: Ticket) -> None:
        if priority not in Priority.values:
            raise ValidationFailed(
                _("优先级只能是 P1、P2 或 P3。"), fields={"priority": [_("无效的优先级。")]}
            )

    return _transition(
        ticket=ticket, action="set_priority", actor=actor, to_status=None, validate=validate,
        change=lambda row: _set(row, priority=priority, priority_confirmed=True),
        write_event=lambda row, _from_status, before: events.ticket_priority_set_event(
            ticket=row, actor=actor, before=before, reason=reason),
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
