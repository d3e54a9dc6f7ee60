"""The customer's answer to a repair quote (维修报价, SPEC §4; issue 5 item 7 "accept a quote"):
接受报价 or 不接受 (with a reason if they like), on their own ticket only.

The ticket comes from the one visible-ticket check every portal page uses (anything else is the
one 404 page), the quote from that ticket (another ticket's quote id is a 404 too). One ticket
action each (``perform_action``); the page then shows the result. A second tap — the form is
sent once (``data-once``), but a browser may retry — finds the quote already answered the same
way and says so kindly.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fivestar.core.errors import DomainError, NotFound, ValidationFailed
from fivestar.dispatch.models import DecisionChannel, Quote, QuoteStatus
from fivestar.dispatch.selectors import quote_of_ticket
from fivestar.portal.forms import QuoteDeclineForm
from fivestar.portal.views.common import not_found, portal_actor, with_visible_ticket
from fivestar.portal.views.ticket import _page_context
from fivestar.tickets.actions import perform_action
from fivestar.tickets.models import Ticket


def _back(ticket: Ticket) -> HttpResponse:
    return redirect(reverse("portal:ticket", kwargs={"number": ticket.number}) + "#quote")


def _already(quote: Quote, status: str) -> bool:
    """The quote was answered this very way already (a double tap, a retried request)."""
    quote.refresh_from_db(fields=["status"])
    return quote.status == status


@require_POST
@with_visible_ticket
def accept(request: HttpRequest, ticket: Ticket, quote_id: int) -> HttpResponse:
    try:
        quote = quote_of_ticket(ticket=ticket, quote_id=quote_id)
    except NotFound:
        return not_found(request)
    try:
        perform_action(ticket=ticket, action="accept_quote",
                       actor=portal_actor(request, ticket),
                       data={"quote": quote.pk, "via": DecisionChannel.PORTAL})
    except DomainError as error:
        if not _already(quote, QuoteStatus.ACCEPTED):
            # Withdrawn or changed meanwhile, expired, or the ticket moved on: say so.
            messages.error(request, error.message)
            return _back(ticket)
    messages.success(request, _("感谢您的确认！我们会尽快安排维修，并与您联系。"))
    return _back(ticket)


@require_POST
@with_visible_ticket
def decline(request: HttpRequest, ticket: Ticket, quote_id: int) -> HttpResponse:
    try:
        quote = quote_of_ticket(ticket=ticket, quote_id=quote_id)
    except NotFound:
        return not_found(request)
    form = QuoteDeclineForm(request.POST)
    if form.is_valid():
        try:
            perform_action(ticket=ticket, action="decline_quote",
                           actor=portal_actor(request, ticket),
                           data={"quote": quote.pk, "via": DecisionChannel.PORTAL,
                                 "reason": form.cleaned_data["reason"]})
        except ValidationFailed as error:
            form.add_domain_errors(error)
        except DomainError as error:
            if not _already(quote, QuoteStatus.DECLINED):
                messages.error(request, error.message)
                return _back(ticket)
            messages.success(request, _("已收到您的答复，我们不会进行这项收费维修。"))
            return _back(ticket)
        else:
            messages.success(request, _("已收到您的答复，我们不会进行这项收费维修。"
                                        "工作人员会与您联系后续安排。"))
            return _back(ticket)
    return render(request, "portal/ticket.html",
                  _page_context(request, ticket, quote_form=form))


urlpatterns = [
    path("tickets/<str:number>/quotes/<int:quote_id>/accept/", accept, name="quote_accept"),
    path("tickets/<str:number>/quotes/<int:quote_id>/decline/", decline,
         name="quote_decline"),
]
