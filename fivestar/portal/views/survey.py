"""满意度测评 in the portal (SPEC §6): a signed-in customer sees the surveys waiting for them,
answers one, and sees their points balance. Another customer's invitation is the one 404 page."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fivestar.core.errors import Conflict, ValidationFailed
from fivestar.portal.session import portal_customer
from fivestar.portal.views.common import not_found
from fivestar.surveys import services
from fivestar.surveys.forms import SurveyForm
from fivestar.surveys.models import Invitation, InvitationStatus, ResponseChannel
from fivestar.surveys.selectors import points_balance


@require_GET
def surveys(request: HttpRequest) -> HttpResponse:
    customer = portal_customer(request)
    if customer is None:
        return redirect("portal:account")
    return render(request, "portal/surveys.html", {
        "customer": customer,
        "pending": services.pending_for_customer(customer_id=customer.pk),
        "balance": points_balance(customer_id=customer.pk),
        "answered": customer.survey_responses.select_related("ticket").order_by(
            "-submitted_at")[:20],
    })


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, invitation_id: int) -> HttpResponse:
    customer = portal_customer(request)
    if customer is None:
        return redirect("portal:account")
    invitation = (Invitation.objects.select_related("ticket", "template")
                  .filter(pk=invitation_id, customer=customer,
                          status=InvitationStatus.SENT).first())
    if invitation is None:
        return not_found(request)
    template = invitation.template or services.current_template()
    form = SurveyForm(request.POST or None, template=template)
    if request.method == "POST" and form.is_valid():
        try:
            response = services.submit_response(
                invitation=invitation, channel=ResponseChannel.PORTAL, **form.answers())
        except ValidationFailed as error:
            form.add_domain_errors(error)
        except Conflict as error:
            messages.error(request, error.message)
            return redirect("portal:surveys")
        else:
            points = services.survey_settings().points_per_response
            if response.valid and points:
                messages.success(request, _("感谢您的评价！您获得了 %(points)s 积分。")
                                 % {"points": points})
            else:
                messages.success(request, _("感谢您的评价！"))
            return redirect("portal:surveys")
    language = get_language() or "zh-hans"
    return render(request, "portal/survey_answer.html", {
        "invitation": invitation, "form": form, "title": template.text("title", language),
        "intro": template.text("intro", language),
    }, status=422 if request.method == "POST" else 200)


urlpatterns = [
    path("surveys/", surveys, name="surveys"),
    path("surveys/<int:invitation_id>/", answer, name="survey_answer"),
]
