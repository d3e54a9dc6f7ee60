"""Which ticket events reach whose inbox (the bell). Registered with ``tickets.hooks`` in
``apps.ready``; runs inside the transaction that wrote the event, like the outbox handlers.

- ``assign``/``approve`` that gave the ticket an assignee → "assigned to me" for that person
  (not when they took it themselves);
- ``assign`` that left a P1 ticket waiting for approval → "approval waiting" for whoever may
  approve it: the supervisor and the manager of the ticket's department (SPEC §4), or, when
  that department names neither, every active supervisor and manager;
- the ticket leaves ``awaiting_approval`` (approved, cancelled…) → those approval notices are
  settled (marked read for everyone): the thing they asked for is done.

SLA warnings and breaches come from the SLA sweep, which calls ``inbox.notify_staff`` itself.
"""

from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from fivestar.accounts.models import RoleCode, User
from fivestar.notifications.inbox import (
    StaffNotificationKind,
    notify_staff,
    settle_ticket_notifications,
)
from fivestar.notifications.selectors import language_of
from fivestar.tickets.models import Priority, Status, TicketEvent


def handle_ticket_event_for_inbox(event: TicketEvent) -> None:
    after = event.after or {}
    if event.action in {"assign", "approve"} and after.get("assignee"):
        notify_assignee(event, assignee_id=after["assignee"])
    if event.action == "assign" and event.to_status == Status.AWAITING_APPROVAL and (
        event.from_status != Status.AWAITING_APPROVAL
    ):
        _approval_waiting(event)
    if event.from_status == Status.AWAITING_APPROVAL and event.to_status not in (
        "", Status.AWAITING_APPROVAL
    ):
        settle_ticket_notifications(ticket=event.ticket, kind=StaffNotificationKind.APPROVAL)


def _priority_label(ticket) -> str:
    return str(Priority(ticket.priority).label) if ticket.priority in Priority.values else ""


def notify_assignee(
    event: TicketEvent, *, assignee_id: int, email_template_code: str | None = None,
    email_context: Mapping[str, Any] | None = None, email_dedupe_key: str | None = None,
) -> None:
    """Tell the new assignee of ``event``'s ticket, in the app and — with a template — by
    e-mail too (``handlers._to_assignee`` can call this with its ``ticket_assigned`` template,
    ``ticket_context`` and its old dedupe key; ``assignee_name`` is added to the context here).
    One row and one e-mail per event, whoever calls first. Nobody is told of a ticket they
    assigned to themselves."""
    if event.actor_id is not None and event.actor_id == assignee_id:
        return
    assignee = User.objects.filter(pk=assignee_id, is_active=True).first()
    if assignee is None:
        return
    ticket = event.ticket
    with translation.override(language_of(assignee)):
        notify_staff(
            person=assignee, kind=StaffNotificationKind.ASSIGNED, ticket=ticket,
            title=_("工单 %(number)s 已派给您") % {"number": ticket.number},
            body=f"{_priority_label(ticket)} · {ticket.title}",
            dedupe_key=f"event:{event.pk}:assigned",
            email_template_code=email_template_code,
            email_context={**(email_context or {}), "assignee_name": str(assignee)},
            email_dedupe_key=email_dedupe_key,
        )


def approvers_for(ticket) -> list[User]:
    """Who may approve ``ticket``'s P1 assignment and should hear of it: its department's
    supervisor and manager, else every active supervisor and manager."""
    department = ticket.department
    people = [
        person for person in (
            department.supervisor if department else None,
            department.manager if department else None,
        ) if person is not None and person.is_active
    ]
    if not people:
        people = list(
            User.objects.filter(
                is_active=True, roles__code__in=[RoleCode.SUPERVISOR, RoleCode.MANAGER]
            ).distinct().order_by("pk")
        )
    unique: dict[int, User] = {}
    for person in people:
        unique.setdefault(person.pk, person)
    return list(unique.values())


def _approval_waiting(event: TicketEvent) -> None:
    ticket = event.ticket
    pending = ticket.pending_assignee
    for person in approvers_for(ticket):
        if event.actor_id is not None and person.pk == event.actor_id:
            continue
        with translation.override(language_of(person)):
            proposed = _("建议处理人：%(name)s") % {"name": pending} if pending else ""
            notify_staff(
                person=person, kind=StaffNotificationKind.APPROVAL, ticket=ticket,
                title=_("一级工单 %(number)s 等待审批") % {"number": ticket.number},
                body=" · ".join(part for part in (ticket.title, proposed) if part),
                dedupe_key=f"event:{event.pk}:approval",
            )
