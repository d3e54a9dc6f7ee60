from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from fivestar.api import api

urlpatterns = [
    # Until the staff workspace lands, the back office is the front door.
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
