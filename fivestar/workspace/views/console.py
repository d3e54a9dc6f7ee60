"""The supervisor console (主管控制台): approvals, breaches by team, load, unassigned work.

Two commands, each one ticket action (``perform_action``): approve a P1 assignment
(``approve``) and give a ticket to someone (``assign``). With htmx only the row is swapped,
with the result or the error in place; without it the browser comes back to the console with
a flash message.

The page refreshes itself every 30 seconds like the queues: htmx asks for the console again and
gets only its ``body`` partial; queues.js skips a round while the tab is hidden or a form in the
console is in use, and keeps a person chosen in a reassign list across the refresh.
"""

from dataclasses import dataclass, replace

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fivestar.accounts.models import RoleCode, User
from fivestar.core.errors import DomainError, NotFound
from fivestar.core.queryplans import planned_for_their_values
from fivestar.tickets.actions import perform_action
from fivestar.tickets.models import Status, Ticket
from fivestar.tickets.selectors import ticket_for_user
from fivestar.tickets.services import Actor
from fivestar.tickets.workflow import action_permitted
from fivestar.workspace.access import roles_required
from fivestar.workspace.selectors import console as selectors
from fivestar.workspace.selectors.queues import QueueRow, open_clocks_prefetch, queue_row
from fivestar.workspace.views.queues import htmx_aware, ticket_url

console_roles = roles_required(*selectors.CONSOLE_ROLES)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), label=gettext_lazy("派给"),
        error_messages={
            "required": gettext_lazy("请选择处理人。"),
            "invalid_choice": gettext_lazy("请从列表中选择本部门的人员。"),
        },
    )

    def __init__(self, *args, staff: list[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(pk__in=[p.pk for p in staff])


class ApproveForm(forms.Form):
    """Nothing to fill in: the confirmed button is the whole command (CSRF-checked)."""


@dataclass(frozen=True)
class WorkItem:
    """A console row: the ticket with its countdown, and whether the viewer may assign it (to
    whom: ``assign_options``, the options of its select)."""

    row: QueueRow
    can_assign: bool
    can_approve: bool
    message: str = ""
    error: str = ""
    assign_options: str = ""


def staff_options(groups: list[dict]) -> dict[str, str]:
    """The options of the assign select, by department: ``"all"`` the people, ``"senior"`` the
    senior technicians (who alone take a P1, SPEC §4). Rendered once per page and shared by
    its rows: a console lists up to 75 rows, and a manager's staff are hundreds — rendered
    per row in the template they cost seconds."""
    def render(seniors_only: bool) -> str:
        return format_html_join("", '<optgroup label="{}">{}</optgroup>', (
            (group["name"], format_html_join("", '<option value="{}">{}{}</option>', (
                (entry["person"].pk, entry["person"], _("（在办 %(open)s）") % {
                    "open": entry["open"]})
                for entry in people
            )))
            for group in groups
            if (people := [e for e in group["people"] if e["is_senior"] or not seniors_only])
        ))

    return {"all": render(False), "senior": render(True)}


def _item(row: QueueRow, *, user: User, options: dict[str, str] | None = None,
          message: str = "", error: str = "") -> WorkItem:
    ticket = row.ticket
    can_assign = action_permitted(ticket=ticket, action="assign", user=user)
    assign_options = ""
    if can_assign and options:
        assign_options = options["senior" if ticket.priority == "P1" else "all"]
        if ticket.assignee_id:  # the one who holds it is not offered again
            held = f'<option value="{ticket.assignee_id}">'
            # The options were escaped when rendered; only an attribute is added.
            assign_options = mark_safe(
                assign_options.replace(held, held[:-1] + " disabled>")
            )
    return WorkItem(row=replace(row, url=ticket_url(ticket.number)), can_assign=can_assign,
                    can_approve=action_permitted(ticket=ticket, action="approve", user=user),
                    message=message, error=error, assign_options=assign_options)


def _items(rows: list[QueueRow], *, user: User, options: dict[str, str]) -> list[WorkItem]:
    return [_item(row, user=user, options=options) for row in rows]


def _staff_groups(loads: list[selectors.StaffLoad]) -> list[dict]:
    """People for the assign select, by department, each with their open count."""
    groups: dict[object, dict] = {}
    for load in loads:
        department = load.person.department
        key = department.pk if department else None
        group = groups.setdefault(key, {
            "name": department.name if department else _("未分配部门"), "people": [],
        })
        group["people"].append({
            "person": load.person, "open": load.open,
            "is_senior": RoleCode.SENIOR_TECHNICIAN in load.roles,
        })
    return list(groups.values())


def _team_context(request) -> dict:
    scope = selectors.console_scope(user=request.user)
    staff = selectors.team_staff(scope=scope)
    loads = selectors.staff_load(staff=staff)
    groups = _staff_groups(loads)
    return {"scope": scope, "staff": staff, "loads": loads, "staff_groups": groups,
            "staff_options": staff_options(groups)}


@htmx_aware
@console_roles
@require_GET
@planned_for_their_values()
def console(request):
    now = timezone.now()
    team = _team_context(request)
    scope, user = team["scope"], request.user
    approvals = selectors.approvals_waiting(user=user, scope=scope, now=now)
    teams = selectors.sla_by_team(user=user, scope=scope, now=now)
    risky = selectors.at_risk(user=user, scope=scope, teams=teams, now=now)
    unassigned = selectors.unassigned_work(user=user, scope=scope, now=now)
    busiest = max((load.open for load in team["loads"]), default=0)
    template = "workspace/console.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#body"  # the 30 s refresh
    return render(request, template, {
        **team, "nav": "console", "now": now,
        "approvals": approvals,
        "approval_items": _items(approvals.rows, user=user, options=team["staff_options"]),
        "teams": teams, "risky": risky,
        "risky_items": _items(risky.rows, user=user, options=team["staff_options"]),
        "unassigned": unassigned,
        "unassigned_items": _items(unassigned.rows, user=user, options=team["staff_options"]),
        "totals": {
            "approvals": approvals.total,
            "breached": sum(t.breached for t in teams),
            "warning": sum(t.warning for t in teams),
            "unassigned": unassigned.total,
        },
        "load_max": max(busiest, 1),
    })


def _reloaded_row(ticket: Ticket) -> QueueRow:
    now = timezone.now()
    fresh = (
        Ticket.objects.select_related(
            "customer", "assignee", "assignee__department", "pending_assignee", "department",
            "product_model",
        ).prefetch_related(open_clocks_prefetch()).get(pk=ticket.pk)
    )
    return queue_row(fresh, now=now)


def _ticket_or_404(request, number: str) -> Ticket:
    try:
        return ticket_for_user(number=number, user=request.user)
    except NotFound as error:
        raise Http404(error.message) from error


SECTIONS = ("risk", "unassigned")


def _answer(request, *, partial: str, item: WorkItem, extra: dict | None = None):
    """The swapped row for htmx; otherwise back to the console with the outcome as a flash."""
    if request.htmx:
        section = request.POST.get("section")
        return render(request, f"workspace/console.html#{partial}", {
            "item": item, "section": section if section in SECTIONS else SECTIONS[-1],
            **(extra or {}),
        })
    if item.error:
        messages.error(request, f"{item.row.ticket.number}：{item.error}")
    else:
        messages.success(request, item.message)
    return redirect(reverse("workspace:console") + ("#approvals" if partial == "approval-row"
                                                    else "#unassigned"))


@htmx_aware
@console_roles
@require_POST
def assign(request, number: str):
    ticket = _ticket_or_404(request, number)
    team = _team_context(request)
    form = AssignForm(request.POST, staff=team["staff"])
    message = error = ""
    if form.is_valid():
        person = form.cleaned_data["assignee"]
        try:
            perform_action(ticket=ticket, action="assign", actor=Actor(user=request.user),
                           data={"assignee": person.username})
        except DomainError as failure:
            error = " ".join([failure.message, *failure.fields.get("assignee", [])])
        else:
            message = (
                _("已提交审批：建议派给 %(name)s。")
                if ticket.status == Status.AWAITING_APPROVAL else _("已派给 %(name)s。")
            ) % {"name": person}
            team = _team_context(request)  # the loads changed
    else:
        error = " ".join(form.errors.get("assignee", []))
    item = _item(_reloaded_row(ticket), user=request.user, options=team["staff_options"],
                 message=message, error=error)
    return _answer(request, partial="work-row", item=item, extra=team)


@htmx_aware
@console_roles
@require_POST
def approve(request, number: str):
    ticket = _ticket_or_404(request, number)
    message = error = ""
    approved = False
    if ApproveForm(request.POST).is_valid():
        try:
            perform_action(ticket=ticket, action="approve", actor=Actor(user=request.user))
        except DomainError as failure:
            error = failure.message
        else:
            approved = True
    row = _reloaded_row(ticket)
    if approved:
        message = _("已批准，工单已派给 %(name)s。") % {"name": row.ticket.assignee}
    item = _item(row, user=request.user, message=message, error=error)
    return _answer(request, partial="approval-row", item=item)


urlpatterns = [
    path("console/", console, name="console"),
    path("console/tickets/<str:number>/assign/", assign, name="console_assign"),
    path("console/tickets/<str:number>/approve/", approve, name="console_approve"),
]
