"""API v1: quotes of a ticket (mounted under ``/api/v1/tickets/``). Thin: find the ticket the
caller may see, parse the body, take one ticket action (``perform_action``), shape the
answer.

Anyone who may see the ticket reads its quotes (a customer their own). Staff who may work on the
ticket propose and withdraw quotes and record the customer's answer (``via`` "phone"); the
ticket's own customer, signed in with their account's token, answers for themselves (``via``
"api"). Errors: 403 for the wrong person, 404 for a ticket or quote out of reach, 409 for a
second open quote or a quote already answered, 422 for bad amounts.
"""

from django.http import HttpRequest
from ninja import Router
from ninja import Status as Answer

from fivestar.accounts.models import User
from fivestar.core.responses import answers
from fivestar.dispatch.models import Quote
from fivestar.dispatch.schemas import DecisionIn, QuoteIn, QuoteOut
from fivestar.dispatch.selectors import ticket_quotes
from fivestar.tickets.actions import perform_action
from fivestar.tickets.actors import actor_for
from fivestar.tickets.selectors import ticket_for_user

router = Router(tags=["quotes"])


def _user_ref(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": str(user)}


def quote_payload(quote: Quote, *, number: str) -> dict:
    return {
        "id": quote.pk, "ticket": number, "status": quote.status,
        "labour_fen": quote.labour_fen, "parts_fen": quote.parts_fen,
        "travel_fen": quote.travel_fen, "total_fen": quote.total_fen, "note": quote.note,
        "valid_until": quote.valid_until, "expired": quote.is_expired,
        "proposed_by": _user_ref(quote.proposed_by), "proposed_at": quote.proposed_at,
        "decided_at": quote.decided_at, "decided_via": quote.decided_via,
        "decided_by": _user_ref(quote.decided_by), "decline_reason": quote.decline_reason,
    }


def _fresh(quote: Quote, *, number: str) -> dict:
    reloaded = ticket_quotes(ticket=quote.ticket).get(pk=quote.pk)
    return quote_payload(reloaded, number=number)


@router.get("/{number}/quotes", response=answers(list[QuoteOut], 404),
            summary="The ticket's quotes")
def list_quotes(request: HttpRequest, number: str):
    """Every quote of the ticket, newest first."""
    ticket = ticket_for_user(number=number, user=request.user)
    return [quote_payload(quote, number=ticket.number) for quote in ticket_quotes(ticket=ticket)]


@router.post("/{number}/quotes", response=answers({201: QuoteOut}, 404, 409, 413),
             summary="Propose a quote")
def create_quote(request: HttpRequest, number: str, payload: QuoteIn):
    """Offer the customer a price for out-of-warranty work (the ``propose_quote`` action). A
    ticket in progress then waits for the customer (its service clocks pause); the customer is
    sent the quote with the link to accept it."""
    ticket = ticket_for_user(number=number, user=request.user)
    quote = perform_action(ticket=ticket, action="propose_quote",
                           actor=actor_for(user=request.user, ticket=ticket), data=payload)
    return Answer(201, _fresh(quote, number=ticket.number))


def _decide(request: HttpRequest, *, number: str, quote_id: int, action: str,
            reason: str = "") -> dict:
    """The customer's answer, or the quote withdrawn: the ``accept_quote``, ``decline_quote``
    and ``withdraw_quote`` actions, as from the pages."""
    ticket = ticket_for_user(number=number, user=request.user)
    quote = perform_action(ticket=ticket, action=action,
                           actor=actor_for(user=request.user, ticket=ticket),
                           data={"quote": quote_id, "reason": reason})
    return _fresh(quote, number=ticket.number)


@router.post("/{number}/quotes/{quote_id}/accept", response=answers(QuoteOut, 404, 409),
             summary="Accept a quote (the customer, or staff recording a phone consent)")
def accept(request: HttpRequest, number: str, quote_id: int):
    return _decide(request, number=number, quote_id=quote_id, action="accept_quote")


@router.post("/{number}/quotes/{quote_id}/decline", response=answers(QuoteOut, 404, 409, 413),
             summary="Decline a quote (the customer, or staff recording it)")
def decline(request: HttpRequest, number: str, quote_id: int,
            payload: DecisionIn | None = None):
    return _decide(request, number=number, quote_id=quote_id, action="decline_quote",
                   reason=(payload or DecisionIn()).reason)


@router.post("/{number}/quotes/{quote_id}/withdraw", response=answers(QuoteOut, 404, 409, 413),
             summary="Withdraw a quote the customer has not answered")
def withdraw(request: HttpRequest, number: str, quote_id: int,
             payload: DecisionIn | None = None):
    return _decide(request, number=number, quote_id=quote_id, action="withdraw_quote",
                   reason=(payload or DecisionIn()).reason)
