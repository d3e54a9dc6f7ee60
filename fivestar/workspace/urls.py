"""The staff workspace: every concept module contributes its own routes."""

from fivestar.workspace.views import auth

app_name = "workspace"

urlpatterns = [*auth.urlpatterns]
