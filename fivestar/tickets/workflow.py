"""The ticket state machine: which action may move a ticket from which state, and who may act.

One table; each action's service function in ``services`` checks it through ``check_action``.
Actions other apps add (``hooks.register_action``, e.g. the SLA engine's ``extend``) bring their
own rule and are checked the same way; they come after the table's in ``allowed_actions``.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from fivestar.accounts.models import RoleCode, User
from fivestar.core.errors import Conflict, PermissionDenied
from fivestar.tickets import hooks
from fivestar.tickets.models import OPEN_STATUSES, Status, Ticket

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


_WORK_STATES = frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING_CUSTOMER})

RULES: dict[str, Rule] = {
    "accept": Rule(frozenset({Status.NEW}), FRONT_LINE),
    "assign": Rule(frozenset({Status.ACCEPTED}) | _WORK_STATES, FRONT_LINE),
    "approve": Rule(frozenset({Status.AWAITING_APPROVAL}), APPROVERS),
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


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    provided = hooks.provided_action(action)
    return str(provided.label) if provided is not None else action


def _rule(action: str) -> Rule | None:
    rule = RULES.get(action)
    if rule is None and (provided := hooks.provided_action(action)) is not None:
        rule = Rule(provided.statuses, provided.roles, assignee_may=provided.assignee_may)
    return rule


def _role_allows(rule: Rule, *, ticket: Ticket, user: User | None, as_customer: bool) -> bool:
    if as_customer:
        # A customer acts on their own ticket only. Without a user (an SMS or email reply) the
        # caller has already tied the message to this ticket's customer.
        return rule.customer_may and (user is None or ticket.customer.user_id == user.pk)
    if user is None:
        return False
    if user.role_codes() & rule.roles:
        return True
    return rule.assignee_may and ticket.assignee_id is not None and ticket.assignee_id == user.pk


def allowed_actions(*, ticket: Ticket, user: User | None, as_customer: bool = False) -> list[str]:
    """The actions ``user`` may take on ``ticket`` now: the table's in its order, then the ones
    other apps provide that apply to this ticket now."""
    allowed = [
        action
        for action, rule in RULES.items()
        if ticket.status in rule.from_statuses
        and _role_allows(rule, ticket=ticket, user=user, as_customer=as_customer)
    ]
    for provided in hooks.provided_actions():
        rule = _rule(provided.name)
        if (provided.name not in RULES and ticket.status in rule.from_statuses
                and _role_allows(rule, ticket=ticket, user=user, as_customer=as_customer)
                and (provided.available is None or provided.available(ticket))):
            allowed.append(provided.name)
    return allowed


def check_action(
    *, ticket: Ticket, action: str, user: User | None, as_customer: bool = False
) -> None:
    """Raise PermissionDenied when the actor may never take ``action`` on this ticket, or
    Conflict (listing what is allowed now) when the ticket's state does not allow it."""
    rule = _rule(action)
    if rule is None:
        raise Conflict(
            _("未知的操作：%(action)s") % {"action": action[:40]},
            code="unknown_action",
            extra={"allowed_actions": allowed_actions(ticket=ticket, user=user,
                                                       as_customer=as_customer)},
        )
    if not _role_allows(rule, ticket=ticket, user=user, as_customer=as_customer):
        raise PermissionDenied(
            _("您的角色不能对该工单执行“%(action)s”。") % {"action": action_label(action)},
            code="action_not_permitted",
        )
    if ticket.status not in rule.from_statuses:
        raise Conflict(
            _("工单当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": Status(ticket.status).label, "action": action_label(action)},
            code="transition_not_allowed",
            extra={
                "status": ticket.status,
                "allowed_actions": allowed_actions(ticket=ticket, user=user,
                                                   as_customer=as_customer),
            },
        )
