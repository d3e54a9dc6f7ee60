"""The survey card of the staff ticket page (SPEC §6): an agent enters the customer's answers
during a phone callback, recorded as channel "phone" with who entered them.

Thin: parse the form, call ``record_phone_response``, render. With htmx the card answers alone;
without, POST, redirect, GET — or the whole page again with the errors (422).
"""

from dataclasses import replace

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fivestar.core.errors import DomainError, ValidationFailed
from fivestar.surveys.forms import SurveyForm
from fivestar.surveys.services import current_template, record_phone_response
from fivestar.tickets.models import Ticket
from fivestar.workspace.access import staff_required
from fivestar.workspace.selectors.surveys import SURVEY_PREFIX, survey_panel
from fivestar.workspace.views.ticket import TEMPLATE, page_context, visible_ticket

CARD = "workspace/ticket_survey.html"


def _card(request: HttpRequest, ticket: Ticket, **panel) -> str:
    return render_to_string(CARD, {
        "ticket": ticket, "panel": survey_panel(ticket=ticket, user=request.user, **panel),
    }, request=request)


def _done(request: HttpRequest, ticket: Ticket, *, notice: str, level: str) -> HttpResponse:
    if not request.htmx:
        (messages.success if level == "success" else messages.error)(request, notice)
        return redirect(reverse("workspace:ticket", args=[ticket.number]) + "#ticket-survey")
    return HttpResponse(_card(request, ticket, notice=notice, notice_level=level))


@staff_required
@require_POST
def enter(request: HttpRequest, number: str) -> HttpResponse:
    ticket = visible_ticket(request, number)
    form = SurveyForm(request.POST, template=current_template(), prefix=SURVEY_PREFIX)
    if form.is_valid():
        try:
            response = record_phone_response(ticket=ticket, user=request.user,
                                             **form.answers())
        except ValidationFailed as error:
            form.add_domain_errors(error)
        except DomainError as error:
            return _done(request, ticket, notice=error.message, level="error")
        else:
            notice = _("已记录电话回访测评。") if response.valid else _(
                "已记录电话回访测评（无效：%(reasons)s）。") % {
                "reasons": "、".join(response.get_reason_labels())}
            return _done(request, ticket, notice=notice, level="success")
    if request.htmx:
        return HttpResponse(_card(request, ticket, form=form))
    context = page_context(request, ticket)
    context["page"] = replace(context["page"], surveys=survey_panel(
        ticket=ticket, user=request.user, form=form))
    return render(request, TEMPLATE, context, status=422)


urlpatterns = [
    path("tickets/<str:number>/survey/", enter, name="ticket_survey"),
]
