from django.contrib import admin
from django.urls import include, path

from fivestar.api import api
from fivestar.views import home

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("workspace/", include("fivestar.workspace.urls")),
    path("portal/", include("fivestar.portal.urls")),
]
