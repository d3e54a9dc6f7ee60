"""The front door: staff go to their workspace, everyone else to the customer portal."""

from django.shortcuts import redirect

from fivestar.workspace.access import is_staff_member


def home(request):
    if is_staff_member(request.user):
        return redirect("workspace:queues")
    return redirect("portal:home")
