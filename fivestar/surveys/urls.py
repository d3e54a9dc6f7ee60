"""The customer's personal survey link (no sign-in)."""

from django.urls import path

from fivestar.surveys.views import answer

app_name = "surveys"

urlpatterns = [
    path("<str:token>/", answer, name="answer"),
]
