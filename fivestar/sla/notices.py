"""Who hears of an extension request (SPEC §3 延期, issue 18 item 16): the people who may decide
it — the ticket's department's supervisor and manager, else every supervisor and manager — get a
bell notice when one waits, and the notice is settled for all of them once one has decided.
Registered with ``tickets.hooks`` in ``SlaConfig.ready``; runs in the transaction of the request.
"""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fivestar.notifications.inbox import (
    StaffNotificationKind,
    notify_staff,
    settle_notifications,
)
from fivestar.notifications.selectors import language_of
from fivestar.sla.events import ExtensionRequest, SlaEventKind
from fivestar.sla.models import TargetName
from fivestar.tickets import hooks
from fivestar.tickets.models import Status, TicketEvent
from fivestar.tickets.notices import approvers_for


def register() -> None:
    hooks.on_event(SlaEventKind.EXTENSION_REQUESTED)(_extension_waiting)
    hooks.on_event(SlaEventKind.EXTENDED, SlaEventKind.EXTENSION_DECLINED)(_extension_decided)


def _extension_waiting(event: TicketEvent) -> None:
    ticket = event.ticket
    request: ExtensionRequest = event.payload
    for person in approvers_for(ticket):
        if person.pk == event.actor_id:
            continue
        with translation.override(language_of(person)):
            due = (f"{timezone.localtime(request.due_at):%Y-%m-%d %H:%M}" if request.due_at
                   else "-")
            notify_staff(
                person=person, kind=StaffNotificationKind.APPROVAL, about=ticket,
                title=_("工单 %(number)s 的延期申请等待审批") % {"number": ticket.number},
                body=_("%(target)s 延至 %(due)s · %(reason)s") % {
                    "target": TargetName(request.target).label if request.target else "",
                    "due": due, "reason": event.note},
                dedupe_key=f"event:{event.pk}:extension",
            )


def _extension_decided(event: TicketEvent) -> None:
    # The bell's approvals about this ticket are done — unless its P1 work still waits for one.
    if event.ticket.status != Status.AWAITING_APPROVAL:
        settle_notifications(about=event.ticket, kind=StaffNotificationKind.APPROVAL)
