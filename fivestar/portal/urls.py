"""The customer portal (phone-first)."""

from django.urls import path

from fivestar.portal import views

app_name = "portal"

urlpatterns = [path("", views.home, name="home")]
