"""What every portal view shares: who is asking, which ticket they may open, the 404 page."""

from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fivestar.core.errors import NotFound
from fivestar.customers.models import Customer
from fivestar.portal.selectors import portal_ticket
from fivestar.portal.session import granted_ticket_ids, portal_customer
from fivestar.tickets.models import Ticket
from fivestar.tickets.services import Actor


def load_ticket(request: HttpRequest, number: str) -> Ticket:
    """The ticket this visitor may open, or NotFound (never "forbidden")."""
    customer: Customer | None = portal_customer(request)
    return portal_ticket(number=number, ticket_ids=granted_ticket_ids(request),
                         customer_id=customer.pk if customer else None)


def portal_actor(request: HttpRequest, ticket: Ticket) -> Actor:
    """The ticket's customer acting through the portal: their account when they are signed in
    with the one linked to this ticket, otherwise the customer without a user (a follow link
    or a code proved who they are)."""
    user = request.user if getattr(request.user, "is_authenticated", False) else None
    own = user is not None and ticket.customer.user_id == user.pk
    return Actor(user=user if own else None, as_customer=True)


def not_found(request: HttpRequest, *, expired: bool = False) -> HttpResponse:
    """The one answer for a ticket, link or file this visitor may not see."""
    return render(request, "portal/not_found.html", {"expired": expired}, status=404)


def with_visible_ticket(view):
    """Hands the view the ticket named in the URL if this visitor may open it; every other
    visitor gets the one 404 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, number: str, *args, **kwargs):
        try:
            ticket = load_ticket(request, number)
        except NotFound:
            return not_found(request)
        return view(request, ticket, *args, **kwargs)

    return wrapper
