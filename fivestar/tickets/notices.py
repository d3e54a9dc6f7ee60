"""Who hears what about the ticket's own events: the customer by SMS and e-mail, staff in the
bell (and by e-mail). The rules are the ticket's; ``notifications`` only delivers.

The handlers run inside the transaction that wrote the event, so the outbox rows and bell
notices they write commit or roll back with the ticket change itself.

- created → ``ticket_created`` to the customer;
- an assignment that gave the ticket an assignee (``assign``, ``approve``) → the assignee in
  the bell and by e-mail (``ticket_assigned``), unless they took it themselves; a P1 assignment
  waiting for approval tells no assignee yet;
- a P1 assignment left waiting for approval → "approval waiting" in the bell of whoever may
  approve it: the supervisor and the manager of the ticket's department (SPEC §4), or, when
  that department names neither, every active supervisor and manager; once the ticket leaves
  ``awaiting_approval`` (approved, cancelled…) those notices are settled for everyone;
- resolved → ``ticket_resolved`` to the customer (please confirm);
- closed (confirmed or closed by staff) → ``ticket_closed`` to the customer;
- a public reply by staff → ``ticket_reply`` to the customer.
Customers get SMS when they have a phone and e-mail when they have an address (both if both).
"""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from fivestar.accounts.models import RoleCode, User
from fivestar.notifications.inbox import StaffNotificationKind, notify_staff, settle_notifications
from fivestar.notifications.models import Channel
from fivestar.notifications.selectors import language_of
from fivestar.notifications.services import queue_message
from fivestar.tickets import hooks
from fivestar.tickets.access import follow_url
from fivestar.tickets.actors import ActorKind
from fivestar.tickets.events import Assignment, ReplyAdded, TicketEventKind
from fivestar.tickets.models import Priority, Reply, Status, Ticket, TicketEvent, TicketType

TICKET_CREATED = "ticket_created"
TICKET_ASSIGNED = "ticket_assigned"
TICKET_RESOLVED = "ticket_resolved"
TICKET_CLOSED = "ticket_closed"
TICKET_REPLY = "ticket_reply"

K = TicketEventKind


def ticket_context(ticket: Ticket) -> dict[str, Any]:
    """What a ticket template may use. Plain values only — a template edited in the admin must
    not reach into related objects (a password hash is two dots away from a ticket). Labels are
    lazy, so they render in the template's language. Personal data (phone, address) is left
    out: messages carry the ticket number, and details stay in the system."""
    return {
        "number": ticket.number,
        "title": ticket.title,
        "customer_name": ticket.customer.name,
        "type": TicketType(ticket.type).label if ticket.type in TicketType.values else "",
        "priority": ticket.priority,
        "priority_label": (
            Priority(ticket.priority).label if ticket.priority in Priority.values else ""
        ),
        "status": Status(ticket.status).label if ticket.status in Status.values else "",
        "received_at": ticket.received_at,
        "resolution": ticket.resolution,
        "demand": ticket.demand,
        "next_due_at": ticket.next_due_at,
    }


def tell_customer(event: TicketEvent, code: str, *, extra: dict[str, Any] | None = None) -> None:
    """Queue template ``code`` to the event's ticket's customer, with the follow link (only
    customers get it: it opens their ticket without signing in), once per event and channel."""
    ticket = event.ticket
    customer = ticket.customer
    if customer.anonymised_at is not None:
        return
    context = {**ticket_context(ticket), "follow_url": follow_url(ticket=ticket), **(extra or {})}
    # Customers have no language of their own yet: language_of gives them the site's (zh-hans).
    language = language_of(customer)
    for channel, address in ((Channel.SMS, customer.phone), (Channel.EMAIL, customer.email)):
        if address:
            queue_message(
                channel=channel, recipient=address, template_code=code, context=context,
                language=language, about=ticket, dedupe_key=f"{event.pk}:{code}:{channel}",
            )


def _priority_label(ticket: Ticket) -> str:
    return str(Priority(ticket.priority).label) if ticket.priority in Priority.values else ""


def _created(event: TicketEvent) -> None:
    tell_customer(event, TICKET_CREATED)


def _assigned(event: TicketEvent) -> None:
    payload: Assignment = event.payload
    if payload.assignee:
        _tell_assignee(event, assignee_id=payload.assignee)
    if (event.kind == K.ASSIGNED and event.to_status == Status.AWAITING_APPROVAL
            and event.from_status != Status.AWAITING_APPROVAL):
        _approval_waiting(event)


def _tell_assignee(event: TicketEvent, *, assignee_id: int) -> None:
    """The new assignee, in the bell and by e-mail: one row and one e-mail per event. Nobody is
    told of a ticket they assigned to themselves."""
    if event.actor_id is not None and event.actor_id == assignee_id:
        return
    assignee = User.objects.filter(pk=assignee_id, is_active=True).first()
    if assignee is None:
        return
    ticket = event.ticket
    with translation.override(language_of(assignee)):
        notify_staff(
            person=assignee, kind=StaffNotificationKind.ASSIGNED, about=ticket,
            title=_("工单 %(number)s 已派给您") % {"number": ticket.number},
            body=f"{_priority_label(ticket)} · {ticket.title}",
            dedupe_key=f"event:{event.pk}:assigned",
            email_template_code=TICKET_ASSIGNED,
            email_context={**ticket_context(ticket), "assignee_name": str(assignee)},
            email_dedupe_key=f"{event.pk}:{TICKET_ASSIGNED}:{Channel.EMAIL}",
        )


def approvers_for(ticket: Ticket) -> list[User]:
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
                person=person, kind=StaffNotificationKind.APPROVAL, about=ticket,
                title=_("一级工单 %(number)s 等待审批") % {"number": ticket.number},
                body=" · ".join(part for part in (ticket.title, proposed) if part),
                dedupe_key=f"event:{event.pk}:approval",
            )


def _settle_approval(event: TicketEvent) -> None:
    """Any event that moves a ticket out of ``awaiting_approval``: the approval asked for is
    done (or moot) for every approver who was asked."""
    if event.from_status == Status.AWAITING_APPROVAL and event.to_status not in (
        "", Status.AWAITING_APPROVAL
    ):
        settle_notifications(about=event.ticket, kind=StaffNotificationKind.APPROVAL)


def _resolved(event: TicketEvent) -> None:
    if event.to_status == Status.RESOLVED:
        tell_customer(event, TICKET_RESOLVED)


def _closed(event: TicketEvent) -> None:
    if event.to_status == Status.CLOSED:
        tell_customer(event, TICKET_CLOSED)


def _replied(event: TicketEvent) -> None:
    if event.actor_kind != ActorKind.STAFF:
        return
    payload: ReplyAdded = event.payload
    reply = Reply.objects.select_related("author").filter(pk=payload.reply).first()
    if reply is not None and not reply.internal and not reply.from_customer:
        tell_customer(event, TICKET_REPLY, extra={
            "reply_body": reply.body,
            "reply_author": str(reply.author) if reply.author else "",
        })


def register() -> None:
    """Subscribe the handlers (``TicketsConfig.ready``)."""
    hooks.on_event(K.CREATED)(_created)
    hooks.on_event(K.ASSIGNED, K.APPROVED)(_assigned)
    hooks.on_event(K.RESOLVED)(_resolved)
    hooks.on_event(K.CONFIRMED, K.CLOSED)(_closed)
    hooks.on_event(K.REPLIED)(_replied)
    hooks.on_ticket_event(_settle_approval)
