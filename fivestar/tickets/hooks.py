"""Who reacts to ticket events. ``tickets`` knows nothing of the apps that react to it.

An app that reacts (notifications, the SLA engine, surveys…) registers a handler in its
``AppConfig.ready``. Handlers run inside the transaction that wrote the event, so whatever they
write (an outbox row, a clock) commits or rolls back with the change itself. A handler that must
reach the outside world does it after commit (the outbox, ``transaction.on_commit``).

The SLA engine also provides the ticket's deadlines (``register_deadline_provider``), with the
related names a list of tickets should prefetch so that reading them costs no query per ticket.

An app may also add an action to the ticket's ``actions/{action}`` endpoint
(``register_action``): its name, its body schema, the function that runs it, who may take it in
which states, and whether it makes sense for this ticket now (the SLA engine's ``extend`` exists
only while a deadline is running). The workflow lists it in ``allowed_actions`` and checks the
roles like any other action; the handler's own service does the rest.
"""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel

    from fivestar.tickets.models import Ticket, TicketEvent

EventHandler = Callable[["TicketEvent"], None]
DeadlineProvider = Callable[["Ticket"], dict[str, dict]]

_handlers: list[EventHandler] = []
_deadlines: dict[str, object] = {"provider": None, "prefetch": ()}


def on_ticket_event(handler: EventHandler) -> EventHandler:
    """Register ``handler`` to be called with every new ticket event. Usable as a decorator."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def dispatch(event: "TicketEvent") -> None:
    for handler in tuple(_handlers):
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


ActionHandler = Callable[..., Any]


@dataclass(frozen=True)
class ProvidedAction:
    """An action another app adds to tickets. ``handler(ticket=, actor=, body=)`` runs it with
    the body parsed by ``schema`` (a pydantic model); ``roles`` may take it on any ticket in
    ``statuses``, the assignee too when ``assignee_may``; ``available(ticket)`` (optional) says
    whether it applies to this ticket now — it must read only what a ticket list prefetches."""

    name: str
    schema: type["BaseModel"]
    handler: ActionHandler
    label: object
    roles: frozenset[str]
    statuses: frozenset[str]
    assignee_may: bool = False
    available: Callable[["Ticket"], bool] | None = None


_actions: dict[str, ProvidedAction] = {}


def register_action(
    name: str, *, schema: type["BaseModel"], handler: ActionHandler, label: object,
    roles: Collection[str], statuses: Collection[str], assignee_may: bool = False,
    available: Callable[["Ticket"], bool] | None = None,
) -> ProvidedAction:
    """Add ``name`` to the ticket actions (``label`` is shown to people; a lazy translation).
    Registering a name again replaces the earlier registration."""
    action = ProvidedAction(
        name=name, schema=schema, handler=handler, label=label, roles=frozenset(roles),
        statuses=frozenset(statuses), assignee_may=assignee_may, available=available,
    )
    _actions[name] = action
    return action


def provided_action(name: str) -> ProvidedAction | None:
    return _actions.get(name)


def provided_actions() -> list[ProvidedAction]:
    return list(_actions.values())
