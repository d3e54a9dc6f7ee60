"""Who reacts to ticket events. ``tickets`` knows nothing of the apps that react to it.

An app that reacts (notifications, the SLA engine, surveys…) registers a handler in its
``AppConfig.ready``. Handlers run inside the transaction that wrote the event, so whatever they
write (an outbox row, a clock) commits or rolls back with the change itself. A handler that must
reach the outside world does it after commit (the outbox, ``transaction.on_commit``).
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fivestar.tickets.models import TicketEvent

EventHandler = Callable[["TicketEvent"], None]

_handlers: list[EventHandler] = []


def on_ticket_event(handler: EventHandler) -> EventHandler:
    """Register ``handler`` to be called with every new ticket event. Usable as a decorator."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def dispatch(event: "TicketEvent") -> None:
    for handler in tuple(_handlers):
        handler(event)
