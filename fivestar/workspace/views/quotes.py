"""The quote card (报价) of the staff ticket page (SPEC §4): propose a quote for out-of-warranty
work, record the customer's answer given on the phone, withdraw a quote.

Thin: parse the form, take one ticket action (``perform_action``: ``propose_quote``,
``accept_quote``, ``decline_quote``, ``withdraw_quote``), render. With htmx a change answers
with the card, and the header and the timeline out of band (a quote moves the ticket in and out of
waiting for the customer); a form error answers with the card alone, the messages beside the
fields. Without htmx: POST, redirect, GET — or the whole page again with the errors (422).
"""

from dataclasses import replace

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fivestar.core.errors import DomainError, NotFound, ValidationFailed
from fivestar.dispatch.selectors import quote_of_ticket
from fivestar.tickets.actions import perform_action
from fivestar.tickets.models import Ticket
from fivestar.tickets.services import Actor
from fivestar.workspace import forms
from fivestar.workspace.access import staff_required
from fivestar.workspace.selectors.quotes import DECLINE_PREFIX, QUOTE_PREFIX, quote_panel
from fivestar.workspace.views.ticket import (
    TEMPLATE,
    header_part,
    page_context,
    timeline_part,
    visible_ticket,
)

CARD = "workspace/ticket_quotes.html"
#: What the card says once the decision is recorded.
NOTICES = {
    "accept": gettext_lazy("已记录：客户在电话中同意报价，可以开始维修。"),
    "decline": gettext_lazy("已记录：客户不接受报价。"),
    "withdraw": gettext_lazy("报价已撤回。"),
}


def _card(request: HttpRequest, ticket: Ticket, **panel) -> str:
    return render_to_string(CARD, {
        "ticket": ticket, "panel": quote_panel(ticket=ticket, user=request.user, **panel),
    }, request=request)


def _changed(request: HttpRequest, ticket: Ticket, *, notice: str,
             level: str = "success") -> HttpResponse:
    """After a change, or a refusal (the quote or the ticket moved meanwhile): the card with
    the notice; with htmx the header and the timeline too, read again."""
    if not request.htmx:
        (messages.success if level == "success" else messages.error)(request, notice)
        return redirect(reverse("workspace:ticket", args=[ticket.number]) + "#ticket-quotes")
    fresh = visible_ticket(request, ticket.number)
    return HttpResponse(_card(request, fresh, notice=notice, notice_level=level)
                        + header_part(request, fresh, oob=True) + timeline_part(request, fresh))


def _form_error(request: HttpRequest, ticket: Ticket, **panel) -> HttpResponse:
    """The card again with the messages beside the fields (htmx), or the whole page (422)."""
    if request.htmx:
        return HttpResponse(_card(request, ticket, **panel))
    context = page_context(request, ticket)
    context["page"] = replace(context["page"], quotes=quote_panel(
        ticket=ticket, user=request.user, **panel))
    return render(request, TEMPLATE, context, status=422)


@staff_required
@require_POST
def propose(request: HttpRequest, number: str) -> HttpResponse:
    """A new quote, typed in yuan (``QuoteForm`` converts to fen with Decimal)."""
    ticket = visible_ticket(request, number)
    form = forms.QuoteForm(request.POST, prefix=QUOTE_PREFIX)
    if form.is_valid():
        try:
            perform_action(ticket=ticket, action="propose_quote", actor=Actor(user=request.user),
                           data={**form.amounts(), "note": form.cleaned_data["note"],
                                 "valid_until": form.cleaned_data["valid_until"]})
        except ValidationFailed as error:
            form.add_domain_errors(error)
        except DomainError as error:
            return _changed(request, ticket, notice=error.message, level="error")
        else:
            return _changed(request, ticket,
                            notice=_("报价已发给客户，等待客户确认。"))
    return _form_error(request, ticket, form=form, open_form="propose")


@staff_required
@require_POST
def decide(request: HttpRequest, number: str, quote_id: int, decision: str) -> HttpResponse:
    """The customer's answer on the phone (accept / decline, with the reason they gave), or
    the quote withdrawn."""
    if decision not in NOTICES:
        raise Http404
    ticket = visible_ticket(request, number)
    try:
        quote = quote_of_ticket(ticket=ticket, quote_id=quote_id)
    except NotFound:
        raise Http404(_("没有找到这份报价。")) from None
    form = None
    data = {"quote": quote.pk}
    if decision == "decline":
        form = forms.QuoteDeclineForm(request.POST, prefix=DECLINE_PREFIX)
        if not form.is_valid():
            return _form_error(request, ticket, decline_form=form, open_form="decline")
        data["reason"] = form.cleaned_data["reason"]
    try:
        perform_action(ticket=ticket, action=f"{decision}_quote", actor=Actor(user=request.user),
                       data=data)
    except ValidationFailed as error:
        if form is not None and error.fields:
            form.add_domain_errors(error)
            return _form_error(request, ticket, decline_form=form, open_form="decline")
        return _changed(request, ticket, notice=error.message, level="error")
    except DomainError as error:
        return _changed(request, ticket, notice=error.message, level="error")
    return _changed(request, ticket, notice=str(NOTICES[decision]))


urlpatterns = [
    path("tickets/<str:number>/quotes/", propose, name="ticket_quote_propose"),
    path("tickets/<str:number>/quotes/<int:quote_id>/<slug:decision>/", decide,
         name="ticket_quote_decide"),
]
