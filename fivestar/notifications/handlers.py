"""Which ticket events tell whom what. Registered with ``tickets.hooks`` in ``apps.ready``.

The handler runs inside the transaction that wrote the event, so the outbox rows it queues
commit or roll back with the ticket change itself. ``tickets`` never imports this module.
"""

from typing import Any

from fivestar.accounts.models import User
from fivestar.notifications.models import Channel
from fivestar.notifications.selectors import language_of
from fivestar.notifications.services import queue_message
from fivestar.tickets.access import follow_url
from fivestar.tickets.models import (
    Priority,
    Reply,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)

TICKET_CREATED = "ticket_created"
TICKET_ASSIGNED = "ticket_assigned"
TICKET_RESOLVED = "ticket_resolved"
TICKET_CLOSED = "ticket_closed"
TICKET_REPLY = "ticket_reply"


def handle_ticket_event(event: TicketEvent) -> None:
    """Queue the messages an event calls for:

    - ``created`` → ``ticket_created`` to the customer;
    - ``assign``/``approve`` that changed the assignee → ``ticket_assigned`` to the assignee's
      email (a P1 assignment waiting for approval tells no one yet);
    - ``resolve`` → ``ticket_resolved`` to the customer (please confirm);
    - ``confirm``/``close`` reaching closed → ``ticket_closed`` to the customer;
    - a public ``reply`` by staff → ``ticket_reply`` to the customer.
    Customers get SMS when they have a phone and email when they have an email (both if both).
    """
    action = event.action
    if action == "created":
        _to_customer(event, TICKET_CREATED)
    elif action in {"assign", "approve"} and (event.after or {}).get("assignee"):
        _to_assignee(event, assignee_id=event.after["assignee"])
    elif action == "resolve" and event.to_status == Status.RESOLVED:
        _to_customer(event, TICKET_RESOLVED)
    elif action in {"confirm", "close"} and event.to_status == Status.CLOSED:
        _to_customer(event, TICKET_CLOSED)
    elif action == "reply" and event.actor_kind == "staff":
        reply = Reply.objects.filter(pk=(event.after or {}).get("reply")).first()
        if reply is not None and not reply.internal and not reply.from_customer:
            _to_customer(event, TICKET_REPLY, extra={
                "reply_body": reply.body,
                "reply_author": str(reply.author) if reply.author else "",
            })


def _to_customer(event: TicketEvent, code: str, *, extra: dict[str, Any] | None = None) -> None:
    ticket = event.ticket
    customer = ticket.customer
    if customer.anonymised_at is not None:
        return
    # Only customers get the portal link: it opens their ticket without signing in.
    context = {**ticket_context(ticket), "follow_url": follow_url(ticket=ticket), **(extra or {})}
    # Customers have no language of their own yet: language_of gives them the site's (zh-hans).
    language = language_of(customer)
    for channel, address in ((Channel.SMS, customer.phone), (Channel.EMAIL, customer.email)):
        if address:
            queue_message(
                channel=channel, recipient=address, template_code=code, context=context,
                language=language, ticket=ticket, dedupe_key=f"{event.pk}:{code}:{channel}",
            )


def _to_assignee(event: TicketEvent, *, assignee_id: int) -> None:
    assignee = User.objects.filter(pk=assignee_id, is_active=True).first()
    if assignee is None or not assignee.email:
        return
    ticket = event.ticket
    queue_message(
        channel=Channel.EMAIL, recipient=assignee.email, template_code=TICKET_ASSIGNED,
        context={**ticket_context(ticket), "assignee_name": str(assignee)},
        language=language_of(assignee), ticket=ticket,
        dedupe_key=f"{event.pk}:{TICKET_ASSIGNED}:{Channel.EMAIL}",
    )


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
