"""The staff ticket page: header with deadlines and the actions allowed now, the customer and
warranty panels, the timeline, the reply box.

Every change goes through a ticket service (which checks the roles and writes the event); a
``DomainError`` becomes a message beside the form or a notice at the top, never a 500. With htmx
an action or a reply answers with every part of the page a change can touch (header, request
and result card, quote card, timeline, reply box; ``_after_change``); without it, the page
redirects back to itself (POST, redirect, GET).
"""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from fivestar.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from fivestar.core.network import client_address
from fivestar.customers.masking import mask
from fivestar.tickets import workflow
from fivestar.tickets.actions import perform_action
from fivestar.tickets.downloads import attachment_download, attachment_of
from fivestar.tickets.models import CannedReply, Status, Ticket
from fivestar.tickets.selectors import ticket_for_user
from fivestar.tickets.services import (
    Actor,
    Upload,
    add_attachments,
    add_reply,
    render_canned_reply,
    reveal_customer_contact,
    take_ticket,
)
from fivestar.tickets.services.privacy import REVEALABLE_FIELDS, may_reveal_contact
from fivestar.tickets.timeline import CONTACT_NAMES
from fivestar.workspace import forms
from fivestar.workspace.access import staff_required
from fivestar.workspace.selectors.quotes import quote_panel
from fivestar.workspace.selectors.ticket_page import (
    CONTACT_LABELS,
    assignable_staff,
    canned_replies,
    deadlines,
    ticket_actions,
    ticket_page,
    timeline,
)

TEMPLATE = "workspace/ticket.html"

# How the page asks for an action's input: a form of its own where the input deserves one (a
# list of people, yuan instead of fen, a reason worded for the action); any other action that
# needs input gets a form built from its schema. Which service runs is the registry's business
# (``perform_action``), not the page's.
ACTION_FORMS: dict[str, type[forms.ActionForm]] = {
    "assign": forms.AssignForm,
    "cancel": forms.CancelForm,
    "set_priority": forms.SetPriorityForm,
    "resolve": forms.ResolveForm,
    "wait_customer": forms.WaitCustomerForm,
    "reopen": forms.ReopenForm,
    "confirm": forms.ConfirmForm,
}
def one_click_actions() -> frozenset[str]:
    """Actions taken with one click: they need no input."""
    return frozenset(
        action.name for action in workflow.registered_actions() if not action.needs_input)


def visible_ticket(request: HttpRequest, number: str) -> Ticket:
    """The ticket if the signed-in person may see it, else 404 (the quote views share it)."""
    try:
        return ticket_for_user(number=number, user=request.user)
    except NotFound:
        raise Http404(_("没有找到工单。")) from None


def _actor(request: HttpRequest) -> Actor:
    # The workspace is for staff: whoever acts here acts as staff, never as a customer.
    return Actor(user=request.user)


# --- forms for actions ------------------------------------------------------------------------


def _action_form(action: str, ticket: Ticket, data=None) -> forms.ActionForm | None:
    """The form for ``action`` (None for a one-click action)."""
    registered = workflow.ticket_action(action)
    if registered is None or not registered.needs_input:
        return None
    if action == "assign":
        return forms.AssignForm(data, staff=assignable_staff(), prefix=action)
    if action in ACTION_FORMS:
        initial = {"priority": ticket.priority} if action == "set_priority" else None
        return ACTION_FORMS[action](data, initial=initial, prefix=action)
    running = [
        (item.name, item.label) for item in deadlines(ticket=ticket)
        if item.deadline.get("state") == "running"
    ]
    form_class = forms.schema_form_class(registered.schema, target_choices=running)
    return form_class(data, prefix=action)


# --- rendering --------------------------------------------------------------------------------


def _contacts(ticket: Ticket, revealed: dict[str, str] | None = None) -> list[dict]:
    """The customer's contact fields, masked (SPEC §9), and unmasked where revealed just now."""
    customer = ticket.customer
    revealed = revealed or {}
    return [
        {"field": name, "label": CONTACT_LABELS.get(name, label),
         "name": CONTACT_NAMES.get(name, label),
         "masked": mask(getattr(customer, name) or "", name), "value": revealed.get(name, "")}
        for name, label in REVEALABLE_FIELDS.items()
    ]


def page_context(request: HttpRequest, ticket: Ticket, **extra) -> dict:
    """The whole page's context (also the quote views', when a form comes back with errors)."""
    page = ticket_page(ticket=ticket, user=request.user, language=get_language() or "")
    return {
        "nav": "queues",
        "ticket": ticket,
        "page": page,
        "entries": page.timeline,
        "canned_replies": page.canned_replies,
        "reply_form": extra.pop("reply_form", None) or forms.ReplyForm(),
        "may_reveal": may_reveal_contact(user=request.user),
        "contacts": _contacts(ticket, extra.pop("revealed", None)),
        "one_click": one_click_actions(),
        **extra,
    }


def _partial(request: HttpRequest, name: str, context: dict) -> str:
    return render_to_string(f"{TEMPLATE}#{name}", context, request=request)


def header_part(request: HttpRequest, ticket: Ticket, *, oob: bool = False, **extra) -> str:
    """The header partial: status, priority, deadlines and the actions allowed now."""
    return _partial(request, "header", {
        "ticket": ticket,
        "page": {"deadlines": deadlines(ticket=ticket),
                 "actions": ticket_actions(ticket=ticket, user=request.user)},
        "one_click": one_click_actions(), "oob": oob, **extra,
    })


def timeline_part(request: HttpRequest, ticket: Ticket) -> str:
    """The timeline partial, swapped out of band."""
    return _partial(request, "timeline",
                    {"ticket": ticket, "entries": timeline(ticket=ticket), "oob": True})


def _reply_box(request: HttpRequest, ticket: Ticket, form: forms.ReplyForm, *,
               oob: bool = False, notice: str = "") -> str:
    return _partial(request, "reply_box", {
        "ticket": ticket, "reply_form": form, "canned_replies": _canned(), "oob": oob,
        "reply_notice": notice,
    })


def _request_card(request: HttpRequest, ticket: Ticket) -> str:
    return _partial(request, "request_card", {"ticket": ticket, "oob": True})


def _after_change(request: HttpRequest, ticket: Ticket, *, notice: str, level: str = "success",
                  reply_form: forms.ReplyForm | None = None) -> HttpResponse:
    """After a change (htmx): every part of the page a change can touch, read again, so that
    the page agrees with itself at once — the header (status, priority, assignee, deadlines,
    the actions allowed now), the request and result card (what was done, a cancel reason), the
    timeline, and the reply box when the ticket can no longer take replies.

    The header is the swap target of an action; after a reply the reply box is, and the header
    swaps out of band (a first response meets a deadline). The other parts always swap out of
    band. The reply box is left alone after an action otherwise, so that a reply being typed
    survives it."""
    fresh = visible_ticket(request, ticket.number)
    if reply_form is None:
        parts = [header_part(request, fresh, notice=notice, notice_level=level)]
        if fresh.status == Status.CANCELLED:
            parts.append(_reply_box(request, fresh, forms.ReplyForm(), oob=True))
    else:
        parts = [_reply_box(request, fresh, reply_form, notice=notice),
                 header_part(request, fresh, oob=True)]
    parts.append(_request_card(request, fresh))
    parts.append(_quote_card(request, fresh))
    parts.append(timeline_part(request, fresh))
    return HttpResponse("".join(parts))


def _quote_card(request: HttpRequest, ticket: Ticket) -> str:
    """The quote card, out of band: whether a quote may be proposed or answered follows the
    ticket's state (a cancelled ticket takes none)."""
    return render_to_string("workspace/ticket_quotes.html", {
        "ticket": ticket, "panel": quote_panel(ticket=ticket, user=request.user), "oob": True,
    }, request=request)


def _canned() -> list[CannedReply]:
    return canned_replies(language=get_language() or "")


# --- views ------------------------------------------------------------------------------------


@staff_required
@require_GET
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = visible_ticket(request, number)
    open_action = request.GET.get("action", "")
    allowed = dict(ticket_actions(ticket=ticket, user=request.user))
    context = {}
    if open_action in allowed:
        context = {"open_action": open_action, "action_label": allowed[open_action],
                   "action_form": _action_form(open_action, ticket)}
    return render(request, TEMPLATE, page_context(request, ticket, **context))


@staff_required
@require_http_methods(["GET", "POST"])
def ticket_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """GET: the action's small form (htmx) or the page with it open. POST: take the action."""
    ticket = visible_ticket(request, number)
    allowed = dict(ticket_actions(ticket=ticket, user=request.user))
    label = allowed.get(action) or workflow.action_label(action)
    if request.method == "GET":
        if action not in allowed:
            return _refused(request, ticket, Conflict(
                _("工单当前状态下不能执行“%(action)s”。") % {"action": label}))
        if request.htmx:
            return render(request, f"{TEMPLATE}#action_form", {
                "ticket": ticket, "open_action": action, "action_label": label,
                "action_form": _action_form(action, ticket)})
        return redirect(f"{reverse('workspace:ticket', args=[number])}?action={action}")
    form = _action_form(action, ticket, data=request.POST)
    if form is not None and not form.is_valid():
        return _action_error(request, ticket, action, label, form)
    try:
        perform_action(ticket=ticket, action=action, actor=_actor(request),
                       data=form.action_data() if form is not None else {})
    except ValidationFailed as error:
        if form is not None and error.fields:
            form.add_domain_errors(error)
            return _action_error(request, ticket, action, label, form)
        return _refused(request, ticket, error)
    except DomainError as error:
        return _refused(request, ticket, error)
    notice = _("已完成：%(action)s") % {"action": label}
    if request.htmx:
        return _after_change(request, ticket, notice=notice)
    messages.success(request, notice)
    return redirect("workspace:ticket", number=number)


def _refused(request: HttpRequest, ticket: Ticket, error: DomainError) -> HttpResponse:
    """A forbidden or out-of-date action (403/409): say so at the top and show the page as it
    is now, with the actions allowed now."""
    if request.htmx:
        response = _after_change(request, ticket, notice=error.message, level="error")
        # Whatever element asked, the answer is the header (and the timeline).
        return reswap(retarget(response, "#ticket-header"), "outerHTML")
    messages.error(request, error.message)
    return redirect("workspace:ticket", number=ticket.number)


def _action_error(request: HttpRequest, ticket: Ticket, action: str, label: str,
                  form: forms.ActionForm) -> HttpResponse:
    """The action's form again, with the messages beside its fields."""
    if request.htmx:
        response = render(request, f"{TEMPLATE}#action_form", {
            "ticket": ticket, "open_action": action, "action_label": label,
            "action_form": form})
        # htmx swaps 2xx answers only: the form goes back into its panel, not over the header.
        return reswap(retarget(response, "#action-panel"), "innerHTML")
    return render(request, TEMPLATE, page_context(request, ticket, open_action=action,
                                              action_label=label, action_form=form),
                  status=422)


@staff_required
@require_POST
def ticket_reply(request: HttpRequest, number: str) -> HttpResponse:
    """A public reply or an internal note, with attachments; files alone are attached to the
    ticket."""
    ticket = visible_ticket(request, number)
    form = forms.ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        uploads = [Upload(name=f.name or "file", content=f, size=f.size or 0)
                   for f in form.cleaned_data["files"]]
        body = form.cleaned_data["body"]
        try:
            if not body.strip() and uploads:
                add_attachments(ticket=ticket, actor=_actor(request), uploads=uploads)
            else:
                add_reply(ticket=ticket, actor=_actor(request), body=body,
                          internal=form.internal, uploads=uploads,
                          time_spent_minutes=form.cleaned_data["time_spent_minutes"])
        except DomainError as error:
            form.add_domain_errors(error)
        else:
            if not body.strip():
                notice = _("已上传附件")
            else:
                notice = _("已添加内部备注") if form.internal else _("已发送回复")
            if request.htmx:
                fresh_form = forms.ReplyForm(
                    initial={"visibility": form.cleaned_data["visibility"]})
                return _after_change(request, ticket, notice=notice, reply_form=fresh_form)
            messages.success(request, notice)
            return redirect("workspace:ticket", number=number)
    if request.htmx:
        return HttpResponse(_reply_box(request, ticket, form))
    return render(request, TEMPLATE, page_context(request, ticket, reply_form=form), status=422)


@staff_required
@require_POST
def take(request: HttpRequest, number: str) -> HttpResponse:
    """Take an unassigned ticket (an empty "my work" queue offers them): one service command,
    ``take_ticket``. Taken: on to the ticket, which is now the user's. Refused — a colleague took
    it a moment ago, a P1 waiting for approval, a role that may not take tickets — back to the
    queue with the reason, and the queue as it is now."""
    ticket = visible_ticket(request, number)
    try:
        take_ticket(ticket=ticket, actor=_actor(request))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(f"{reverse('workspace:queues')}?tab=mine")
    messages.success(request, _("已接手工单 %(number)s。") % {"number": ticket.number})
    return redirect("workspace:ticket", number=ticket.number)


@staff_required
@require_POST
def canned_text(request: HttpRequest, number: str) -> HttpResponse:
    """The reply textarea with a canned reply, rendered for this ticket, added after what was
    already typed (htmx). A POST because the text typed so far travels with it; nothing is
    stored."""
    ticket = visible_ticket(request, number)
    form = forms.CannedPickForm(request.POST)
    body = ""
    if form.is_valid():
        body = form.cleaned_data["body"]
        canned = CannedReply.objects.filter(pk=form.cleaned_data["canned"],
                                            is_active=True).first()
        if canned is not None:
            text = render_canned_reply(canned=canned, ticket=ticket, agent=request.user)
            body = f"{body.rstrip()}\n\n{text}" if body.strip() else text
    reply_form = forms.ReplyForm(initial={"body": body})
    return render(request, f"{TEMPLATE}#reply_body", {"ticket": ticket,
                                                      "reply_form": reply_form})


@staff_required
@require_POST
def reveal_contact(request: HttpRequest, number: str) -> HttpResponse:
    """Show one contact field unmasked for this page view, logged on the ticket (SPEC §9)."""
    ticket = visible_ticket(request, number)
    form = forms.RevealForm(request.POST)
    if not form.is_valid():
        raise Http404
    field = form.cleaned_data["field"]
    try:
        value = reveal_customer_contact(ticket=ticket, user=request.user, field=field,
                                        client_address=client_address(request))
    except DomainError as error:
        return _refused(request, ticket, error)
    if request.htmx:
        contact = next(c for c in _contacts(ticket, {field: value}) if c["field"] == field)
        return HttpResponse(
            _partial(request, "contact", {"ticket": ticket, "contact": contact,
                                          "may_reveal": True})
            + timeline_part(request, ticket)
        )
    return render(request, TEMPLATE, page_context(request, ticket, revealed={field: value}))


@staff_required
@require_GET
def download_attachment(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    """An attachment of a ticket the user may see, as a download with its stored type."""
    ticket = visible_ticket(request, number)
    try:
        attachment = attachment_of(ticket=ticket, attachment_id=attachment_id,
                                   public_only=False)
        return attachment_download(attachment=attachment)
    except NotFound as missing:
        raise Http404(missing.message) from None


urlpatterns = [
    path("tickets/<str:number>/", ticket_detail, name="ticket"),
    path("tickets/<str:number>/actions/<slug:action>/", ticket_action, name="ticket_action"),
    path("tickets/<str:number>/take/", take, name="ticket_take"),
    path("tickets/<str:number>/reply/", ticket_reply, name="ticket_reply"),
    path("tickets/<str:number>/canned/", canned_text, name="ticket_canned"),
    path("tickets/<str:number>/reveal/", reveal_contact, name="ticket_reveal"),
    path("tickets/<str:number>/attachments/<int:attachment_id>/", download_attachment,
         name="ticket_attachment"),
]

