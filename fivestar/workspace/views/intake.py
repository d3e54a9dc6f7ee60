"""Phone intake (来电登记): an agent on a call records the request as a ticket.

The page: the phone number finds the caller (htmx), the agent picks a unit or types a new one,
describes the problem while the proposed priority follows the text (htmx), and submits with the
keyboard. Creation goes through ``tickets.services.create_ticket`` exactly as the API does, with
the form's one-time idempotency key standing in for the ``Idempotency-Key`` header: a double
submit returns the first ticket and creates nothing.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fivestar.core.errors import Conflict, DomainError
from fivestar.tickets.models import Priority
from fivestar.tickets.priority import propose_priority
from fivestar.tickets.services import create_ticket
from fivestar.workspace.access import staff_required
from fivestar.workspace.forms import IntakeForm, LookupForm, ModelSearchForm, PriorityHintForm
from fivestar.workspace.selectors.intake import (
    Caller,
    caller_for_phone,
    is_new_caller,
    product_model_choices,
    unit_of_customer,
)

TEMPLATE = "workspace/intake.html"


def _default_unit(caller: Caller) -> str:
    """The unit picked before the agent picks: the caller's only unit, a new one for a caller
    without units, none when there are several to choose from."""
    if len(caller.units) == 1:
        return str(caller.units[0].unit.pk)
    return "" if caller.units else "new"


def _page(request: HttpRequest, form: IntakeForm, *, status: int = 200) -> HttpResponse:
    data = form.data if form.is_bound else {}
    caller = caller_for_phone(phone=data.get("phone", ""), user=request.user)
    hint = _hint(" ".join(data.get(name, "") for name in ("title", "description", "demand")))
    return render(request, TEMPLATE, {
        "nav": "intake",
        "form": form,
        "caller": caller,
        "selected_unit": data.get("unit", "") if form.is_bound else _default_unit(caller),
        "models": product_model_choices(query=data.get("product_model", "")),
        "hint": hint,
        "priority_choice": data.get("priority", ""),
        "priorities": Priority.choices,
    }, status=status)


def _hint(text: str) -> dict:
    priority, matched = propose_priority(text=text)
    return {"priority": priority, "label": Priority(priority).label, "matched": matched,
            "has_text": bool(text.strip())}


@staff_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, IntakeForm(initial={"idempotency_key": IntakeForm.new_key()}))
    form = IntakeForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=422)
    unit = None
    if form.cleaned_data["unit"] not in ("", "new"):
        unit = unit_of_customer(unit_id=int(form.cleaned_data["unit"]),
                                phone=form.cleaned_data["phone"])
        if unit is None:
            form.add_error("unit", _("这台设备不属于该来电号码的客户，请重新选择。"))
            return _page(request, form, status=422)
    try:
        result = create_ticket(
            request=form.ticket_request(
                unit=unit, new_caller=is_new_caller(phone=form.cleaned_data["phone"])
            ),
            actor=request.user, actor_kind="staff",
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
    except Conflict as error:
        # The key was used for a different request: this form was sent before, then changed.
        form.add_error(None, error.message)
        form.add_error(None, _("这张表单已经提交过。请核对后重新提交，将作为新工单登记。"))
        data = form.data.copy()
        data["idempotency_key"] = IntakeForm.new_key()
        form.data = data
        return _page(request, form, status=409)
    except DomainError as error:
        if unit is not None:
            form.domain_field_map = {**form.domain_field_map, "product_model": "unit",
                                     "serial_number": "unit"}
        form.add_domain_errors(error)
        return _page(request, form, status=422)
    ticket = result.ticket
    if result.created:
        messages.success(request, _("已创建工单 %(number)s") % {"number": ticket.number})
    else:
        messages.info(request,
                      _("工单 %(number)s 已创建，未重复登记。") % {"number": ticket.number})
    return redirect("workspace:ticket", number=ticket.number)


@staff_required
@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """The caller's panel for the number typed so far (htmx)."""
    form = LookupForm(request.GET)
    phone = form.cleaned_data["phone"] if form.is_valid() else ""
    caller = caller_for_phone(phone=phone, user=request.user)
    context = {
        "form": IntakeForm(initial={"phone": phone}),
        "caller": caller,
        "selected_unit": _default_unit(caller),
        "models": product_model_choices(),
    }
    # The panel under the number, and the caller's history in its own column (out of band).
    return HttpResponse(
        render_to_string(f"{TEMPLATE}#caller", context, request=request)
        + render_to_string(f"{TEMPLATE}#history", {**context, "oob": True}, request=request)
    )


@staff_required
@require_POST
def priority_hint(request: HttpRequest) -> HttpResponse:
    """The priority proposed from the text typed so far, with the keywords that matched (htmx).
    Keeps the agent's own choice in the priority select."""
    form = PriorityHintForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    text = " ".join(data.get(name, "") for name in ("title", "description", "demand"))
    return render(request, f"{TEMPLATE}#priority", {
        "form": IntakeForm(),
        "hint": _hint(text),
        "priority_choice": data.get("priority", ""),
        "priorities": Priority.choices,
    })


@staff_required
@require_GET
def model_options(request: HttpRequest) -> HttpResponse:
    """Product models matching what was typed, as <option>s of the typeahead (htmx)."""
    form = ModelSearchForm(request.GET)
    query = form.cleaned_data["product_model"] if form.is_valid() else ""
    return render(request, f"{TEMPLATE}#model_options",
                  {"models": product_model_choices(query=query)})


urlpatterns = [
    path("intake/", intake, name="intake"),
    path("intake/caller/", lookup, name="intake_caller"),
    path("intake/priority/", priority_hint, name="intake_priority"),
    path("intake/models/", model_options, name="intake_models"),
]
