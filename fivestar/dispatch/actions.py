"""The quote actions dispatch adds to the ticket's registry (``tickets.workflow``), so that the
API, the workspace's quote card and the portal take them through the one door
(``tickets.actions.perform_action``): ``propose_quote``, ``accept_quote``, ``decline_quote`` and
``withdraw_quote``. Each runner turns the parsed body into one service call; the rules live in
``dispatch.services.quotes`` (which checks them again under the ticket's row lock)."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from fivestar.dispatch.errors import DispatchErrorCode
from fivestar.dispatch.models import DecisionChannel, Quote, QuoteStatus
from fivestar.dispatch.schemas import QuoteIn
from fivestar.dispatch.selectors import quote_of_ticket
from fivestar.dispatch.services.quotes import (
    QUOTE_STATES,
    accept_quote,
    decline_quote,
    propose_quote,
    withdraw_quote,
)
from fivestar.tickets.actors import Actor
from fivestar.tickets.models import Ticket
from fivestar.tickets.workflow import FRONT_LINE, register_action

#: The open quote of each ticket of a list, read in one query (``_pending`` below).
OPEN_QUOTES = Prefetch("quotes", queryset=Quote.objects.filter(status=QuoteStatus.PROPOSED),
                       to_attr="open_quotes")


class QuoteDecisionIn(Schema):
    """``quote`` (required): the quote's id; ``reason`` (decline, withdraw; optional); ``via``
    (the customer answering: ``portal`` or ``api``, the default — staff always record a phone
    answer)."""

    quote: int = Field(..., ge=1, le=2**53)
    reason: str = Field("", max_length=2000)
    via: str = Field("", max_length=10)


def _pending(ticket: Ticket) -> bool:
    """Whether a quote waits for the customer's answer (prefetched by ``OPEN_QUOTES`` in a
    list; one query otherwise)."""
    quotes = getattr(ticket, "open_quotes", None)
    if quotes is None:
        return ticket.quotes.filter(status=QuoteStatus.PROPOSED).exists()
    return bool(quotes)


def _via(actor: Actor, body: QuoteDecisionIn) -> str:
    if not actor.as_customer:
        return DecisionChannel.PHONE
    return DecisionChannel.PORTAL if body.via == DecisionChannel.PORTAL else DecisionChannel.API


def _propose(*, ticket: Ticket, actor: Actor, body: QuoteIn) -> Quote:
    return propose_quote(ticket=ticket, actor=actor, labour_fen=body.labour_fen,
                         parts_fen=body.parts_fen, travel_fen=body.travel_fen, note=body.note,
                         valid_until=body.valid_until)


def _accept(*, ticket: Ticket, actor: Actor, body: QuoteDecisionIn) -> Quote:
    quote = quote_of_ticket(ticket=ticket, quote_id=body.quote)
    return accept_quote(quote=quote, actor=actor, via=_via(actor, body))


def _decline(*, ticket: Ticket, actor: Actor, body: QuoteDecisionIn) -> Quote:
    quote = quote_of_ticket(ticket=ticket, quote_id=body.quote)
    return decline_quote(quote=quote, actor=actor, via=_via(actor, body), reason=body.reason)


def _withdraw(*, ticket: Ticket, actor: Actor, body: QuoteDecisionIn) -> Quote:
    quote = quote_of_ticket(ticket=ticket, quote_id=body.quote)
    return withdraw_quote(quote=quote, actor=actor, reason=body.reason)


def register() -> None:
    """SPEC §4 quotes: staff who may work on the ticket (front line or its assignee) propose
    and withdraw, the customer answers (or staff record their answer given on the phone)."""
    common = {"statuses": QUOTE_STATES, "roles": FRONT_LINE, "assignee_may": True,
              "owner": "dispatch", "prefetch": (OPEN_QUOTES,),
              "denied": (
                  _("只有工单的处理人或客服、主管可以处理报价；客户只能答复自己工单的报价。"),
                  DispatchErrorCode.QUOTE_NOT_PERMITTED)}
    register_action("propose_quote", label=_("提出报价"), schema=QuoteIn, run=_propose,
                    available=lambda ticket: not _pending(ticket), **common)
    register_action("accept_quote", label=_("接受报价"), schema=QuoteDecisionIn, run=_accept,
                    customer_may=True, available=_pending,
                    **common)
    register_action("decline_quote", label=_("不接受报价"), schema=QuoteDecisionIn,
                    run=_decline, customer_may=True,
                    available=_pending, **common)
    register_action("withdraw_quote", label=_("撤回报价"), schema=QuoteDecisionIn,
                    run=_withdraw, available=_pending,
                    **common)
