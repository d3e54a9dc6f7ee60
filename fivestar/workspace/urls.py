"""The staff workspace: every concept module contributes its own routes."""

from fivestar.workspace.views import (
    auth,
    bell,
    console,
    intake,
    queues,
    quotes,
    satisfaction,
    surveys,
    ticket,
)

app_name = "workspace"

urlpatterns = [
    *auth.urlpatterns, *intake.urlpatterns, *ticket.urlpatterns, *queues.urlpatterns,
    *console.urlpatterns, *bell.urlpatterns, *quotes.urlpatterns,
    *surveys.urlpatterns, *satisfaction.urlpatterns,
]
