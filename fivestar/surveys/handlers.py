"""How surveys react to ticket events (registered with ``tickets.hooks`` in ``apps.ready``, so
``tickets`` never imports ``surveys``). Runs inside the transaction that wrote the event.

- ``close`` → the routine invitation is scheduled for the configured delay after the closure
  (default 1 hour, within 24 hours, SPEC §6), and a special one 7 days later when a special rule
  matches the ticket (a major complaint, a complex repair: rules as data);
- ``reopen`` → invitations not sent yet are cancelled; the next ``close`` schedules them again
  (never a second invitation of a kind for one ticket).
The worker's sweep sends them when due (``tasks.survey_sweep``).
"""

from datetime import timedelta

from fivestar.sla.events import SlaEventKind
from fivestar.surveys import services
from fivestar.surveys.models import InvitationKind, SpecialRule
from fivestar.tickets import hooks
from fivestar.tickets.events import TicketEventKind
from fivestar.tickets.models import Ticket, TicketEvent


def register() -> None:
    hooks.on_event(TicketEventKind.CLOSED)(_closed)
    hooks.on_event(TicketEventKind.REOPENED)(_reopened)


def visits_of(ticket: Ticket) -> int:
    """On-site visits recorded on the ticket (the ``arrive`` events)."""
    return TicketEvent.objects.filter(ticket=ticket, action=SlaEventKind.ARRIVED).count()


def rule_matches(rule: SpecialRule, ticket: Ticket) -> bool:
    """Every condition the rule sets holds for the ticket (an empty condition holds)."""
    if rule.ticket_type and ticket.type != rule.ticket_type:
        return False
    priorities = {p.strip().upper() for p in rule.priorities.split(",") if p.strip()}
    if priorities and ticket.priority not in priorities:
        return False
    if rule.min_cost_fen is not None and (ticket.cost_fen or 0) < rule.min_cost_fen:
        return False
    return rule.min_visits is None or visits_of(ticket) >= rule.min_visits


def special_rule_for(ticket: Ticket) -> SpecialRule | None:
    for rule in SpecialRule.objects.filter(active=True).order_by("pk"):
        if rule_matches(rule, ticket):
            return rule
    return None


def _closed(event: TicketEvent) -> None:
    ticket = event.ticket
    closed_at = ticket.closed_at or event.at
    settings = services.survey_settings()
    delay = min(timedelta(minutes=settings.routine_delay_minutes), services.ROUTINE_LATEST)
    services.schedule_invitation(ticket=ticket, kind=InvitationKind.ROUTINE,
                                 due_at=closed_at + delay)
    rule = special_rule_for(ticket)
    if rule is not None:
        services.schedule_invitation(
            ticket=ticket, kind=InvitationKind.SPECIAL, rule_id=rule.pk,
            due_at=closed_at + timedelta(days=settings.special_delay_days))


def _reopened(event: TicketEvent) -> None:
    services.cancel_unsent(ticket=event.ticket)
