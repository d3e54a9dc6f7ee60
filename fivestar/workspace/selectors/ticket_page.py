"""Queries for the staff ticket page: the timeline (events and replies merged by time), the
customer's units and other tickets, the deadlines, the people a ticket can be assigned to and
the canned replies. Every function costs a fixed number of queries, however long the history."""

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from fivestar.accounts.models import Department, Outlet, RoleCode, User
from fivestar.dispatch import timeline as quote_timeline
from fivestar.dispatch.money import format_yuan
from fivestar.sla.models import TargetName
from fivestar.tickets.models import (
    OPEN_STATUSES,
    Attachment,
    CannedReply,
    Channel,
    Priority,
    Reply,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)
from fivestar.tickets.selectors import ticket_deadlines, visible_tickets
from fivestar.tickets.services.transitions import ASSIGNABLE_ROLES
from fivestar.tickets.workflow import action_label, allowed_actions
from fivestar.workspace.selectors.intake import UnitView, units_with_warranty
from fivestar.workspace.selectors.quotes import QuotePanel, quote_panel

#: How many of the customer's other tickets the side panel lists.
OTHER_TICKETS = 8

# The timeline's names for events. A transition is named by what happened ("accepted"), not by
# the button that did it (``workflow.ACTION_LABELS``, "accept"): one Chinese word, two English
# ones, told apart by the context. Actions other apps add fall back to their own label.
EVENT_LABELS = {
    "created": gettext_lazy("创建工单"),
    "reply": gettext_lazy("公开回复"),
    "note": pgettext_lazy("label", "内部备注"),
    "attachment": gettext_lazy("上传附件"),
    "edited": gettext_lazy("修改工单信息"),
    "contact_revealed": gettext_lazy("查看联系方式"),
    "accept": pgettext_lazy("timeline event", "受理"),
    "assign": pgettext_lazy("timeline event", "派单"),
    "approve": pgettext_lazy("timeline event", "审批"),
    "start": pgettext_lazy("timeline event", "开始处理"),
    "wait_customer": pgettext_lazy("timeline event", "等待客户"),
    "resume": pgettext_lazy("timeline event", "继续处理"),
    "resolve": pgettext_lazy("timeline event", "解决"),
    "confirm": pgettext_lazy("timeline event", "客户确认"),
    "close": pgettext_lazy("timeline event", "关闭"),
    "reopen": pgettext_lazy("timeline event", "重开"),
    "cancel": pgettext_lazy("timeline event", "取消"),
    "set_priority": pgettext_lazy("timeline event", "调整优先级"),
}
# Keys of an event's before/after that are not ticket fields, labelled as labels (capitalised in
# English, where the model's field names stay lowercase for sentences).
_EXTRA_LABELS = {
    "status": pgettext_lazy("label", "状态"),
    "visit_needed": pgettext_lazy("label", "需要上门"),
    "target": pgettext_lazy("label", "目标"),
    "new_due_at": pgettext_lazy("label", "新截止时间"),
    "due_at": pgettext_lazy("label", "截止时间"),
    "reason": gettext_lazy("原因"),
    "cost_fen": pgettext_lazy("label", "费用"),
}
#: The customer's contact fields as labels (beside a value) and as words in a sentence ("viewed
#: the customer's full address").
CONTACT_LABELS = {
    "phone": pgettext_lazy("label", "手机"),
    "email": pgettext_lazy("label", "邮箱"),
    "address": gettext_lazy("地址"),
}
CONTACT_NAMES = {
    "phone": gettext_lazy("手机"),
    "email": gettext_lazy("邮箱"),
    "address": pgettext_lazy("in a sentence", "地址"),
}
# Keys that repeat what the entry already says (its time, its reply, the ticket's identity).
_HIDDEN_KEYS = frozenset({"reply", "first_response", "attachments", "customer", "number"})
# Keys holding the id of a row, shown by its name: people, departments, outlets.
_REF_MODELS = {"assignee": User, "pending_assignee": User, "department": Department,
               "outlet": Outlet}
_CHOICES = {"status": Status, "priority": Priority, "proposed_priority": Priority,
            "type": TicketType, "channel": Channel}
_ACTOR_KINDS = {
    "customer": gettext_lazy("客户"),
    "system": gettext_lazy("系统"),
    "api": gettext_lazy("API"),
}
# Quotes (dispatch) name their own events and the values those carry.
EVENT_LABELS.update(quote_timeline.EVENT_LABELS)
_EXTRA_LABELS.update(quote_timeline.KEY_LABELS)
_CHOICES.update(quote_timeline.CHOICES)
_HIDDEN_KEYS = _HIDDEN_KEYS | quote_timeline.HIDDEN_KEYS


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: an event, or a reply with its attachments."""

    at: datetime
    kind: str  # "event" or "reply"
    actor: str
    label: str = ""
    action: str = ""
    note: str = ""
    detail: str = ""
    changes: list[Change] = field(default_factory=list)
    reply: Reply | None = None
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(frozen=True)
class Deadline:
    name: str
    label: str
    deadline: dict

    @property
    def calendar_unconfirmed(self) -> bool:
        """Computed over a year without confirmed holiday data: the page says so beside it."""
        return bool(self.deadline.get("calendar_unconfirmed"))


@dataclass(frozen=True)
class StaffChoice:
    user: User
    roles: str
    department: str
    open_tickets: int
    senior: bool


@dataclass(frozen=True)
class TicketPage:
    """Everything the ticket page shows besides the ticket row itself."""

    deadlines: list[Deadline]
    actions: list[tuple[str, str]]
    timeline: list[Entry]
    units: list[UnitView]
    ticket_unit: UnitView | None
    other_tickets: list[Ticket]
    other_count: int
    canned_replies: list[CannedReply]
    quotes: QuotePanel | None = None


def ticket_page(*, ticket: Ticket, user: User, language: str = "") -> TicketPage:
    """The page's data for ``ticket`` (already checked visible to ``user`` by
    ``tickets.selectors.ticket_for_user``). A fixed number of queries."""
    units = units_with_warranty(customer=ticket.customer, on=timezone.localdate(),
                                also_unit_id=ticket.unit_id)
    ticket_unit = next((view for view in units if view.unit.pk == ticket.unit_id), None)
    others = visible_tickets(user=user).filter(customer_id=ticket.customer_id).exclude(
        pk=ticket.pk
    )
    return TicketPage(
        deadlines=deadlines(ticket=ticket),
        actions=ticket_actions(ticket=ticket, user=user),
        timeline=timeline(ticket=ticket),
        units=[view for view in units if view.unit.customer_id == ticket.customer_id],
        ticket_unit=ticket_unit,
        other_tickets=list(others.order_by("-received_at", "-id")[:OTHER_TICKETS]),
        other_count=others.count(),
        canned_replies=canned_replies(language=language),
        quotes=quote_panel(ticket=ticket, user=user),
    )


def ticket_actions(*, ticket: Ticket, user: User) -> list[tuple[str, str]]:
    """The actions ``user`` may take on ``ticket`` now, as (name, label) in the workflow's
    order (actions other apps provide, such as ``extend``, included)."""
    return [(name, action_label(name)) for name in allowed_actions(ticket=ticket, user=user)]


def deadlines(*, ticket: Ticket) -> list[Deadline]:
    """The ticket's deadlines in the order of the service targets, labelled."""
    found = ticket_deadlines(ticket=ticket)
    order = {name: index for index, name in enumerate(TargetName.values)}
    labels = dict(TargetName.choices)
    return [
        Deadline(name=name, label=str(labels.get(name, name)), deadline=value)
        for name, value in sorted(found.items(), key=lambda item: order.get(item[0], 99))
    ]


def timeline(*, ticket: Ticket) -> list[Entry]:
    """Events and replies merged by time, newest first. A reply stands for the ``reply`` or
    ``note`` event that recorded it; an ``attachment`` event lists its files. Four queries."""
    events = list(ticket.events.select_related("actor").order_by("at", "id"))
    replies = list(ticket.replies.select_related("author").order_by("created_at", "id"))
    attachments = list(ticket.attachments.order_by("id"))
    by_reply: dict[int, list[Attachment]] = {}
    by_id = {a.pk: a for a in attachments}
    for attachment in attachments:
        if attachment.reply_id is not None:
            by_reply.setdefault(attachment.reply_id, []).append(attachment)
    names = _reference_names(events)
    shown_replies = {reply.pk for reply in replies}
    entries: list[tuple[datetime, int, int, Entry]] = []
    for reply in replies:
        entries.append((reply.created_at, 1, reply.pk, _reply_entry(reply, by_reply)))
    for event in events:
        if event.action in ("reply", "note") and (event.after or {}).get("reply") in shown_replies:
            continue
        entries.append((event.at, 0, event.pk, _event_entry(event, names, by_id)))
    entries.sort(key=lambda item: item[:3], reverse=True)
    return [entry for *_key, entry in entries]


def _reply_entry(reply: Reply, by_reply: dict[int, list[Attachment]]) -> Entry:
    if reply.from_customer:
        actor = str(_ACTOR_KINDS["customer"])
    else:
        actor = str(reply.author) if reply.author else str(_ACTOR_KINDS["system"])
    return Entry(at=reply.created_at, kind="reply", actor=actor, reply=reply,
                 attachments=by_reply.get(reply.pk, []))


def _event_entry(event: TicketEvent, names: dict[tuple[type, int], str],
                 by_id: dict[int, Attachment]) -> Entry:
    actor = str(event.actor) if event.actor else str(
        _ACTOR_KINDS.get(event.actor_kind, event.actor_kind)
    )
    label = str(EVENT_LABELS.get(event.action) or action_label(event.action))
    after, before = event.after or {}, event.before or {}
    detail = ""
    changes: list[Change] = []
    attachments: list[Attachment] = []
    if event.action == "created":
        detail = _created_detail(after)
    elif event.action == "contact_revealed":
        field_name = CONTACT_NAMES.get(after.get("field", ""), after.get("field", ""))
        detail = _("查看了客户的完整%(field)s") % {"field": field_name}
    elif event.action == "attachment":
        attachments = [by_id[pk] for pk in after.get("attachments", []) if pk in by_id]
    else:
        if event.from_status and event.to_status and event.from_status != event.to_status:
            changes.append(Change(str(_EXTRA_LABELS["status"]),
                                  _display("status", event.from_status, names),
                                  _display("status", event.to_status, names)))
        for key in [*before, *(k for k in after if k not in before)]:
            if key in _HIDDEN_KEYS or key.endswith("_at"):
                continue
            changes.append(Change(_key_label(key), _display(key, before.get(key), names),
                                  _display(key, after.get(key), names)))
    return Entry(at=event.at, kind="event", actor=actor, label=label, action=event.action,
                 note=event.note, detail=detail, changes=changes, attachments=attachments)


def _created_detail(after: dict) -> str:
    parts = []
    for key in ("channel", "type"):
        if after.get(key):
            parts.append(_display(key, after[key], {}))
    priority = after.get("priority")
    proposed = after.get("proposed_priority")
    if priority:
        if proposed and proposed != priority:
            parts.append(_("优先级 %(priority)s（系统建议 %(proposed)s）")
                         % {"priority": priority, "proposed": proposed})
        else:
            parts.append(_("优先级 %(priority)s") % {"priority": priority})
    if after.get("matched_keywords"):
        parts.append(_("关键词：%(words)s") % {"words": "、".join(after["matched_keywords"])})
    return " · ".join(parts)


def _reference_names(events: list[TicketEvent]) -> dict[tuple[type, int], str]:
    """The names of the people, departments and outlets the events refer to by id: one query
    per kind that occurs, however many events."""
    wanted: dict[type, set[int]] = {}
    for event in events:
        for values in (event.before or {}, event.after or {}):
            for key, model in _REF_MODELS.items():
                if isinstance(values.get(key), int):
                    wanted.setdefault(model, set()).add(values[key])
    return {
        (model, row.pk): str(row)
        for model, ids in wanted.items()
        for row in model.objects.filter(pk__in=ids)
    }


def _key_label(key: str) -> str:
    """A changed field's name as a label: the model's verbose name with a capital, as Django's
    forms and admin show it (no change in Chinese)."""
    if key in _EXTRA_LABELS:
        return str(_EXTRA_LABELS[key])
    try:
        return capfirst(str(Ticket._meta.get_field(key).verbose_name))
    except FieldDoesNotExist:
        return key


def _display(key: str, value, names: dict[tuple[type, int], str]) -> str:
    """A before/after value as people read it."""
    if value is None or value == "":
        return "—"
    if key in _REF_MODELS and isinstance(value, int) and not isinstance(value, bool):
        return names.get((_REF_MODELS[key], value), f"#{value}")
    if key in _CHOICES and isinstance(value, str):
        choices = dict(_CHOICES[key].choices)
        return str(choices.get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, str) and (moment := _as_datetime(value)):
        return date_format(timezone.localtime(moment), "Y-m-d H:i")
    if key.endswith("_fen") and isinstance(value, int):
        return format_yuan(value)  # Decimal, not float
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _as_datetime(value: str) -> datetime | None:
    if len(value) < 16 or value[4:5] != "-" or "T" not in value:
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is None or timezone.is_naive(moment):
        return None
    return moment


def assignable_staff() -> list[StaffChoice]:
    """Active people a ticket can be given to, with how many open tickets each holds now, by
    department then name. Senior technicians are marked (P1 goes to them, SPEC §4)."""
    users = (
        User.objects.filter(is_active=True, roles__code__in=ASSIGNABLE_ROLES)
        .distinct()
        .select_related("department")
        .prefetch_related("roles")
        .annotate(open_load=Count("assigned_tickets", distinct=True,
                                  filter=Q(assigned_tickets__status__in=OPEN_STATUSES)))
        .order_by("department__name", "display_name", "username")
    )
    labels = dict(RoleCode.choices)
    choices = []
    for user in users:
        codes = sorted(role.code for role in user.roles.all())
        choices.append(StaffChoice(
            user=user,
            roles="、".join(str(labels.get(code, code)) for code in codes
                           if code in ASSIGNABLE_ROLES),
            department=user.department.name if user.department else "",
            open_tickets=user.open_load,
            senior=RoleCode.SENIOR_TECHNICIAN in codes,
        ))
    return choices


def canned_replies(*, language: str = "") -> list[CannedReply]:
    """Active canned replies for every language or for ``language``, by title."""
    replies = CannedReply.objects.filter(is_active=True)
    if language:
        replies = replies.filter(Q(language="") | Q(language=language))
    return list(replies.order_by("title", "id"))
