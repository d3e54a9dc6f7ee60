"""查询进度: by the signed link in an SMS or e-mail, or by ticket number and a one-time code."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fivestar.core.errors import DomainError, NotFound
from fivestar.core.network import client_address
from fivestar.customers.masking import mask
from fivestar.portal.forms import CodeForm, TrackForm
from fivestar.portal.models import CodePurpose
from fivestar.portal.services import code_ttl, send_follow_code, verify_follow_code
from fivestar.portal.session import (
    forget_pending,
    grant_ticket,
    pending,
    remember_pending,
)
from fivestar.portal.views.common import not_found
from fivestar.tickets.access import FollowLinkExpired, ticket_for_follow_token


@require_GET
def follow(request, token: str):
    """The link in the customer's SMS: opens that one ticket for this browser session, then
    moves to the ticket's plain address so that the token does not linger in the address bar
    (or leak in a Referer)."""
    try:
        ticket = ticket_for_follow_token(token=token)
    except FollowLinkExpired:
        return not_found(request, expired=True)
    except NotFound:
        return not_found(request)
    grant_ticket(request, ticket)
    return redirect("portal:ticket", number=ticket.number)


@require_http_methods(["GET", "POST"])
def track(request):
    form = TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            send_follow_code(purpose=CodePurpose.TICKET, phone=form.cleaned_data["phone"],
                             number=form.cleaned_data["number"],
                             address=client_address(request))
        except DomainError as error:
            form.add_domain_errors(error)
        else:
            remember_pending(request, purpose=CodePurpose.TICKET,
                             phone=form.cleaned_data["phone"],
                             number=form.cleaned_data["number"])
            return redirect("portal:track_verify")
    return render(request, "portal/track.html", {"form": form})


@require_http_methods(["GET", "POST"])
def track_verify(request):
    waiting = pending(request, CodePurpose.TICKET)
    if waiting is None:
        return redirect("portal:track")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = verify_follow_code(
                purpose=CodePurpose.TICKET, phone=waiting["phone"], number=waiting["number"],
                code=form.cleaned_data["code"], address=client_address(request),
            )
        except DomainError as error:
            form.add_domain_errors(error)
        else:
            forget_pending(request)
            grant_ticket(request, row.ticket)
            return redirect("portal:ticket", number=row.ticket.number)
    return render(request, "portal/code.html", {
        "form": form, "purpose": CodePurpose.TICKET, "number": waiting["number"],
        "masked_phone": mask(waiting["phone"], "phone"),
        "minutes": int(code_ttl().total_seconds() // 60),
        "resend_url": "portal:track_resend", "back_url": "portal:track",
    })


@require_POST
def track_resend(request):
    waiting = pending(request, CodePurpose.TICKET)
    if waiting is None:
        return redirect("portal:track")
    try:
        send_follow_code(purpose=CodePurpose.TICKET, phone=waiting["phone"],
                         number=waiting["number"], address=client_address(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("验证码已重新发送。"))
    return redirect("portal:track_verify")


urlpatterns = [
    path("f/<str:token>/", follow, name="follow"),
    path("track/", track, name="track"),
    path("track/verify/", track_verify, name="track_verify"),
    path("track/resend/", track_resend, name="track_resend"),
]
