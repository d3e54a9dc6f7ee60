"""The on-site visit target (SPEC §3: "on-site visit within 48 hours of the evaluation when one
is needed"; 001 §2.3).

Trigger: the acceptance is the evaluation (受理评估). An agent who finds that the problem needs
someone on site says so when accepting (``accept`` with ``visit_needed``); the event fires
``visit_planned`` and the policy's ``visit`` target starts at the acceptance. The visit is done
when the assignee records the arrival on site (``arrive``, below), or when the ticket is resolved
without it. There is no dispatch module yet; when appointments and field visits arrive, they
take ``arrive`` over, and the target's start and stop events are data an administrator edits.
"""

from django.utils.translation import gettext as _

from fivestar.core.errors import Conflict
from fivestar.sla.errors import SlaErrorCode
from fivestar.sla.events import SlaEventKind, arrived_event
from fivestar.sla.models import ClockState, SlaClock, TargetName
from fivestar.tickets.actors import Actor
from fivestar.tickets.models import Ticket
from fivestar.tickets.services.transitions import action_on_ticket

ACTION = SlaEventKind.ARRIVED.value


def visit_pending(ticket: Ticket) -> bool:
    """Whether ``ticket`` waits for an on-site visit: its visit clock is open. Reads the clocks
    as a ticket list prefetches them (no query per ticket there)."""
    return any(c.name == TargetName.VISIT and c.is_open for c in ticket.sla_clocks.all())


def record_arrival(*, ticket: Ticket, actor: Actor, note: str = "") -> Ticket:
    """The technician is on site (SPEC §3, §4 visits): one ``arrive`` event on the timeline,
    which meets the visit target. Only while a visit is pending (else ``Conflict``); who may:
    the assignee, a supervisor, a manager, an administrator (``SlaConfig.ready``)."""
    with action_on_ticket(ticket=ticket, action=ACTION, actor=actor) as row:
        pending = SlaClock.objects.filter(
            ticket=row, name=TargetName.VISIT, met_at__isnull=True,
        ).exclude(state=ClockState.CANCELLED).exists()
        if not pending:
            raise Conflict(_("这张工单没有待完成的上门服务。"),
                           code=SlaErrorCode.NO_VISIT_PENDING)
        arrived_event(ticket=row, actor=actor, note=(note or "").strip())
    return ticket
