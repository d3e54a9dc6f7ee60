"""Ticket events: every change to a ticket is one append-only row (SPEC §5: who, when, what,
before/after), written through one function per event kind.

Each kind has a typed payload (a frozen dataclass) stored as the event's ``after``; whoever reacts
to an event reads ``event.payload`` — an instance of that type — never the JSON by key. ``before``
keeps the earlier values of what the event changed, for the timeline and the audit.

Apps that add their own kinds (the SLA engine's extensions, dispatch's quotes) declare them here
with ``register_event_type`` — their enum member, payload type and wording — and write them with
``record_event`` from their own per-kind functions. The wording of a kind (what the timeline
calls it, the labels of its payload's fields) belongs to the kind: ``label`` here and
``shown(...)`` on the payload's fields, read by ``tickets.timeline``.
"""

from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, is_dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db.models import TextChoices
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext_lazy
from pydantic import TypeAdapter

from fivestar.accounts.models import Department, Outlet, User
from fivestar.core.rows import insert
from fivestar.tickets import hooks
from fivestar.tickets.actors import Actor
from fivestar.tickets.models import (
    Channel,
    ConfirmationChannel,
    ConfirmationMethod,
    ContactChannel,
    Priority,
    Ticket,
    TicketEvent,
    TicketType,
)


class TicketEventKind(StrEnum):
    """The kinds of event the ticket itself writes. The values are the API's ``action`` names
    (DESIGN.md), so they stay as they are."""

    CREATED = "created"
    ACCEPTED = "accept"
    ASSIGNED = "assign"
    APPROVED = "approve"
    STARTED = "start"
    WAITING_CUSTOMER = "wait_customer"
    RESUMED = "resume"
    RESOLVED = "resolve"
    CONFIRMED = "confirm"
    CLOSED = "close"
    REOPENED = "reopen"
    CANCELLED = "cancel"
    PRIORITY_SET = "set_priority"
    REPLIED = "reply"
    NOTE_ADDED = "note"
    ATTACHMENTS_ADDED = "attachment"
    EDITED = "edited"
    CONTACT_REVEALED = "contact_revealed"
    CONTACTED = "contact"


# --- how a payload's fields read on the timeline -------------------------------------------


def shown(label: Promise | str | None = None, *, default: Any = MISSING,
          default_factory: Callable[[], Any] | Any = MISSING,
          choices: type[TextChoices] | None = None,
          ref: type | None = None, money: bool = False, hidden: bool = False) -> Any:
    """A payload field with its wording: ``label`` on the timeline; ``choices`` (a TextChoices)
    names a code; ``ref`` names a row by its id (a person, a department); ``money`` is an
    amount in fen; ``hidden`` keeps it off the timeline (an id that says nothing to people)."""
    metadata = {"label": label, "choices": choices, "ref": ref, "money": money,
                "hidden": hidden or label is None}
    if default_factory is not MISSING:
        return field(default_factory=default_factory, metadata=metadata)
    return field(default=None if default is MISSING else default, metadata=metadata)


# --- the ticket's own payloads ---------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class NoDetail:
    """A change of state that carries nothing but its note (start, resume, close…)."""


@dataclass(frozen=True, kw_only=True)
class Created:
    number: str = shown(default="")
    type: str = shown(pgettext_lazy("label", "类型"), default="", choices=TicketType)
    channel: str = shown(pgettext_lazy("label", "渠道"), default="", choices=Channel)
    priority: str = shown(pgettext_lazy("label", "优先级"), default="", choices=Priority)
    proposed_priority: str = shown(pgettext_lazy("label", "建议优先级"), default="",
                                   choices=Priority)
    matched_keywords: list[str] = shown(gettext_lazy("关键词"), default_factory=list)
    customer: int | None = shown()


@dataclass(frozen=True, kw_only=True)
class Accepted:
    visit_needed: bool = shown(pgettext_lazy("label", "需要上门"), default=False)


@dataclass(frozen=True, kw_only=True)
class Assignment:
    """Who holds the ticket after an ``assign`` or ``approve``; a P1 assignment by someone who
    may not approve it names only the ``pending_assignee`` (SPEC §4)."""

    assignee: int | None = shown(pgettext_lazy("label", "处理人"), ref=User)
    pending_assignee: int | None = shown(pgettext_lazy("label", "待批准处理人"), ref=User)


@dataclass(frozen=True, kw_only=True)
class Resolved:
    """The closing record as the resolver wrote it (SPEC §5)."""

    resolution: str = shown(pgettext_lazy("label", "处理过程"), default="")
    technical_solution: str = shown(pgettext_lazy("label", "技术方案"), default="")
    parts_replaced: str = shown(pgettext_lazy("label", "更换部件"), default="")
    labour_minutes: int | None = shown(pgettext_lazy("label", "工时（分钟）"))
    cost_fen: int | None = shown(pgettext_lazy("label", "费用"), money=True)
    solved_on_first_contact: bool | None = shown(pgettext_lazy("label", "首次解决"))


@dataclass(frozen=True, kw_only=True)
class Confirmed:
    """The customer's answer to "is it solved?" (SPEC §5), with how it came and who gave it
    when staff recorded it (a phone callback)."""

    solved: bool = shown(pgettext_lazy("label", "已解决"), default=False)
    channel: str = shown(pgettext_lazy("label", "确认渠道"), default="",
                         choices=ConfirmationChannel)
    confirmed_by: str = shown(pgettext_lazy("label", "确认人"), default="")
    confirmed_at: datetime | None = shown(pgettext_lazy("label", "确认时间"))


@dataclass(frozen=True, kw_only=True)
class Closed:
    """What a closure rests on (SPEC §5): the customer's own confirmation, the customer's
    answer as staff recorded it (who, when, how), or the no-answer rule with its attempts."""

    confirmation: str = shown(pgettext_lazy("label", "确认方式"), default="",
                              choices=ConfirmationMethod)
    channel: str = shown(pgettext_lazy("label", "确认渠道"), default="",
                         choices=ConfirmationChannel)
    confirmed_by: str = shown(pgettext_lazy("label", "确认人"), default="")
    confirmed_at: datetime | None = shown(pgettext_lazy("label", "确认时间"))
    attempts: int = shown(pgettext_lazy("label", "联系尝试次数"), default=0)


@dataclass(frozen=True, kw_only=True)
class Contacted:
    """Staff contacted the customer, or tried to (SPEC §3 "contact the customer within 30
    minutes"; SPEC §5 the closing callback): how, and whether the customer was reached."""

    channel: str = shown(pgettext_lazy("label", "联系方式"), default="", choices=ContactChannel)
    reached: bool = shown(pgettext_lazy("label", "已联系上"), default=True)


@dataclass(frozen=True, kw_only=True)
class Reopened:
    reopen_count: int = shown(pgettext_lazy("label", "重开次数"), default=0)


@dataclass(frozen=True, kw_only=True)
class PrioritySet:
    priority: str = shown(pgettext_lazy("label", "优先级"), default="", choices=Priority)
    #: The priority before (the same when an agent only confirmed it).
    previous: str = shown(default="")
    priority_confirmed: bool = shown(pgettext_lazy("label", "优先级已确认"), default=False)


@dataclass(frozen=True, kw_only=True)
class ReplyAdded:
    """A reply or an internal note (the kind says which)."""

    reply: int | None = shown()
    first_response: bool = shown(default=False)
    attachments: int = shown(default=0)


@dataclass(frozen=True, kw_only=True)
class AttachmentsAdded:
    attachments: list[int] = shown(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class DetailsEdited:
    """The descriptive fields an agent corrected, with their new values (``before`` holds the
    old ones and names every field that changed, a cleared one included)."""

    title: str | None = shown(pgettext_lazy("label", "标题"))
    description: str | None = shown(pgettext_lazy("label", "问题描述"))
    demand: str | None = shown(pgettext_lazy("label", "客户诉求"))
    department: int | None = shown(pgettext_lazy("label", "部门"),
                                   ref=Department)
    outlet: int | None = shown(pgettext_lazy("label", "服务网点"),
                               ref=Outlet)


@dataclass(frozen=True, kw_only=True)
class ContactRevealed:
    field: str = shown(default="")
    customer: int | None = shown()


# --- the registry of kinds -------------------------------------------------------------------


@dataclass(frozen=True)
class EventType:
    """One kind of ticket event: its enum member, its payload type, what the timeline calls it,
    and whether the ticket's customer may read it (the API's timeline for a customer shows only
    what the portal shows: SPEC §9)."""

    kind: StrEnum
    payload: type
    label: Promise | str
    customer_visible: bool = False
    adapter: TypeAdapter = field(compare=False, repr=False, default=None)  # type: ignore[assignment]


_types: dict[str, EventType] = {}


def register_event_type(kind: StrEnum, *, payload: type, label: Promise | str,
                        customer_visible: bool = False) -> EventType:
    """Declare an event kind (an app's enum member) with its payload type (a frozen dataclass
    whose fields all have defaults, so that older rows still read) and its timeline wording.
    Registering a kind again replaces it."""
    if not is_dataclass(payload):
        raise TypeError(f"the payload of {kind!r} must be a dataclass")
    spec = EventType(kind=kind, payload=payload, label=label, customer_visible=customer_visible,
                     adapter=_adapter(payload))
    _types[str(kind)] = spec
    return spec


_adapters: dict[type, TypeAdapter] = {}


def _adapter(payload: type) -> TypeAdapter:
    # Building an adapter costs milliseconds: once per type, not per event.
    if payload not in _adapters:
        _adapters[payload] = TypeAdapter(payload)
    return _adapters[payload]


def event_type(kind: str) -> EventType | None:
    """The declared kind of an event's ``action`` (None for a kind no installed app declares)."""
    return _types.get(str(kind))


def event_types() -> list[EventType]:
    return list(_types.values())


def payload_of(event: TicketEvent) -> object:
    """``event``'s payload as its kind's type (an undeclared kind reads as ``NoDetail``)."""
    spec = _types.get(event.action)
    if spec is None:
        return NoDetail()
    return spec.adapter.validate_python(event.after or {})


def kind_of(event: TicketEvent) -> StrEnum | str:
    """``event``'s kind as its app's enum member (the bare string for an undeclared kind)."""
    spec = _types.get(event.action)
    return spec.kind if spec is not None else event.action


# --- writing ------------------------------------------------------------------------------------


def record_event(
    *, ticket: Ticket, kind: StrEnum, actor: Actor, payload: object | None = None,
    before: Mapping[str, Any] | None = None, from_status: str = "", to_status: str = "",
    note: str = "",
) -> TicketEvent:
    """Append one event of a declared ``kind`` to the ticket's timeline and tell the handlers
    registered in ``hooks``. The per-kind functions below (and those of the apps that declare
    kinds) are the only callers; they run inside the transaction of the change they record."""
    spec = _types.get(str(kind))
    if spec is None:
        raise LookupError(f"ticket event kind {kind!r} is not declared")
    if payload is None:
        payload = spec.payload()
    if not isinstance(payload, spec.payload):
        raise TypeError(f"{kind!r} carries {spec.payload.__name__}, not {type(payload).__name__}")
    event = TicketEvent(
        ticket=ticket,
        at=timezone.now(),
        actor=actor.user,
        actor_kind=actor.kind,
        action=str(kind),
        from_status=from_status,
        to_status=to_status,
        before=_jsonable(before or {}),
        # None is every field's default: left out, the row says only what the event set.
        after=_jsonable(spec.adapter.dump_python(payload, exclude_none=True)),
        note=note,
    )
    insert(event)  # append-only: always a new row (core.rows spares the ORM's statement)
    hooks.dispatch(event)
    return event


def _jsonable(value: Any) -> Any:
    """Times as ISO 8601 with their offset (as every time the API gives), rows as their ids."""
    if isinstance(value, Mapping):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _status_change(kind: TicketEventKind, *, ticket: Ticket, actor: Actor, from_status: str,
                   payload: object | None = None, before: Mapping[str, Any] | None = None,
                   note: str = "") -> TicketEvent:
    return record_event(ticket=ticket, kind=kind, actor=actor, payload=payload, before=before,
                        from_status=from_status, to_status=ticket.status, note=note)


def ticket_created_event(*, ticket: Ticket, actor: Actor,
                         matched_keywords: list[str]) -> TicketEvent:
    return record_event(
        ticket=ticket, kind=TicketEventKind.CREATED, actor=actor, to_status=ticket.status,
        payload=Created(number=ticket.number, type=ticket.type, channel=ticket.channel,
                        priority=ticket.priority, proposed_priority=ticket.proposed_priority,
                        matched_keywords=list(matched_keywords), customer=ticket.customer_id),
    )


def ticket_accepted_event(*, ticket: Ticket, actor: Actor, from_status: str,
                          visit_needed: bool, before: Mapping[str, Any] | None = None,
                          note: str = "") -> TicketEvent:
    return _status_change(TicketEventKind.ACCEPTED, ticket=ticket, actor=actor,
                          from_status=from_status, payload=Accepted(visit_needed=visit_needed),
                          before=before, note=note)


def ticket_assigned_event(*, ticket: Ticket, actor: Actor, from_status: str,
                          before: Mapping[str, Any], note: str = "") -> TicketEvent:
    return _status_change(
        TicketEventKind.ASSIGNED, ticket=ticket, actor=actor, from_status=from_status,
        payload=Assignment(assignee=ticket.assignee_id,
                           pending_assignee=ticket.pending_assignee_id),
        before=before, note=note,
    )


def ticket_approved_event(*, ticket: Ticket, actor: Actor, from_status: str,
                          before: Mapping[str, Any], note: str = "") -> TicketEvent:
    return _status_change(
        TicketEventKind.APPROVED, ticket=ticket, actor=actor, from_status=from_status,
        payload=Assignment(assignee=ticket.assignee_id, pending_assignee=None),
        before=before, note=note,
    )


def ticket_started_event(*, ticket: Ticket, actor: Actor, from_status: str,
                         note: str = "", before: Mapping[str, Any] | None = None) -> TicketEvent:
    return _status_change(TicketEventKind.STARTED, ticket=ticket, actor=actor,
                          from_status=from_status, before=before, note=note)


def ticket_waiting_customer_event(*, ticket: Ticket, actor: Actor, from_status: str,
                                  reason: str) -> TicketEvent:
    return _status_change(TicketEventKind.WAITING_CUSTOMER, ticket=ticket, actor=actor,
                          from_status=from_status, note=reason)


def ticket_resumed_event(*, ticket: Ticket, actor: Actor, from_status: str,
                         note: str = "", before: Mapping[str, Any] | None = None) -> TicketEvent:
    return _status_change(TicketEventKind.RESUMED, ticket=ticket, actor=actor,
                          from_status=from_status, before=before, note=note)


def ticket_resolved_event(*, ticket: Ticket, actor: Actor, from_status: str,
                          before: Mapping[str, Any]) -> TicketEvent:
    return _status_change(
        TicketEventKind.RESOLVED, ticket=ticket, actor=actor, from_status=from_status,
        payload=Resolved(
            resolution=ticket.resolution, technical_solution=ticket.technical_solution,
            parts_replaced=ticket.parts_replaced, labour_minutes=ticket.labour_minutes,
            cost_fen=ticket.cost_fen, solved_on_first_contact=ticket.solved_on_first_contact,
        ),
        before=before,
    )


def ticket_confirmed_event(*, ticket: Ticket, actor: Actor, from_status: str, solved: bool,
                           before: Mapping[str, Any] | None = None,
                           note: str = "") -> TicketEvent:
    payload = Confirmed(solved=solved)
    if solved:
        payload = Confirmed(solved=True, channel=ticket.confirmation_channel,
                            confirmed_by=ticket.confirmed_by_name,
                            confirmed_at=ticket.confirmed_at)
    return _status_change(TicketEventKind.CONFIRMED, ticket=ticket, actor=actor,
                          from_status=from_status, payload=payload, before=before, note=note)


def ticket_closed_event(*, ticket: Ticket, actor: Actor, from_status: str, attempts: int = 0,
                        note: str = "", before: Mapping[str, Any] | None = None) -> TicketEvent:
    return _status_change(
        TicketEventKind.CLOSED, ticket=ticket, actor=actor, from_status=from_status,
        payload=Closed(confirmation=ticket.confirmation_method,
                       channel=ticket.confirmation_channel,
                       confirmed_by=ticket.confirmed_by_name, confirmed_at=ticket.confirmed_at,
                       attempts=attempts),
        before=before, note=note,
    )


def customer_contacted_event(*, ticket: Ticket, actor: Actor, channel: str, reached: bool,
                             note: str = "") -> TicketEvent:
    return record_event(ticket=ticket, kind=TicketEventKind.CONTACTED, actor=actor,
                        payload=Contacted(channel=channel, reached=reached), note=note)


def ticket_reopened_event(*, ticket: Ticket, actor: Actor, from_status: str,
                          before: Mapping[str, Any], reason: str) -> TicketEvent:
    return _status_change(TicketEventKind.REOPENED, ticket=ticket, actor=actor,
                          from_status=from_status,
                          payload=Reopened(reopen_count=ticket.reopen_count),
                          before=before, note=reason)


def ticket_cancelled_event(*, ticket: Ticket, actor: Actor, from_status: str,
                           before: Mapping[str, Any], reason: str) -> TicketEvent:
    return _status_change(TicketEventKind.CANCELLED, ticket=ticket, actor=actor,
                          from_status=from_status, before=before, note=reason)


def ticket_priority_set_event(*, ticket: Ticket, actor: Actor, before: Mapping[str, Any],
                              reason: str = "", from_status: str = "") -> TicketEvent:
    """``from_status``: the state before, when the change sent the ticket back for approval
    (a ticket raised to P1, SPEC §4)."""
    return record_event(
        ticket=ticket, kind=TicketEventKind.PRIORITY_SET, actor=actor,
        from_status=from_status or ticket.status, to_status=ticket.status,
        payload=PrioritySet(priority=ticket.priority,
                            previous=before.get("priority", ticket.priority),
                            priority_confirmed=ticket.priority_confirmed),
        before=before, note=reason,
    )


def ticket_replied_event(*, ticket: Ticket, actor: Actor, reply_id: int, internal: bool,
                         first_response: bool, attachments: int) -> TicketEvent:
    return record_event(
        ticket=ticket, kind=TicketEventKind.NOTE_ADDED if internal else TicketEventKind.REPLIED,
        actor=actor,
        payload=ReplyAdded(reply=reply_id, first_response=first_response,
                           attachments=attachments),
    )


def ticket_attachments_added_event(*, ticket: Ticket, actor: Actor,
                                   attachment_ids: list[int]) -> TicketEvent:
    return record_event(ticket=ticket, kind=TicketEventKind.ATTACHMENTS_ADDED, actor=actor,
                        payload=AttachmentsAdded(attachments=list(attachment_ids)))


def ticket_edited_event(*, ticket: Ticket, actor: Actor, before: Mapping[str, Any],
                        after: Mapping[str, Any], note: str = "") -> TicketEvent:
    return record_event(ticket=ticket, kind=TicketEventKind.EDITED, actor=actor,
                        payload=DetailsEdited(**after), before=before,
                        note=note)


def contact_revealed_event(*, ticket: Ticket, actor: Actor, field: str) -> TicketEvent:
    return record_event(ticket=ticket, kind=TicketEventKind.CONTACT_REVEALED, actor=actor,
                        payload=ContactRevealed(field=field, customer=ticket.customer_id))


def declare_ticket_event_types() -> None:
    """The ticket's own kinds (``TicketsConfig.ready``)."""
    K = TicketEventKind
    for kind, payload, label, customer_visible in (
        (K.CREATED, Created, gettext_lazy("创建工单"), True),
        (K.ACCEPTED, Accepted, pgettext_lazy("timeline event", "受理"), True),
        (K.ASSIGNED, Assignment, pgettext_lazy("timeline event", "派单"), False),
        (K.APPROVED, Assignment, pgettext_lazy("timeline event", "审批"), False),
        (K.STARTED, NoDetail, pgettext_lazy("timeline event", "开始处理"), True),
        (K.WAITING_CUSTOMER, NoDetail, pgettext_lazy("timeline event", "等待客户"), True),
        (K.RESUMED, NoDetail, pgettext_lazy("timeline event", "继续处理"), True),
        (K.RESOLVED, Resolved, pgettext_lazy("timeline event", "解决"), True),
        (K.CONFIRMED, Confirmed, pgettext_lazy("timeline event", "客户确认"), True),
        (K.CLOSED, Closed, pgettext_lazy("timeline event", "关闭"), True),
        (K.REOPENED, Reopened, pgettext_lazy("timeline event", "重开"), True),
        (K.CANCELLED, NoDetail, pgettext_lazy("timeline event", "取消"), True),
        (K.PRIORITY_SET, PrioritySet, pgettext_lazy("timeline event", "调整优先级"), False),
        (K.REPLIED, ReplyAdded, gettext_lazy("公开回复"), True),
        (K.NOTE_ADDED, ReplyAdded, pgettext_lazy("label", "内部备注"), False),
        (K.ATTACHMENTS_ADDED, AttachmentsAdded, gettext_lazy("上传附件"), False),
        (K.EDITED, DetailsEdited, gettext_lazy("修改工单信息"), False),
        (K.CONTACT_REVEALED, ContactRevealed, gettext_lazy("查看联系方式"), False),
        (K.CONTACTED, Contacted, pgettext_lazy("timeline event", "联系客户"), False),
    ):
        register_event_type(kind, payload=payload, label=label, customer_visible=customer_visible)

