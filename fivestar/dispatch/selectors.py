"""Queries of dispatch and field service, access checks included. For now: quotes."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fivestar.core.errors import NotFound
from fivestar.dispatch.errors import DispatchErrorCode
from fivestar.dispatch.models import Quote, QuoteStatus
from fivestar.dispatch.services.quotes import QUOTE_STATES
from fivestar.tickets.models import Ticket


def ticket_quotes(*, ticket: Ticket) -> QuerySet[Quote]:
    """Every quote of ``ticket`` (already checked visible to whoever asks), newest first, with
    the people who proposed and recorded them. One query."""
    return (Quote.objects.filter(ticket=ticket)
            .select_related("proposed_by", "decided_by")
            .order_by("-proposed_at", "-id"))


def quote_of_ticket(*, ticket: Ticket, quote_id: int) -> Quote:
    """Quote ``quote_id`` if it belongs to ``ticket``; NotFound otherwise, so that a quote is
    reached only through a ticket its reader may see."""
    quote = ticket_quotes(ticket=ticket).filter(pk=quote_id).first()
    if quote is None:
        raise NotFound(_("没有找到这份报价。"), code=DispatchErrorCode.QUOTE_NOT_FOUND)
    quote.ticket = ticket  # the caller's copy, already loaded with its customer
    return quote


def open_quote(*, ticket: Ticket) -> Quote | None:
    """The quote waiting for the customer's answer, if any."""
    return ticket_quotes(ticket=ticket).filter(status=QuoteStatus.PROPOSED).first()


def customer_quote(*, ticket: Ticket) -> Quote | None:
    """The quote the customer sees on their ticket: the one waiting for their answer, else the
    latest they answered. A withdrawn quote is not shown (nothing to answer, nothing agreed);
    when the latest quote was withdrawn, an earlier answer is not shown either — it no longer
    holds. A quote still proposed on a ticket no longer being worked is not shown."""
    latest = (Quote.objects.filter(ticket=ticket)
              .order_by("-proposed_at", "-id").first())
    if latest is None or latest.status == QuoteStatus.WITHDRAWN:
        return None
    if latest.is_proposed and ticket.status not in QUOTE_STATES:
        return None  # the ticket was resolved or cancelled meanwhile: nothing to answer
    return latest
