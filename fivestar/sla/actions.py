"""The ticket actions the SLA engine adds to the ticket's registry
(``tickets.workflow.register_action``): ``extend`` and ``arrive``. Each runner turns the parsed
body into one service call; the rules live in the services (``extensions``, ``visits``)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fivestar.accounts.models import RoleCode
from fivestar.core.errors import ValidationFailed
from fivestar.sla import extensions, visits
from fivestar.sla.schemas import ArriveIn, DecideExtensionIn, ExtendIn
from fivestar.tickets.actors import Actor
from fivestar.tickets.models import OPEN_STATUSES, Status, Ticket
from fivestar.tickets.workflow import may_approve, register_action

# SPEC §3 names nobody for extensions; a service manager expects the people who answer for the
# ticket: the supervisor and the manager (and administrators), and the assignee who agreed the
# new time with the customer. Front-line agents without the ticket do not move deadlines.
EXTENDERS = frozenset({RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.ADMINISTRATOR})


def _extend(*, ticket: Ticket, actor: Actor, body: ExtendIn) -> object:
    return extensions.extend_deadline(ticket=ticket, target=body.target, new_due_at=body.due_at,
                               reason=body.reason, customer_agreed=body.customer_agreed,
                               actor=actor)


def _decide_extension(*, ticket: Ticket, actor: Actor, body: DecideExtensionIn) -> object:
    if body.decision is None:
        raise ValidationFailed(gettext("请选择批准或驳回。"),
                               fields={"decision": [gettext("必填。")]})
    return extensions.decide_extension(ticket=ticket, actor=actor,
                                       approve=body.decision == "approve", note=body.note)


def _arrive(*, ticket: Ticket, actor: Actor, body: ArriveIn) -> Ticket:
    return visits.record_arrival(ticket=ticket, actor=actor, note=body.note)


def register() -> None:
    register_action(
        extensions.ACTION, schema=ExtendIn, run=_extend, label=_("延期"),
        roles=EXTENDERS, statuses=OPEN_STATUSES, assignee_may=True,
        available=extensions.can_extend, owner="sla",
    )
    register_action(
        extensions.DECIDE_ACTION, schema=DecideExtensionIn, run=_decide_extension,
        label=_("审批延期"), roles=EXTENDERS, statuses=OPEN_STATUSES, permits=may_approve,
        available=extensions.pending_extension, prefetch=("sla_clocks__extensions",),
        owner="sla",
    )
    register_action(
        visits.ACTION, schema=ArriveIn, run=_arrive, label=_("上门到达"),
        roles=EXTENDERS, statuses={Status.ASSIGNED, Status.IN_PROGRESS}, assignee_may=True,
        available=visits.visit_pending, needs_input=False, owner="sla",
    )
