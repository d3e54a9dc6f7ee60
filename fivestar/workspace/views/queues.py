"""The staff queues (工单队列): the workspace's front door.

One view renders the page, or — for htmx (a filter change, a tab, the 30 s refresh) — only the
``results`` partial. Reading only: no command is taken here.
"""

from dataclasses import replace
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import QueryDict
from django.shortcuts import render, resolve_url
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_htmx.http import HttpResponseClientRedirect

from fivestar.core.queryplans import planned_for_their_values
from fivestar.tickets.models import Channel, Priority, Status, TicketType
from fivestar.tickets.selectors import TicketFilters
from fivestar.tickets.services.transitions import may_take
from fivestar.workspace.access import staff_required
from fivestar.workspace.selectors import queues as selectors


def htmx_aware(view):
    """For htmx requests of a signed-out user (the session expired while the page polled):
    send the browser to the sign-in page instead of swapping the sign-in form into the page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            back = request.htmx.current_url_abs_path or resolve_url("workspace:queues")
            login = redirect_to_login(back, resolve_url(settings.LOGIN_URL))
            return HttpResponseClientRedirect(login["Location"])
        return view(request, *args, **kwargs)

    return wrapper


def ticket_url(number: str) -> str:
    """The ticket page's address (``workspace:ticket``), reversed once per process."""
    global _TICKET_URL
    if _TICKET_URL is None:
        try:
            _TICKET_URL = reverse("workspace:ticket", args=["SR-0-0"]).replace("SR-0-0", "{}")
        except NoReverseMatch:  # the ticket page is another module's; until it is routed
            return f"/workspace/tickets/{number}/"
    return _TICKET_URL.format(number)


_TICKET_URL: str | None = None


def _with_any(label, choices) -> list[tuple[str, str]]:
    return [("", label), *[(str(value), text) for value, text in choices]]


class QueueFilterForm(forms.Form):
    """The queue's filters (a GET form). An unknown value is reported beside its field and
    that filter is left out; the others still apply."""

    tab = forms.ChoiceField(
        choices=[(tab.key, tab.label) for tab in selectors.TABS], required=False,
        widget=forms.HiddenInput,
    )
    q = forms.CharField(
        label=_("搜索"), required=False, max_length=selectors.Q_MAX_LENGTH,
        widget=forms.TextInput(attrs={
            "type": "search", "placeholder": _("工单号 / 姓名 / 手机号或后四位 / 标题"),
            "autocomplete": "off",
        }),
    )
    status = forms.ChoiceField(label=pgettext_lazy("label", "状态"), required=False)
    priority = forms.ChoiceField(label=pgettext_lazy("label", "优先级"), required=False)
    type = forms.ChoiceField(label=pgettext_lazy("label", "类型"), required=False)
    channel = forms.ChoiceField(label=pgettext_lazy("label", "渠道"), required=False)
    outlet = forms.TypedChoiceField(label=pgettext_lazy("label", "服务网点"), required=False,
                                    coerce=int, empty_value=None)
    assignee = forms.ChoiceField(label=pgettext_lazy("label", "处理人"), required=False)
    product_line = forms.TypedChoiceField(label=pgettext_lazy("label", "产品线"), required=False,
                                          coerce=int, empty_value=None)
    sort = forms.ChoiceField(label=_("排序"), required=False,
                             choices=list(selectors.SORTS.items()))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["status"].choices = _with_any(_("全部状态"), Status.choices)
        fields["priority"].choices = _with_any(_("全部优先级"), Priority.choices)
        fields["type"].choices = _with_any(_("全部类型"), TicketType.choices)
        fields["channel"].choices = _with_any(_("全部渠道"), Channel.choices)
        fields["outlet"].choices = _with_any(_("全部网点"), selectors.outlet_choices())
        fields["product_line"].choices = _with_any(
            _("全部产品线"), selectors.product_line_choices()
        )
        fields["assignee"].choices = [
            ("", _("全部处理人")), ("me", _("我")), ("none", _("未指派")),
            *[(str(pk), name) for pk, name in selectors.assignee_choices()],
        ]

    def filters(self) -> selectors.QueueFilters:
        """The valid part of the submitted filters."""
        data = {}
        if self.is_bound:
            self.is_valid()  # invalid fields are left out of cleaned_data, and reported
            data = self.cleaned_data
        assignee = data.get("assignee") or ""
        return selectors.QueueFilters(
            tab=data.get("tab") or "mine",
            sort=data.get("sort") or "due",
            tickets=TicketFilters(
                statuses=_one(data.get("status")),
                priorities=_one(data.get("priority")),
                types=_one(data.get("type")),
                channels=_one(data.get("channel")),
                outlet_id=data.get("outlet"),
                assignee=assignee if assignee in ("me", "none") else "",
                assignee_id=int(assignee) if assignee.isdigit() else None,
                product_line_id=data.get("product_line"),
                q=data.get("q") or "",
            ),
        )

    @property
    def active_count(self) -> int:
        """How many filters (beyond the tab, the search and the sort) narrow the queue."""
        if not self.is_bound:
            return 0
        names = ("status", "priority", "type", "channel", "outlet", "assignee", "product_line")
        return sum(1 for name in names if self.cleaned_data.get(name) not in (None, ""))


def _one(value: str | None) -> tuple[str, ...]:
    return (value,) if value else ()


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _clean_query(request, form: QueueFilterForm) -> QueryDict:
    """The query without its empty or unknown fields: the address the browser shows and the
    page polls."""
    query = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        if name in form.fields or name == "page":
            kept = [value for value in values if value.strip()]
            if kept:
                query.setlist(name, kept[:1])
    return query


def _suggestions(request, *, filters, empty: bool, searching: bool, now) -> list:
    """An empty "my work" queue (a new agent's first day, a quiet hour) offers the unassigned
    tickets with the nearest deadlines to take — to those whose roles may take tickets."""
    if filters.tab != "mine" or not empty or searching or not may_take(user=request.user):
        return []
    rows = selectors.tickets_to_take(user=request.user, now=now)
    return [replace(row, url=ticket_url(row.ticket.number)) for row in rows]


@htmx_aware
@staff_required
@planned_for_their_values()
def queue(request):
    form = QueueFilterForm(request.GET or None)
    filters = form.filters()
    now = timezone.now()
    counts = selectors.queue_counts(user=request.user, filters=filters, now=now)
    page = selectors.queue_page(
        user=request.user, filters=filters, page=_page_number(request),
        total=counts[filters.tab], dated=counts["dated"],
        more=filters.tab == "all" and counts["all_more"], matches=counts["all_matches"],
        now=now,
    )
    page.rows[:] = [replace(row, url=ticket_url(row.ticket.number)) for row in page.rows]
    tabs = [
        {"key": tab.key, "label": tab.label, "count": counts[tab.key],
         "more": tab.key == "all" and counts["all_more"], "current": tab.key == filters.tab}
        for tab in selectors.TABS
    ]
    current_tab = next(tab for tab in selectors.TABS if tab.key == filters.tab)
    query = _clean_query(request, form)
    poll_url = request.path + (f"?{query.urlencode()}" if query else "")
    searching = bool(filters.q.strip()) or form.active_count > 0
    context = {
        "query": query, "poll_url": poll_url,
        "nav": "queues", "form": form, "filters": filters, "tabs": tabs,
        "current_tab": current_tab, "page": page, "now": now, "searching": searching,
        "suggestions": _suggestions(request, filters=filters, empty=not page.total,
                                    searching=searching, now=now),
        "unassigned_count": counts["unassigned"],
    }
    template = "workspace/queues.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    response = render(request, template, context)
    if request.htmx and not request.htmx.history_restore_request and (
        request.htmx.trigger != "queue-poll"
    ):
        # A filter, a tab or a page link: the history gets the address without empty fields.
        # The 30 s refresh (the element ``queue-poll``) pushes nothing.
        response["HX-Push-Url"] = poll_url
    return response


urlpatterns = [
    path("", queue, name="queues"),
]
