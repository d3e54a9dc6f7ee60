"""Repair quotes in the demo (SPEC §4): a few out-of-warranty repairs being worked carry a quote
waiting for the customer's answer, and one the customer accepted on the portal.

Made through the dispatch services after the ticket history is loaded, on the tickets that
history left in a work state (chosen in a fixed order, so the same every time), in the last
hours before ``now``: like the rest of the history, each command runs with the clock moved to
its moment. Idempotent: once any demo ticket
has a quote, nothing is added — a quote a visitor answered or withdrew stays answered.

The demo's portal customer (the first customer, who signs in as ``customer``) gets one of the
waiting quotes, so that a visitor trying the portal finds a quote to accept: their oldest
out-of-warranty repair not yet assigned is accepted, given to a technician and quoted.
"""

from datetime import datetime, timedelta

import time_machine
from django.utils import timezone

from fivestar.accounts.models import RoleCode, User
from fivestar.customers.models import Customer
from fivestar.demo import data
from fivestar.dispatch.models import DecisionChannel, Quote
from fivestar.dispatch.services import QUOTE_STATES, accept_quote, propose_quote
from fivestar.products.selectors import warranty_state
from fivestar.sla.recompute import rebuild_clocks
from fivestar.tickets.models import (
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)
from fivestar.tickets.services import Actor, accept_ticket, assign_ticket

#: How many quotes wait for the customer, besides the one accepted.
PROPOSED = 3
TRAVEL_FEN = 5000
LABOUR_FEN_PER_HOUR = 8000


def ensure_quotes(*, customers: list[Customer], now: datetime, counter) -> None:
    if Quote.objects.filter(ticket__customer__in=customers).exists():
        return
    tickets = _out_of_warranty_work(customers)
    accepted = next((t for t in tickets if t.status == Status.IN_PROGRESS), None)
    # The portal customer's repair is new or accepted, so never among ``tickets`` (being worked).
    mine = _portal_customer_repair(customers[0]) if customers else None
    others = [t for t in tickets if t is not accepted]
    waiting = ([mine] if mine else []) + others[:PROPOSED - (1 if mine else 0)]
    made = 0
    for index, ticket in enumerate([t for t in (accepted, *waiting) if t is not None]):
        last = TicketEvent.objects.filter(ticket=ticket).order_by("-at", "-id").first()
        proposed_at = max(last.at + timedelta(minutes=1),
                          now - timedelta(hours=5 - index, minutes=17 * index))
        with time_machine.travel(proposed_at, tick=False):
            if ticket.status == Status.NEW:
                ticket = accept_ticket(ticket=ticket, actor=Actor(user=_agent()))
            if ticket.status == Status.ACCEPTED:
                ticket = assign_ticket(ticket=ticket, assignee=_technician(),
                                       actor=Actor(user=_agent()))
            quote = propose_quote(ticket=ticket, actor=Actor(user=ticket.assignee),
                                  **_amounts(ticket), note=_work(ticket),
                                  valid_until=timezone.localdate(now) + timedelta(days=7))
        if ticket is accepted:
            with time_machine.travel(min(proposed_at + timedelta(minutes=48), now), tick=False):
                accept_quote(quote=quote, actor=Actor(user=None, as_customer=True),
                             via=DecisionChannel.PORTAL)
        rebuild_clocks(ticket=Ticket.objects.get(pk=ticket.pk), now=now)
        made += 1
    if made:
        counter.add("quotes", made)


def _out_of_warranty_work(customers: list[Customer]) -> list[Ticket]:
    """The demo's repairs being worked whose unit was out of warranty when reported, oldest
    first."""
    rows = (Ticket.objects.filter(customer__in=customers, type=TicketType.REPAIR,
                                  status__in=QUOTE_STATES, unit__isnull=False,
                                  assignee__isnull=False)
            .select_related("customer", "assignee", "unit__product_model__warranty_policy")
            .order_by("received_at", "id"))
    chosen = []
    for ticket in rows:
        state = warranty_state(unit=ticket.unit,
                               on=timezone.localtime(ticket.received_at).date())
        if state.known and not state.in_warranty:
            chosen.append(ticket)
    return chosen


def _portal_customer_repair(customer: Customer) -> Ticket | None:
    """The portal customer's oldest out-of-warranty repair not yet assigned (not P1, which
    would wait for approval), or None."""
    rows = (Ticket.objects.filter(customer=customer, type=TicketType.REPAIR,
                                  status__in=(Status.NEW, Status.ACCEPTED), unit__isnull=False)
            .exclude(priority=Priority.P1)
            .select_related("customer", "unit__product_model__warranty_policy")
            .order_by("received_at", "id"))
    for ticket in rows:
        state = warranty_state(unit=ticket.unit,
                               on=timezone.localtime(ticket.received_at).date())
        if state.known and not state.in_warranty:
            return ticket
    return None


def _technician() -> User:
    return User.objects.filter(roles__code=RoleCode.TECHNICIAN, is_active=True).order_by("id")[0]


def _agent() -> User:
    return User.objects.filter(roles__code=RoleCode.AGENT, is_active=True).order_by("id")[0]


def _problem(ticket: Ticket) -> data.Problem | None:
    for line in data.PRODUCT_LINES:
        for problem in line.problems:
            if problem.title == ticket.title:
                return problem
    return None


def _amounts(ticket: Ticket) -> dict[str, int]:
    """What the out-of-warranty repair of this fault costs (the demo's own price list), split
    into labour, parts and travel, in fen."""
    problem = _problem(ticket)
    minutes = problem.labour_minutes if problem else 60
    labour = max(minutes * LABOUR_FEN_PER_HOUR // 60 // 100 * 100, 5000)
    total = (problem.cost_yuan * 100) if problem and problem.cost_yuan else 0
    parts = max(total - labour - TRAVEL_FEN, 0) if problem and problem.parts else 0
    return {"labour_fen": labour, "parts_fen": parts, "travel_fen": TRAVEL_FEN}


def _work(ticket: Ticket) -> str:
    problem = _problem(ticket)
    if problem is None:
        return f"上门检修“{ticket.title}”，含检测和调试。"
    parts = f"需更换：{problem.parts}。" if problem.parts else ""
    return f"上门检修“{problem.title}”。{parts}含检测、维修和试机。"
