"""API v1: tickets. Thin: parse the schema, call one service or selector, shape the answer."""

from datetime import timedelta
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Body, File, Header, Query, Router, Schema
from ninja import Status as Answer
from ninja.files import UploadedFile

from fivestar.accounts.models import User
from fivestar.core.errors import ValidationFailed
from fivestar.core.memo import request_memo
from fivestar.core.queryplans import planned_for_their_values
from fivestar.core.responses import answers
from fivestar.customers.masking import mask
from fivestar.customers.services import CustomerDetails
from fivestar.tickets import selectors, services
from fivestar.tickets.actions import perform_action
from fivestar.tickets.actors import ActorKind, actor_for
from fivestar.tickets.downloads import attachment_download, attachment_of
from fivestar.tickets.events import event_type
from fivestar.tickets.models import (
    Attachment,
    Channel,
    Priority,
    Reply,
    Status,
    Ticket,
    TicketType,
)
from fivestar.tickets.schemas import (
    AttachmentOut,
    EventOut,
    ReplyIn,
    ReplyOut,
    TicketIn,
    TicketOut,
    TicketPage,
)
from fivestar.tickets.selectors import (
    ticket_deadlines,
    ticket_for_user,
    ticket_timeline,
)
from fivestar.tickets.services import TicketRequest, Upload
from fivestar.tickets.workflow import allowed_actions, registered_actions

router = Router(tags=["tickets"])

_LIST_RELATED = (
    "customer", "product_model", "product_model__product_line", "department", "assignee",
    "pending_assignee", "confirmation_recorded_by",
)


def _user_ref(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": str(user)}


def ticket_payload(ticket: Ticket, *, user: User) -> dict:
    customer = ticket.customer
    model = ticket.product_model
    actor = actor_for(user=user, ticket=ticket)
    return {
        "number": ticket.number,
        "status": ticket.status,
        "type": ticket.type,
        "channel": ticket.channel,
        "priority": ticket.priority,
        "proposed_priority": ticket.proposed_priority,
        "priority_confirmed": ticket.priority_confirmed,
        "title": ticket.title,
        "description": ticket.description,
        "demand": ticket.demand,
        "customer": {
            "id": customer.pk,
            "name": customer.name,
            "phone": mask(customer.phone, "phone"),
            "email": mask(customer.email, "email"),
            "address": mask(customer.address, "address"),
            "tier": customer.tier,
            "is_elderly": customer.is_elderly,
            "is_repeat_complainer": customer.is_repeat_complainer,
        },
        "product_model": None if model is None else {
            "code": model.code, "name": model.name,
            "product_line": {"code": model.product_line.code, "name": model.product_line.name},
        },
        "serial_number": ticket.serial_number,
        "purchase_date": ticket.purchase_date,
        "department": None if ticket.department is None else {
            "code": ticket.department.code, "name": ticket.department.name,
        },
        "assignee": _user_ref(ticket.assignee),
        "pending_assignee": _user_ref(ticket.pending_assignee),
        "received_at": ticket.received_at,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "accepted_at": ticket.accepted_at,
        "first_response_at": ticket.first_response_at,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
        "reopen_count": ticket.reopen_count,
        "next_due_at": ticket.next_due_at,
        "deadlines": ticket_deadlines(ticket=ticket),
        "closure": closure_payload(ticket),
        "allowed_actions": allowed_actions(ticket=ticket, user=actor.user,
                                           as_customer=actor.as_customer),
    }


def closure_payload(ticket: Ticket) -> dict | None:
    """The closing record (SPEC §5) once the ticket has been resolved: what was done and the
    customer's confirmation the closure rests on."""
    if ticket.resolved_at is None and ticket.closed_at is None:
        return None
    confirmation = None
    if ticket.confirmation_method:
        confirmation = {
            "method": ticket.confirmation_method,
            "channel": ticket.confirmation_channel,
            "confirmed_by": ticket.confirmed_by_name,
            "confirmed_at": ticket.confirmed_at,
            "recorded_by": _user_ref(ticket.confirmation_recorded_by),
        }
    return {
        "resolution": ticket.resolution,
        "technical_solution": ticket.technical_solution,
        "parts_replaced": ticket.parts_replaced,
        "labour_minutes": ticket.labour_minutes,
        "cost_fen": ticket.cost_fen,
        "solved_on_first_contact": ticket.solved_on_first_contact,
        "customer_confirmed": ticket.customer_confirmed,
        "confirmation": confirmation,
    }


def _loaded(*, number: str, user: User) -> Ticket:
    return ticket_for_user(number=number, user=user)


@router.post("", response=answers({201: TicketOut, 200: TicketOut}, 409, 413),
             summary="Create a ticket")
def create_ticket(
    request: HttpRequest,
    payload: TicketIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200),
):
    """Record a request as a ticket. With ``Idempotency-Key`` a repeat returns the first ticket
    (200) and creates nothing."""
    customer = payload.customer
    with request_memo():
        return _created(request, payload, customer, idempotency_key)


def _created(request: HttpRequest, payload: TicketIn, customer, idempotency_key: str | None):
    intake = services.create_ticket(
        request=TicketRequest(
            channel=payload.channel, type=payload.type,
            customer=CustomerDetails(name=customer.name, phone=customer.phone,
                                     email=customer.email, address=customer.address),
            title=payload.title, description=payload.description, demand=payload.demand,
            product_model=payload.product_model, serial_number=payload.serial_number,
            purchase_date=payload.purchase_date, priority=payload.priority,
            received_at=payload.received_at,
        ),
        actor=request.user, actor_kind="staff", idempotency_key=idempotency_key or None,
    )
    # The new ticket already carries its customer, model and department: no reload needed.
    return Answer(201 if intake.created else 200, ticket_payload(intake.ticket, user=request.user))


class TicketFilters(Schema):
    """The list's query parameters, parsed into ``selectors.TicketFilters``."""

    status: str | None = None
    priority: str | None = None
    type: str | None = None
    channel: str | None = None
    assignee: str | None = None
    department: str | None = None
    breached: bool | None = None
    due_within: int | None = None
    q: str | None = None
    sort: str = "-received_at"
    page: int = 1
    page_size: int = 25


MAX_PAGE = 1_000_000


def _choices(value: str | None, allowed: list[str], field: str) -> tuple[str, ...]:
    """Comma-separated values, each one of ``allowed``; 422 naming the field otherwise."""
    if not value:
        return ()
    items = tuple(item.strip() for item in value.split(",") if item.strip())
    unknown = [item for item in items if item not in allowed]
    if unknown:
        raise ValidationFailed(
            _("未知的取值：%(values)s") % {"values": ", ".join(unknown)[:100]},
            fields={field: [_("可选值：%(allowed)s") % {"allowed": ", ".join(allowed)}]},
        )
    return items


def _parsed(params: TicketFilters) -> selectors.TicketFilters:
    if not 1 <= params.page_size <= 200:
        raise ValidationFailed(_("每页数量应在 1 到 200 之间。"),
                               fields={"page_size": [_("超出范围。")]})
    if not 1 <= params.page <= MAX_PAGE:
        # An offset past what the database's integers hold was a 500.
        raise ValidationFailed(_("页码应在 1 到 %(max)d 之间。") % {"max": MAX_PAGE},
                               fields={"page": [_("超出范围。")]})
    if params.sort not in selectors.TICKET_SORTS:
        raise ValidationFailed(_("未知的排序。"), fields={"sort": list(selectors.TICKET_SORTS)})
    if params.due_within is not None and not 0 <= params.due_within <= 60 * 24 * 366:
        raise ValidationFailed(_("分钟数超出范围。"), fields={"due_within": [_("超出范围。")]})
    return selectors.TicketFilters(
        statuses=_choices(params.status, Status.values, "status"),
        priorities=_choices(params.priority, Priority.values, "priority"),
        types=_choices(params.type, TicketType.values, "type"),
        channels=_choices(params.channel, Channel.values, "channel"),
        assignee=params.assignee or "",
        department=params.department or "",
        breached=params.breached,
        due_within=None if params.due_within is None else timedelta(minutes=params.due_within),
        q=params.q or "",
    )


@router.get("", response=answers(TicketPage), summary="List tickets")
@planned_for_their_values()
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]):
    """Tickets the caller may see, newest first, filtered and paginated. ``status`` and the other
    choice filters take comma-separated values; ``assignee`` is a username, ``me`` or ``none``;
    ``breached=true`` keeps open tickets whose nearest deadline has passed; ``due_within=N``
    keeps open tickets whose nearest deadline falls in the next N minutes; ``q`` finds a ticket
    number (or its beginning), the customer's phone (the whole number or its last four digits),
    or text in the title, the description or the customer's name. ``count`` is exact up to
    10,000 (500 with ``q``); past that it is the limit and ``count_capped`` is true."""
    found = selectors.ticket_list(
        user=request.user, filters=_parsed(filters), sort=filters.sort, page=filters.page,
        page_size=filters.page_size,
    )
    return {
        "count": found.count,
        "count_capped": found.capped,
        "page": found.page,
        "page_size": found.page_size,
        "pages": found.pages,
        "items": [ticket_payload(ticket, user=request.user) for ticket in found.tickets],
    }


@router.get("/{number}", response=answers(TicketOut, 404), summary="Get a ticket")
def get_ticket(request: HttpRequest, number: str):
    return ticket_payload(_loaded(number=number, user=request.user), user=request.user)


def _attachment_payload(attachment: Attachment, *, number: str) -> dict:
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": reverse("api-v1:download_attachment",
                       kwargs={"number": number, "attachment_id": attachment.pk}),
    }


def _reply_payload(reply: Reply, *, number: str) -> dict:
    return {
        "id": reply.pk,
        "body": reply.body,
        "internal": reply.internal,
        "from_customer": reply.from_customer,
        "author": _user_ref(reply.author),
        "time_spent_minutes": reply.time_spent_minutes,
        "created_at": reply.created_at,
        "attachments": [_attachment_payload(a, number=number) for a in reply.attachments.all()],
    }


@router.get("/{number}/replies", response=answers(list[ReplyOut], 404), summary="The conversation")
def list_replies(request: HttpRequest, number: str):
    ticket = _loaded(number=number, user=request.user)
    replies = ticket.replies.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    if actor_for(user=request.user, ticket=ticket).as_customer:
        replies = replies.filter(internal=False)
    return [_reply_payload(reply, number=number) for reply in replies]


@router.post("/{number}/replies", response=answers({201: ReplyOut}, 404, 409, 413),
             summary="Reply or add a note")
def create_reply(request: HttpRequest, number: str, payload: ReplyIn):
    ticket = _loaded(number=number, user=request.user)
    reply = services.add_reply(
        ticket=ticket, actor=actor_for(user=request.user, ticket=ticket), body=payload.body,
        internal=payload.internal, time_spent_minutes=payload.time_spent_minutes,
    )
    return Answer(201, _reply_payload(reply, number=number))


@router.post("/{number}/attachments", response=answers({201: list[AttachmentOut]}, 404, 409, 413),
             summary="Attach files (multipart, field name `file`, repeatable)")
def upload_attachments(request: HttpRequest, number: str, file: list[UploadedFile] = File(...)):
    ticket = _loaded(number=number, user=request.user)
    stored = services.add_attachments(
        ticket=ticket, actor=actor_for(user=request.user, ticket=ticket),
        uploads=[Upload(name=f.name or "file", content=f, size=f.size or 0) for f in file],
    )
    return Answer(201, [_attachment_payload(a, number=number) for a in stored])


@router.get("/{number}/attachments/{attachment_id}", url_name="download_attachment",
            summary="Download an attachment", response=answers({200: None}, 404))
def download_attachment(request: HttpRequest, number: str, attachment_id: int):
    ticket = _loaded(number=number, user=request.user)
    attachment = attachment_of(
        ticket=ticket, attachment_id=attachment_id,
        public_only=actor_for(user=request.user, ticket=ticket).as_customer)
    return attachment_download(attachment=attachment)


@router.get("/{number}/events", response=answers(list[EventOut], 404), summary="The timeline")
def list_events(request: HttpRequest, number: str):
    """Every event of the ticket, oldest first. The ticket's own customer sees only what the
    portal shows them: the events about their request's progress and their own messages —
    no internal notes, edits or views of their contact details, and no staff names."""
    ticket = _loaded(number=number, user=request.user)
    events = ticket_timeline(ticket=ticket)
    if actor_for(user=request.user, ticket=ticket).as_customer:
        return [_event_payload(event, for_customer=True) for event in events
                if (spec := event_type(event.action)) is not None and spec.customer_visible]
    return [_event_payload(event) for event in events]


def _event_payload(event, *, for_customer: bool = False) -> dict:
    staff_hidden = for_customer and event.actor_kind != ActorKind.CUSTOMER
    return {
        "id": event.pk, "at": event.at, "action": event.action,
        "actor": None if staff_hidden else _user_ref(event.actor),
        "actor_kind": event.actor_kind,
        "from_status": event.from_status, "to_status": event.to_status,
        "before": event.before, "after": event.after, "note": event.note,
    }


def _actions_doc() -> str:
    return "\n".join(f"- ``{action.name}``: {(action.schema.__doc__ or '').strip()}"
                     for action in registered_actions())


@router.post("/{number}/actions/{action}", response=answers(TicketOut, 404, 409, 413),
             summary="Take an action",
             description="\n\n".join([
                 "The body depends on the action (JSON or a form post; no body for an action "
                 "that needs none). A forbidden action answers 409 with `allowed_actions`.",
                 _actions_doc(),
             ]))
def take_action(request: HttpRequest, number: str, action: str,
                payload: dict[str, Any] | None = Body(None)):
    ticket = _loaded(number=number, user=request.user)
    perform_action(ticket=ticket, action=action, actor=actor_for(user=request.user, ticket=ticket),
                   data=payload)
    return ticket_payload(_loaded(number=number, user=request.user), user=request.user)
