"""The customer's view of one ticket: progress, the next promise, the conversation, and what the
customer can do — reply, add photos, say whether it is solved, reopen."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fivestar.core.errors import DomainError, NotFound, ValidationFailed
from fivestar.dispatch.selectors import customer_quote
from fivestar.portal.forms import (
    ConfirmForm,
    PhotosForm,
    QuoteDeclineForm,
    ReopenForm,
    ReplyForm,
    uploads_of,
)
from fivestar.portal.progress import next_promises, status_steps
from fivestar.portal.selectors import (
    public_replies,
    ticket_photos,
    waiting_reason,
)
from fivestar.portal.session import portal_customer
from fivestar.portal.views.common import (
    load_ticket,
    not_found,
    portal_actor,
    with_visible_ticket,
)
from fivestar.tickets.actions import perform_action
from fivestar.tickets.downloads import attachment_download, attachment_of
from fivestar.tickets.models import Status
from fivestar.tickets.services import add_attachments, add_reply
from fivestar.tickets.workflow import allowed_actions

INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def _page_context(request, ticket, **forms) -> dict:
    actions = allowed_actions(ticket=ticket, user=None, as_customer=True)
    return {
        "ticket": ticket,
        "customer": portal_customer(request),
        "steps": status_steps(status=ticket.status),
        "promises": next_promises(ticket=ticket),
        "waiting_reason": (waiting_reason(ticket=ticket)
                           if ticket.status == Status.WAITING_CUSTOMER else ""),
        "replies": public_replies(ticket=ticket),
        "photos": ticket_photos(ticket=ticket),
        "can_reply": ticket.status not in (Status.CLOSED, Status.CANCELLED),
        "can_confirm": "confirm" in actions,
        "can_reopen": "reopen" in actions and ticket.status == Status.CLOSED,
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "photos_form": forms.get("photos_form") or PhotosForm(),
        "confirm_form": forms.get("confirm_form") or ConfirmForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "inline_types": INLINE_TYPES,
        # A repair quote waiting for the customer's answer, or their answer (SPEC §4).
        "quote": customer_quote(ticket=ticket),
        "quote_form": forms.get("quote_form") or QuoteDeclineForm(),
    }


@require_GET
@with_visible_ticket
def ticket_page(request, ticket):
    return render(request, "portal/ticket.html", _page_context(request, ticket))


def _back(ticket, anchor: str = ""):
    return redirect(reverse("portal:ticket", kwargs={"number": ticket.number}) + anchor)


@require_POST
@with_visible_ticket
def reply(request, ticket):
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            add_reply(ticket=ticket, actor=portal_actor(request, ticket),
                      body=form.cleaned_data["body"],
                      uploads=uploads_of(form.cleaned_data["photos"]))
        except DomainError as error:
            form.add_domain_errors(error)
        else:
            if request.htmx:
                ticket = load_ticket(request, ticket.number)
                context = _page_context(request, ticket)
                context["just_sent"] = True
                return render(request, "portal/ticket.html#conversation", context)
            messages.success(request, _("已收到您的补充，我们会尽快回复。"))
            return _back(ticket, "#conversation")
    context = _page_context(request, ticket, reply_form=form)
    if request.htmx:
        return render(request, "portal/ticket.html#conversation", context)
    return render(request, "portal/ticket.html", context)


@require_POST
@with_visible_ticket
def add_photos(request, ticket):
    form = PhotosForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            count = len(add_attachments(ticket=ticket, actor=portal_actor(request, ticket),
                                        uploads=uploads_of(form.cleaned_data["photos"])))
        except DomainError as error:
            form.add_domain_errors(error)
        else:
            messages.success(request, _("已上传 %(count)d 个文件。") % {"count": count})
            return _back(ticket, "#photos")
    return render(request, "portal/ticket.html",
                  _page_context(request, ticket, photos_form=form))


@require_POST
@with_visible_ticket
def confirm(request, ticket):
    form = ConfirmForm(request.POST)
    if form.is_valid():
        solved = form.cleaned_data["solved"]
        try:
            perform_action(ticket=ticket, action="confirm", actor=portal_actor(request, ticket),
                           data={"solved": solved, "note": form.cleaned_data["reason"]})
        except ValidationFailed as error:
            form.add_domain_errors(error)
        except DomainError as error:
            # The ticket moved on meanwhile (another tab, a call with an agent): say so.
            messages.error(request, error.message)
            return _back(ticket)
        else:
            if solved:
                messages.success(request, _("感谢您的确认，工单已关闭。祝您生活愉快！"))
            else:
                messages.success(request, _("我们已收到，会继续为您处理，并尽快与您联系。"))
            return _back(ticket)
    return render(request, "portal/ticket.html",
                  _page_context(request, ticket, confirm_form=form))


@require_POST
@with_visible_ticket
def reopen(request, ticket):
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            perform_action(ticket=ticket, action="reopen", actor=portal_actor(request, ticket),
                           data={"reason": form.cleaned_data["reason"]})
        except ValidationFailed as error:
            form.add_domain_errors(error)
        except DomainError as error:
            messages.error(request, error.message)
            return _back(ticket)
        else:
            messages.success(request, _("工单已重新打开，我们会尽快与您联系。"))
            return _back(ticket)
    return render(request, "portal/ticket.html",
                  _page_context(request, ticket, reopen_form=form))


@require_GET
@with_visible_ticket
def attachment(request, ticket, attachment_id: int):
    try:
        file = attachment_of(ticket=ticket, attachment_id=attachment_id, public_only=True)
        response = attachment_download(attachment=file,
                                       inline=file.content_type in INLINE_TYPES)
    except NotFound:
        return not_found(request)
    response["Cache-Control"] = "private, max-age=3600"
    return response


urlpatterns = [
    path("tickets/<str:number>/", ticket_page, name="ticket"),
    path("tickets/<str:number>/reply/", reply, name="reply"),
    path("tickets/<str:number>/photos/", add_photos, name="photos"),
    path("tickets/<str:number>/confirm/", confirm, name="confirm"),
    path("tickets/<str:number>/reopen/", reopen, name="reopen"),
    path("tickets/<str:number>/files/<int:attachment_id>/", attachment, name="attachment"),
]
