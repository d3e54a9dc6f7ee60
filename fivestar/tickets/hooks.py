"""Who reacts to ticket events. ``tickets`` knows nothing of the apps that react to it.

An app that reacts (the SLA engine, dispatch, surveys…) registers a handler in its
``AppConfig.ready``: for every event (``on_ticket_event``) or for some kinds only
(``on_event(kind, ...)``, the kinds being enum members of ``tickets.events`` or of the app that
declared them). Handlers run inside the transaction that wrote the event, so whatever they write
(an outbox row, a clock) commits or rolls back with the change itself. A handler that must reach
the outside world does it after commit (the outbox, ``transaction.on_commit``). A handler reads
what happened from ``event.kind`` and ``event.payload`` (typed), never from the JSON by key.

The SLA engine also provides the ticket's deadlines (``register_deadline_provider``), with the
related names a list of tickets should prefetch so that reading them costs no query per ticket.

Actions other apps add to the ticket are registered in ``tickets.workflow``.
"""

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date

    from fivestar.tickets.models import Ticket, TicketEvent

EventHandler = Callable[["TicketEvent"], None]
DeadlineProvider = Callable[["Ticket"], dict[str, dict]]

_handlers: list[EventHandler] = []
_by_kind: dict[str, list[EventHandler]] = {}
_deadlines: dict[str, object] = {"provider": None, "prefetch": ()}
_calendar: dict[str, object] = {"working_day": None}


def on_ticket_event(handler: EventHandler) -> EventHandler:
    """Register ``handler`` to be called with every new ticket event. Usable as a decorator."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def on_event(*kinds: str) -> Callable[[EventHandler], EventHandler]:
    """Register a handler for events of these ``kinds`` only (a decorator)."""

    def register(handler: EventHandler) -> EventHandler:
        for kind in kinds:
            registered = _by_kind.setdefault(str(kind), [])
            if handler not in registered:
                registered.append(handler)
        return handler

    return register


def dispatch(event: "TicketEvent") -> None:
    for handler in tuple(_handlers):
        handler(event)
    for handler in tuple(_by_kind.get(event.action, ())):
        handler(event)


def register_deadline_provider(provider: DeadlineProvider, *, prefetch: Sequence = ()) -> None:
    """``provider(ticket)`` returns the ticket's deadlines keyed by target name; ``prefetch``
    lists the lookups a ticket list passes to ``prefetch_related`` for it. One provider; a
    second registration replaces the first."""
    _deadlines["provider"] = provider
    _deadlines["prefetch"] = tuple(prefetch)


def deadlines(ticket: "Ticket") -> dict[str, dict]:
    provider = _deadlines["provider"]
    return provider(ticket) if provider is not None else {}  # type: ignore[operator]


def deadline_prefetches() -> tuple:
    return _deadlines["prefetch"]  # type: ignore[return-value]


def register_working_day_test(test: "Callable[[date], bool]") -> None:
    """``test(day)``: whether ``day`` is a working day of the service's working calendar (the
    SLA engine's default calendar, SPEC §3). One test; a second registration replaces it."""
    _calendar["working_day"] = test


def is_working_day(day: "date") -> bool:
    """By the registered working calendar; Monday to Friday when none is registered."""
    test = _calendar["working_day"]
    if test is None:
        return day.weekday() < 5
    return bool(test(day))  # type: ignore[operator]
