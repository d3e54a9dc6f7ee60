"""The portal's front page: what a customer can do here, and the hotline."""

from django.shortcuts import render
from django.urls import path

from fivestar.portal.session import portal_customer


def home(request):
    return render(request, "portal/home.html", {"customer": portal_customer(request)})


urlpatterns = [path("", home, name="home")]
