"""The ticket's actions: one registry that every channel goes through.

Each action (``TicketAction``) is a name with its rule (the states it applies in, the roles that
may take it, whether the assignee or the ticket's own customer may), its input schema (a pydantic
model: the API's body, the pages' form data) and the service that carries it out. The ticket's
own actions come from the table ``RULES`` below (``tickets.actions`` binds each to its service);
other apps add theirs with ``register_action`` (the SLA engine's ``extend``, dispatch's quote
decisions). ``tickets.actions.perform_action`` is the one door the API, the workspace, the console
and the portal call; nobody maps an action to a service on their own.

The services check the same rule again under the ticket's row lock (``check_action``), so of two
concurrent actions on one ticket exactly one applies and the other sees the new state.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from fivestar.accounts.models import RoleCode, User
from fivestar.core.errors import Conflict, ErrorCode, PermissionDenied
from fivestar.tickets.errors import TicketErrorCode
from fivestar.tickets.models import OPEN_STATUSES, Status, Ticket

if TYPE_CHECKING:
    from pydantic import BaseModel

FRONT_LINE = frozenset(
    {RoleCode.AGENT, RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.ADMINISTRATOR}
)
APPROVERS = frozenset({RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.ADMINISTRATOR})
WORKERS = frozenset(
    {RoleCode.TECHNICIAN, RoleCode.SENIOR_TECHNICIAN, RoleCode.AGENT}
)  # may act on tickets assigned to them


@dataclass(frozen=True)
class Rule:
    from_statuses: frozenset[str]
    # Roles that may take the action on any ticket they can see.
    roles: frozenset[str]
    # Whether the ticket's assignee may take it whatever their roles.
    assignee_may: bool = False
    # Whether the ticket's own customer may take it.
    customer_may: bool = False
    # A further condition on a user whose role allows the action: ``permits(ticket, user)``
    # (no query beyond the ticket's own row: a list of tickets asks it per row).
    permits: "Callable[[Ticket, User], bool] | None" = None


def may_approve(ticket: Ticket, user: User | None) -> bool:
    """Whether ``user`` may approve ``ticket``'s P1 work or lower its priority (SPEC §4): an
    administrator, or a supervisor or manager of the ticket's department — a member of it or
    its named head. A ticket without a department: any supervisor or manager."""
    if user is None:
        return False
    roles = user.role_codes()
    if RoleCode.ADMINISTRATOR in roles:
        return True
    if not roles & {RoleCode.SUPERVISOR, RoleCode.MANAGER}:
        return False
    if ticket.department_id is None or user.department_id == ticket.department_id:
        return True
    department = ticket.department
    return user.pk in (department.supervisor_id, department.manager_id)


_WORK_STATES = frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING_CUSTOMER})

#: The ticket's own moves: which action may move a ticket from which state, and who may act.
RULES: dict[str, Rule] = {
    "accept": Rule(frozenset({Status.NEW}), FRONT_LINE),
    "assign": Rule(frozenset({Status.ACCEPTED}) | _WORK_STATES, FRONT_LINE),
    "approve": Rule(frozenset({Status.AWAITING_APPROVAL}), APPROVERS, permits=may_approve),
    "start": Rule(frozenset({Status.ASSIGNED}), APPROVERS, assignee_may=True),
    "wait_customer": Rule(frozenset({Status.IN_PROGRESS}), APPROVERS, assignee_may=True),
    "resume": Rule(frozenset({Status.WAITING_CUSTOMER}), FRONT_LINE, assignee_may=True,
                   customer_may=True),
    "resolve": Rule(frozenset({Status.IN_PROGRESS}), APPROVERS, assignee_may=True),
    "confirm": Rule(frozenset({Status.RESOLVED}), FRONT_LINE, customer_may=True),
    "close": Rule(frozenset({Status.RESOLVED}), FRONT_LINE),
    "reopen": Rule(frozenset({Status.RESOLVED, Status.CLOSED}), FRONT_LINE, customer_may=True),
    "cancel": Rule(OPEN_STATUSES, FRONT_LINE),
    "set_priority": Rule(OPEN_STATUSES, FRONT_LINE),
}

#: The buttons' verbs (the timeline names what happened instead: ``tickets.events``).
ACTION_LABELS = {
    "accept": gettext_lazy("受理"),
    "assign": gettext_lazy("派单"),
    "approve": gettext_lazy("审批"),
    "start": gettext_lazy("开始处理"),
    # A button ("Wait for customer"), where the status of the same name is a state.
    "wait_customer": pgettext_lazy("action", "等待客户"),
    "resume": gettext_lazy("继续处理"),
    "resolve": gettext_lazy("解决"),
    "confirm": gettext_lazy("客户确认"),
    "close": gettext_lazy("关闭"),
    "reopen": gettext_lazy("重开"),
    "cancel": gettext_lazy("取消"),
    "set_priority": gettext_lazy("调整优先级"),
}


# --- the registry -----------------------------------------------------------------------------

ActionRunner = Callable[..., Any]


@dataclass(frozen=True)
class TicketAction:
    """One action on a ticket. ``run(ticket=, actor=, body=)`` carries it out with the body
    parsed by ``schema``; ``available(ticket)`` (optional) says whether it applies to this
    ticket now — it must read only what a ticket list prefetches; ``confirm`` is the question a
    page asks before a destructive action; ``needs_input`` is False for an action a page takes
    in one click (its schema asks for nothing that matters)."""

    name: str
    label: object
    schema: type["BaseModel"]
    run: ActionRunner
    rule: Rule
    available: Callable[[Ticket], bool] | None = None
    confirm: object = ""
    needs_input: bool = True
    owner: str = "tickets"
    #: What a list of tickets prefetches so that ``available`` costs no query per ticket.
    prefetch: tuple = ()
    #: What a refused actor is told (a lazy message) and the code, when the action has words of
    #: its own for it; otherwise the workflow's ``action_not_permitted``.
    denied: tuple[object, ErrorCode] | None = None


_actions: dict[str, TicketAction] = {}


def register_action(
    name: str, *, label: object, schema: type["BaseModel"], run: ActionRunner,
    statuses: Collection[str], roles: Collection[str], assignee_may: bool = False,
    customer_may: bool = False, available: Callable[[Ticket], bool] | None = None,
    confirm: object = "", needs_input: bool = True, owner: str = "tickets",
    prefetch: Collection = (), denied: tuple[object, ErrorCode] | None = None,
    permits: Callable[[Ticket, User], bool] | None = None,
) -> TicketAction:
    """Add ``name`` to the ticket's actions (``label`` is the button, a lazy translation).
    Registering a name again replaces the earlier registration; actions are listed in the order
    they were first registered (the ticket's own first)."""
    action = TicketAction(
        name=name, label=label, schema=schema, run=run,
        rule=Rule(frozenset(statuses), frozenset(roles), assignee_may=assignee_may,
                  customer_may=customer_may, permits=permits),
        available=available, confirm=confirm, needs_input=needs_input, owner=owner,
        prefetch=tuple(prefetch), denied=denied,
    )
    _actions[name] = action
    return action


def ticket_action(name: str) -> TicketAction | None:
    return _actions.get(name)


def registered_actions() -> list[TicketAction]:
    return list(_actions.values())


def action_prefetches() -> list:
    """The lookups a ticket list prefetches for the actions' ``available`` checks (each once)."""
    seen: list = []
    for action in _actions.values():
        for lookup in action.prefetch:
            if lookup not in seen:
                seen.append(lookup)
    return seen


def action_label(name: str) -> str:
    action = _actions.get(name)
    if action is not None:
        return str(action.label)
    return str(ACTION_LABELS.get(name, name))


# --- who may act ------------------------------------------------------------------------------


def _role_allows(rule: Rule, *, ticket: Ticket, user: User | None, as_customer: bool) -> bool:
    if as_customer:
        # A customer acts on their own ticket only. Without a user (an SMS or email reply) the
        # caller has already tied the message to this ticket's customer.
        return rule.customer_may and (user is None or ticket.customer.user_id == user.pk)
    if user is None:
        return False
    if user.role_codes() & rule.roles:
        return rule.permits is None or rule.permits(ticket, user)
    return rule.assignee_may and ticket.assignee_id is not None and ticket.assignee_id == user.pk


def action_permitted(*, ticket: Ticket, action: str, user: User | None,
                     as_customer: bool = False) -> bool:
    """Whether the rule of ``action`` lets ``user`` take it on ``ticket`` in its state now —
    without asking ``available`` (no query: a console row uses this)."""
    registered = _actions.get(action)
    if registered is None:
        return False
    return ticket.status in registered.rule.from_statuses and _role_allows(
        registered.rule, ticket=ticket, user=user, as_customer=as_customer)


def allowed_actions(*, ticket: Ticket, user: User | None, as_customer: bool = False) -> list[str]:
    """The actions ``user`` may take on ``ticket`` now, in the registry's order."""
    return [
        action.name for action in _actions.values()
        if ticket.status in action.rule.from_statuses
        and _role_allows(action.rule, ticket=ticket, user=user, as_customer=as_customer)
        and (action.available is None or action.available(ticket))
    ]


def check_action(
    *, ticket: Ticket, action: str, user: User | None, as_customer: bool = False
) -> TicketAction:
    """The registered action, when the actor may take it on this ticket now. Otherwise
    PermissionDenied (the actor may never take it here) or Conflict listing what is allowed now
    (unknown action, or the ticket's state does not allow it)."""
    registered = _actions.get(action)
    if registered is None:
        raise Conflict(
            _("未知的操作：%(action)s") % {"action": action[:40]},
            code=TicketErrorCode.UNKNOWN_ACTION,
            extra={"allowed_actions": allowed_actions(ticket=ticket, user=user,
                                                       as_customer=as_customer)},
        )
    if not _role_allows(registered.rule, ticket=ticket, user=user, as_customer=as_customer):
        if registered.denied is not None:
            message, code = registered.denied
            raise PermissionDenied(str(message), code=code)
        raise PermissionDenied(
            _("您的角色不能对该工单执行“%(action)s”。") % {"action": action_label(action)},
            code=TicketErrorCode.ACTION_NOT_PERMITTED,
        )
    if ticket.status not in registered.rule.from_statuses:
        raise Conflict(
            _("工单当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": Status(ticket.status).label, "action": action_label(action)},
            code=TicketErrorCode.TRANSITION_NOT_ALLOWED,
            extra={
                "status": ticket.status,
                "allowed_actions": allowed_actions(ticket=ticket, user=user,
                                                   as_customer=as_customer),
            },
        )
    return registered
