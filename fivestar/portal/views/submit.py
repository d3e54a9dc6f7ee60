"""报修/咨询 without an account, and the confirmation that tells what happens next."""

from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from fivestar.core.errors import DomainError, NotFound
from fivestar.core.network import client_address
from fivestar.customers.services import CustomerDetails
from fivestar.portal.forms import SubmitForm, issue_form_token, uploads_of
from fivestar.portal.progress import next_promises
from fivestar.portal.services import submit_request
from fivestar.portal.session import grant_ticket
from fivestar.portal.views.common import load_ticket, not_found
from fivestar.tickets.models import Channel
from fivestar.tickets.services import TicketRequest


def _request_of(data: dict) -> TicketRequest:
    return TicketRequest(
        channel=Channel.WEB,
        type=data["type"],
        customer=CustomerDetails(name=data["name"], phone=data["phone"],
                                 email=data.get("email") or "",
                                 address=data.get("address") or ""),
        description=data["description"],
        product_model=data.get("product_model") or "",
        serial_number=data.get("serial_number") or "",
        purchase_date=data.get("purchase_date"),
    )


@require_http_methods(["GET", "POST"])
def submit(request):
    if request.method == "GET":
        form = SubmitForm(initial={"token": issue_form_token()})
        return render(request, "portal/submit.html", {"form": form})
    form = SubmitForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = submit_request(
                request=_request_of(form.cleaned_data),
                uploads=uploads_of(form.cleaned_data["photos"]),
                token=form.cleaned_data["token"], address=client_address(request),
            )
        except DomainError as error:
            form.add_domain_errors(error)
        else:
            grant_ticket(request, result.ticket)
            return redirect("portal:submitted", number=result.ticket.number)
    if "token" in form.errors:
        # The page was open too long: the next try carries a fresh token, the text is kept.
        form.data = form.data.copy()
        form.data["token"] = issue_form_token()
    return render(request, "portal/submit.html",
                  {"form": form, "photos_lost": bool(request.FILES)})


def submitted(request, number: str):
    try:
        ticket = load_ticket(request, number)
    except NotFound:
        return not_found(request)
    return render(request, "portal/submitted.html", {
        "ticket": ticket,
        "promises": next_promises(ticket=ticket),
    })


urlpatterns = [
    path("submit/", submit, name="submit"),
    path("submit/<str:number>/done/", submitted, name="submitted"),
]
