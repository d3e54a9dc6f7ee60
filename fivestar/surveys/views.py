"""The phone-first survey page a personal link opens (SPEC §6), without signing in.

A reused link finds the invitation answered and says thanks; an expired one says it expired;
a forged one is the not-found page. Bad answers are shown beside their questions and nothing is
recorded.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from fivestar.core.errors import Conflict, NotFound, ValidationFailed
from fivestar.surveys import links, services
from fivestar.surveys.errors import SurveyErrorCode
from fivestar.surveys.forms import SurveyForm
from fivestar.surveys.models import Invitation, InvitationStatus, ResponseChannel


def closed_state(invitation: Invitation) -> str:
    """Why this invitation can no longer be answered ("" when it can)."""
    if invitation.status == InvitationStatus.ANSWERED:
        return "answered"
    if invitation.status == InvitationStatus.EXPIRED or (
        invitation.expires_at and invitation.expires_at <= timezone.now()
    ):
        return "expired"
    if invitation.status != InvitationStatus.SENT:
        return "closed"
    return ""


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = links.invitation_for_token(token=token)
    except NotFound:
        return render(request, "surveys/closed.html", {"state": "invalid"}, status=404)
    state = closed_state(invitation)
    if state:
        return render(request, "surveys/closed.html", {"state": state}, status=410
                      if state == "expired" else 200)
    template = invitation.template or services.current_template()
    form = SurveyForm(request.POST or None, template=template)
    if request.method == "POST" and form.is_valid():
        try:
            response = services.submit_response(
                invitation=invitation, channel=ResponseChannel.LINK, **form.answers())
        except ValidationFailed as error:
            form.add_domain_errors(error)
        except Conflict as error:
            state = ("answered" if error.code == SurveyErrorCode.ALREADY_ANSWERED
                     else "expired" if error.code == SurveyErrorCode.INVITATION_EXPIRED
                     else "closed")
            return render(request, "surveys/closed.html", {"state": state})
        else:
            return render(request, "surveys/thanks.html", {
                "points": services.survey_settings().points_per_response,
                "valid": response.valid,
            })
    return render(request, "surveys/answer.html", {
        "invitation": invitation, "template": template, "form": form,
        "title": template.text("title", get_language() or "zh-hans"),
        "intro": template.text("intro", get_language() or "zh-hans"),
    }, status=422 if request.method == "POST" else 200)
