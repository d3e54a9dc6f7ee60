"""How ticket events read on a timeline: what the event is called (its kind's label), a detail
line, and the values it changed, in words — all from the kind's declaration and its payload's
field wording (``tickets.events``), never from keys a page has to know.

``describe_events`` names, in one query per kind of thing referred to (people, departments…),
everything a list of events refers to by id.
"""

import json
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from fivestar.core.money import format_yuan
from fivestar.tickets.actors import ActorKind
from fivestar.tickets.events import (
    AttachmentsAdded,
    ContactRevealed,
    Created,
    ReplyAdded,
    event_type,
)
from fivestar.tickets.models import Status, TicketEvent

_STATUS_LABEL = pgettext_lazy("label", "状态")
#: The customer's contact fields as words in a sentence ("viewed the customer's full address").
CONTACT_NAMES = {
    "phone": gettext_lazy("手机"),
    "email": gettext_lazy("邮箱"),
    "address": pgettext_lazy("in a sentence", "地址"),
}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class EventView:
    """One event in words. ``reply_id`` ties a reply or note event to its reply (a page that
    shows the reply itself shows no second line for it); ``attachment_ids`` are the files an
    upload event added."""

    event: TicketEvent
    label: str
    actor: str
    detail: str = ""
    changes: tuple[Change, ...] = ()
    reply_id: int | None = None
    attachment_ids: tuple[int, ...] = ()


def actor_name(event: TicketEvent) -> str:
    """Who did it, as people read it: the staff member's name, or "customer" / "system"."""
    if event.actor_kind == ActorKind.STAFF and event.actor is not None:
        return str(event.actor)
    try:
        return ActorKind(event.actor_kind).label
    except ValueError:
        return event.actor_kind


def describe_events(events: list[TicketEvent]) -> list[EventView]:
    """``events`` in words, in the same order (their ``actor`` already selected)."""
    names = _reference_names(events)
    return [_describe(event, names) for event in events]


def _describe(event: TicketEvent, names: dict) -> EventView:
    spec = event_type(event.action)
    label = str(spec.label) if spec is not None else event.action
    payload = event.payload
    view = {"event": event, "label": label, "actor": actor_name(event)}
    if isinstance(payload, Created):
        return EventView(**view, detail=_created_detail(payload))
    if isinstance(payload, ContactRevealed):
        field_name = str(CONTACT_NAMES.get(payload.field, payload.field))
        return EventView(**view, detail=_("查看了客户的完整%(field)s") % {"field": field_name})
    if isinstance(payload, AttachmentsAdded):
        return EventView(**view, attachment_ids=tuple(payload.attachments))
    if isinstance(payload, ReplyAdded):
        return EventView(**view, reply_id=payload.reply)
    changes: list[Change] = []
    if event.from_status and event.to_status and event.from_status != event.to_status:
        changes.append(Change(str(_STATUS_LABEL), _status(event.from_status),
                              _status(event.to_status)))
    before = event.before or {}
    for item in fields(payload):
        wording = item.metadata
        if not wording or wording.get("hidden"):
            continue
        new = getattr(payload, item.name)
        old = before.get(item.name)
        if item.name not in before and new in (None, "", [], {}, False):
            continue  # nothing said and nothing changed
        changes.append(Change(str(wording["label"]), _display(old, wording, names),
                              _display(new, wording, names)))
    return EventView(**view, changes=tuple(changes))


def _status(code: str) -> str:
    return str(Status(code).label) if code in Status.values else code


def _created_detail(payload: Created) -> str:
    parts = []
    wording = {item.name: item.metadata for item in fields(payload)}
    for name in ("channel", "type"):
        value = getattr(payload, name)
        if value:
            parts.append(_display(value, wording[name], {}))
    if payload.priority:
        if payload.proposed_priority and payload.proposed_priority != payload.priority:
            parts.append(_("优先级 %(priority)s（系统建议 %(proposed)s）")
                         % {"priority": payload.priority, "proposed": payload.proposed_priority})
        else:
            parts.append(_("优先级 %(priority)s") % {"priority": payload.priority})
    if payload.matched_keywords:
        parts.append(_("关键词：%(words)s") % {"words": "、".join(payload.matched_keywords)})
    return " · ".join(parts)


def _reference_names(events: list[TicketEvent]) -> dict[tuple[type, int], str]:
    """The names of the rows the events refer to by id (people, departments, outlets): one
    query per model that occurs, however many events."""
    wanted: dict[type, set[int]] = {}
    for event in events:
        payload = event.payload
        for item in fields(payload):
            model = item.metadata.get("ref") if item.metadata else None
            if model is None:
                continue
            for value in (getattr(payload, item.name), (event.before or {}).get(item.name)):
                if isinstance(value, int) and not isinstance(value, bool):
                    wanted.setdefault(model, set()).add(value)
    return {
        (model, row.pk): str(row)
        for model, ids in wanted.items()
        for row in model.objects.filter(pk__in=ids)
    }


def _display(value, wording: dict, names: dict[tuple[type, int], str]) -> str:
    """A value as people read it, by its field's wording."""
    if value is None or value == "":
        return "—"
    model = wording.get("ref")
    if model is not None and isinstance(value, int) and not isinstance(value, bool):
        return names.get((model, value), f"#{value}")
    choices = wording.get("choices")
    if choices is not None and isinstance(value, str):
        return str(dict(choices.choices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if wording.get("money") and isinstance(value, int):
        return format_yuan(value)  # Decimal, not float
    if isinstance(value, datetime) or (isinstance(value, str) and _as_datetime(value)):
        moment = value if isinstance(value, datetime) else _as_datetime(value)
        return date_format(timezone.localtime(moment), "Y-m-d H:i")
    if isinstance(value, date):
        return date_format(value, "Y-m-d")
    if is_dataclass(value):
        return " · ".join(_display(getattr(value, item.name), {}, names)
                          for item in fields(value))
    if isinstance(value, dict) and value and all(is_dataclass(v) for v in value.values()):
        return "; ".join(f"{key}: {_display(item, {}, names)}" for key, item in value.items())
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
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
