"""The one place ticket events are written (SPEC §5: who, when, what, before/after)."""

from typing import Any

from django.utils import timezone

from fivestar.accounts.models import User
from fivestar.tickets import hooks
from fivestar.tickets.models import Ticket, TicketEvent


def record_event(
    *,
    ticket: Ticket,
    action: str,
    actor: User | None,
    actor_kind: str = "staff",
    from_status: str = "",
    to_status: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> TicketEvent:
    """Append an event to the ticket's timeline and tell the registered handlers about it."""
    event = TicketEvent.objects.create(
        ticket=ticket,
        at=timezone.now(),
        actor=actor,
        actor_kind=actor_kind if actor is not None or actor_kind != "staff" else "system",
        action=action,
        from_status=from_status,
        to_status=to_status,
        before=_jsonable(before or {}),
        after=_jsonable(after or {}),
        note=note,
    )
    hooks.dispatch(event)
    return event


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif hasattr(value, "pk"):
            value = value.pk
        out[key] = value
    return out
