"""The notification bell in the top bar and the notifications page (站内通知)."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from fivestar.notifications import inbox
from fivestar.tickets.models import Ticket
from fivestar.workspace.access import is_staff_member, staff_required
from fivestar.workspace.views.queues import htmx_aware

PAGE_SIZE = 50
#: htmx stops polling an element that answers 286.
STOP_POLLING = 286


@require_GET
def bell(request):
    """The bell fragment, loaded into the top bar and refreshed every 30 s."""
    if request.htmx and not is_staff_member(request.user):
        # Signed out (or not staff) while the page polled: stop polling, show no bell.
        return HttpResponse(status=STOP_POLLING)
    return _bell(request)


@staff_required
def _bell(request):
    count = inbox.unread_count(user=request.user)
    return render(request, "workspace/bell.html", {"unread": count})


class MarkAllReadForm(forms.Form):
    """Nothing to fill in: the button is the whole command (CSRF-checked)."""


@htmx_aware
@staff_required
@require_GET
def notification_list(request):
    unread_only = request.GET.get("show") == "unread"
    rows = inbox.notifications_for(user=request.user, unread_only=unread_only)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "workspace/notifications.html", {
        "page": page, "unread_only": unread_only,
        "today": timezone.localdate().strftime("%Y%m%d"),
        "unread": inbox.unread_count(user=request.user), "form": MarkAllReadForm(),
    })


@staff_required
@require_GET
def open_notification(request, pk: int):
    """Open one notification: it becomes read and the browser goes to its ticket (or back to
    the list when it has none). Someone else's notification is not found."""
    notification = inbox.mark_read(user=request.user, notification_id=pk)
    if notification is None:
        messages.error(request, _("没有找到这条通知。"))
        return redirect("workspace:notifications")
    about = notification.about
    if not isinstance(about, Ticket):
        return redirect("workspace:notifications")
    return redirect(_ticket_url(about.number))


def _ticket_url(number: str) -> str:
    try:
        return reverse("workspace:ticket", args=[number])
    except NoReverseMatch:  # the ticket page belongs to another module; until it is routed
        return f"/workspace/tickets/{number}/"


@staff_required
@require_POST
def mark_all_read(request):
    form = MarkAllReadForm(request.POST)
    if form.is_valid():
        count = inbox.mark_all_read(user=request.user)
        messages.success(request, ngettext(
            "已将 %(count)d 条通知标记为已读。", "已将 %(count)d 条通知标记为已读。", count
        ) % {"count": count} if count else _("没有未读通知。"))
    return redirect("workspace:notifications")


urlpatterns = [
    path("bell/", bell, name="bell"),
    path("notifications/", notification_list, name="notifications"),
    path("notifications/<int:pk>/", open_notification, name="notification_open"),
    path("notifications/read-all/", mark_all_read, name="notifications_read_all"),
]
