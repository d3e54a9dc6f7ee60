from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from fivestar.api import api, unknown_path
from fivestar.views import home

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/", csrf_exempt(unknown_path)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("workspace/", include("fivestar.workspace.urls")),
    path("portal/", include("fivestar.portal.urls")),
    path("survey/", include("fivestar.surveys.urls")),
]
