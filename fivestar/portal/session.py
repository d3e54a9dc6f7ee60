"""What this browser session may see in the portal: tickets granted by a follow link or a code
(each for a limited time), and the customer signed in by a phone code or a portal account."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest

from fivestar.customers.models import Customer
from fivestar.portal.selectors import customer_by_id, customer_for_user
from fivestar.tickets.models import Ticket

GRANTS_KEY = "portal.tickets"  # {"<ticket id>": <expires, epoch seconds>}
CUSTOMER_KEY = "portal.customer"  # {"id": <customer id>, "exp": <epoch seconds>}
PENDING_KEY = "portal.pending"  # the code request waiting for its code
MAX_GRANTS = 20


def access_seconds() -> int:
    return int(getattr(settings, "PORTAL_ACCESS_HOURS", 12)) * 3600


def grant_ticket(request: HttpRequest, ticket: Ticket) -> None:
    """Let this session open ``ticket`` for ``PORTAL_ACCESS_HOURS`` (12)."""
    now = time.time()
    grants = {k: v for k, v in request.session.get(GRANTS_KEY, {}).items() if v > now}
    grants[str(ticket.pk)] = now + access_seconds()
    # Keep the newest few: a session is one person following their own requests.
    newest = sorted(grants.items(), key=lambda item: item[1])[-MAX_GRANTS:]
    request.session[GRANTS_KEY] = dict(newest)


def granted_ticket_ids(request: HttpRequest) -> list[int]:
    now = time.time()
    return [int(k) for k, v in request.session.get(GRANTS_KEY, {}).items() if v > now]


def sign_in_customer(request: HttpRequest, customer: Customer) -> None:
    """The phone's owner proved it with a code: the session acts as this customer. A new
    session key, so that a key planted before sign-in is worth nothing after it."""
    grants = request.session.get(GRANTS_KEY, {})
    request.session.cycle_key()
    request.session[GRANTS_KEY] = grants
    request.session[CUSTOMER_KEY] = {"id": customer.pk, "exp": time.time() + access_seconds()}


def session_customer_id(request: HttpRequest) -> int | None:
    data = request.session.get(CUSTOMER_KEY)
    if not data or data.get("exp", 0) <= time.time():
        return None
    return int(data["id"])


def portal_customer(request: HttpRequest) -> Customer | None:
    """The customer using the portal: the one linked to the signed-in account, else the one
    signed in by a phone code in this session; None for an anonymous visitor."""
    if not hasattr(request, "_portal_customer"):
        customer = customer_for_user(user=request.user)
        if customer is None:
            customer = customer_by_id(customer_id=session_customer_id(request))
        request._portal_customer = customer
    return request._portal_customer


def sign_out(request: HttpRequest) -> None:
    """Forget everything: the account, the phone sign-in and every ticket granted."""
    logout(request)  # flushes the session
    if hasattr(request, "_portal_customer"):
        del request._portal_customer


def remember_pending(request: HttpRequest, *, purpose: str, phone: str, number: str = "") -> None:
    request.session[PENDING_KEY] = {"purpose": purpose, "phone": phone, "number": number,
                                    "at": time.time()}


def pending(request: HttpRequest, purpose: str) -> dict | None:
    data = request.session.get(PENDING_KEY)
    if not data or data.get("purpose") != purpose:
        return None
    return data


def forget_pending(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)
