"""The one door for ticket actions: ``perform_action``, and the ticket's own actions bound to
their services (the registry and the rules are in ``tickets.workflow``).

The API (``POST /tickets/{number}/actions/{action}``), the workspace's ticket page and console,
and the portal all call ``perform_action`` with the action's name and its input as plain data;
none of them maps an action to a service. The rule is checked first (403 for a role that may
never take it, 409 with the allowed actions for a state that does not allow it), then the input
is parsed by the action's schema (422 naming the fields), then the service runs — which checks
the rule again under the ticket's row lock.
"""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel
from pydantic import ValidationError as SchemaError

from fivestar.accounts.models import User
from fivestar.core.errors import ValidationFailed
from fivestar.core.schema_errors import fields_of
from fivestar.tickets import services
from fivestar.tickets.actors import Actor
from fivestar.tickets.errors import TicketErrorCode
from fivestar.tickets.models import OPEN_STATUSES, Status, Ticket
from fivestar.tickets.schemas import (
    AcceptIn,
    ApproveIn,
    AssignIn,
    CloseIn,
    ConfirmIn,
    ContactIn,
    NoteIn,
    ReasonIn,
    ResolveIn,
    SetPriorityIn,
)
from fivestar.tickets.workflow import (
    ACTION_LABELS,
    FRONT_LINE,
    RULES,
    check_action,
    register_action,
)


def perform_action(*, ticket: Ticket, action: str, actor: Actor,
                   data: Mapping[str, Any] | BaseModel | None = None) -> object:
    """Take ``action`` on ``ticket`` as ``actor`` with ``data`` (the action's input: a mapping
    as the API's JSON or a page's form gives it, or the schema's own instance). Returns what
    the action's service returns; ``ticket`` is refreshed to the committed state.

    Raises, in this order: Conflict ``unknown_action`` or PermissionDenied / Conflict for a rule
    the actor or the state breaks (``workflow.check_action``); ValidationFailed naming the
    fields that do not fit the action's schema; whatever the service raises."""
    registered = check_action(ticket=ticket, action=action, user=actor.user,
                              as_customer=actor.as_customer)
    body = parse_action_body(registered.schema, data)
    return registered.run(ticket=ticket, actor=actor, body=body)


def parse_action_body(schema: type[BaseModel], data: Mapping[str, Any] | BaseModel | None
                      ) -> BaseModel:
    """``data`` as an instance of ``schema``; ValidationFailed with a message per field."""
    if isinstance(data, schema):
        return data
    if data is not None and not isinstance(data, Mapping):
        raise ValidationFailed(_("请求体应为 JSON 对象。"),
                               fields={"body": [_("应为 JSON 对象。")]})
    try:
        return schema.model_validate(dict(data or {}))
    except SchemaError as error:
        raise ValidationFailed(
            _("请求内容有误，请检查标出的字段。"),
            fields=fields_of(error.errors(include_url=False)),
        ) from None


# --- the ticket's own actions -------------------------------------------------------------------


def _assignee(username: str) -> User:
    if not username:
        raise ValidationFailed(_("请选择处理人。"), fields={"assignee": [_("必填。")]})
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationFailed(_("没有这个用户：%(name)s") % {"name": username[:40]},
                               fields={"assignee": [_("未知的用户。")]})
    return user


def _accept(*, ticket: Ticket, actor: Actor, body: AcceptIn) -> Ticket:
    return services.accept_ticket(ticket=ticket, actor=actor, note=body.note,
                                  visit_needed=body.visit_needed)


def _assign(*, ticket: Ticket, actor: Actor, body: AssignIn) -> Ticket:
    return services.assign_ticket(ticket=ticket, actor=actor, assignee=_assignee(body.assignee),
                                  note=body.note)


def _approve(*, ticket: Ticket, actor: Actor, body: ApproveIn) -> Ticket:
    assignee = _assignee(body.assignee) if body.assignee else None
    return services.approve_ticket(ticket=ticket, actor=actor, note=body.note, assignee=assignee)


def _start(*, ticket: Ticket, actor: Actor, body: NoteIn) -> Ticket:
    return services.start_ticket(ticket=ticket, actor=actor, note=body.note)


def _wait_customer(*, ticket: Ticket, actor: Actor, body: ReasonIn) -> Ticket:
    return services.wait_for_customer(ticket=ticket, actor=actor, reason=body.text)


def _resume(*, ticket: Ticket, actor: Actor, body: NoteIn) -> Ticket:
    return services.resume_ticket(ticket=ticket, actor=actor, note=body.note)


def _resolve(*, ticket: Ticket, actor: Actor, body: ResolveIn) -> Ticket:
    return services.resolve_ticket(ticket=ticket, actor=actor, record=services.Resolution(
        resolution=body.resolution, technical_solution=body.technical_solution,
        parts_replaced=body.parts_replaced, labour_minutes=body.labour_minutes,
        cost_fen=body.cost_fen, solved_on_first_contact=body.solved_on_first_contact,
    ))


def _confirm(*, ticket: Ticket, actor: Actor, body: ConfirmIn) -> Ticket:
    if body.solved is None:
        raise ValidationFailed(_("请说明问题是否已解决。"), fields={"solved": [_("必填。")]})
    return services.confirm_resolution(
        ticket=ticket, actor=actor, solved=body.solved, note=body.note,
        confirmation=services.Confirmation(channel=body.channel or "",
                                           confirmed_by=body.confirmed_by,
                                           confirmed_at=body.confirmed_at),
    )


def _close(*, ticket: Ticket, actor: Actor, body: CloseIn) -> Ticket:
    return services.close_ticket(
        ticket=ticket, actor=actor, note=body.note, method=body.confirmation or "",
        confirmation=services.Confirmation(channel=body.channel or "",
                                           confirmed_by=body.confirmed_by,
                                           confirmed_at=body.confirmed_at),
    )


def _contact(*, ticket: Ticket, actor: Actor, body: ContactIn) -> Ticket:
    return services.contact_customer(ticket=ticket, actor=actor, channel=body.channel,
                                     reached=body.reached, note=body.note)


def _reopen(*, ticket: Ticket, actor: Actor, body: ReasonIn) -> Ticket:
    return services.reopen_ticket(ticket=ticket, actor=actor, reason=body.text)


def _cancel(*, ticket: Ticket, actor: Actor, body: ReasonIn) -> Ticket:
    return services.cancel_ticket(ticket=ticket, actor=actor, reason=body.text)


def _set_priority(*, ticket: Ticket, actor: Actor, body: SetPriorityIn) -> Ticket:
    if body.priority is None:
        raise ValidationFailed(_("请选择优先级。"), fields={"priority": [_("必填。")]})
    return services.set_priority(ticket=ticket, actor=actor, priority=body.priority,
                                 reason=body.text)


def register_ticket_actions() -> None:
    """The table's actions (``workflow.RULES``), each with its body and its service, in the
    table's order (``TicketsConfig.ready``: before any other app registers its own)."""
    confirm_cancel = gettext_lazy("确定取消这张工单吗？取消后不能再处理。")
    bound = {
        "accept": (AcceptIn, _accept, False),
        "assign": (AssignIn, _assign, True),
        "approve": (ApproveIn, _approve, False),
        "start": (NoteIn, _start, False),
        "wait_customer": (ReasonIn, _wait_customer, True),
        "resume": (NoteIn, _resume, False),
        "resolve": (ResolveIn, _resolve, True),
        "confirm": (ConfirmIn, _confirm, True),
        "close": (CloseIn, _close, True),
        "reopen": (ReasonIn, _reopen, True),
        "cancel": (ReasonIn, _cancel, True),
        "set_priority": (SetPriorityIn, _set_priority, True),
    }
    for name, rule in RULES.items():
        schema, run, needs_input = bound[name]
        register_action(
            name, label=ACTION_LABELS[name], schema=schema, run=run,
            statuses=rule.from_statuses, roles=rule.roles, assignee_may=rule.assignee_may,
            customer_may=rule.customer_may, needs_input=needs_input,
            confirm=confirm_cancel if name == "cancel" else "", permits=rule.permits,
            denied=(gettext_lazy("只有工单所属部门的主管、经理（或系统管理员）可以审批。"),
                    TicketErrorCode.APPROVAL_NOT_PERMITTED) if name == "approve" else None,
        )
    # Not a move: a call, a message or a visit logged on the ticket (SPEC §3 "contact the
    # customer within 30 minutes"; SPEC §5 the closing callback and the no-answer rule).
    register_action(
        CONTACT_ACTION, label=gettext_lazy("联系客户"), schema=ContactIn, run=_contact,
        statuses=OPEN_STATUSES | {Status.RESOLVED}, roles=FRONT_LINE,
        assignee_may=True,
    )


CONTACT_ACTION = "contact"
