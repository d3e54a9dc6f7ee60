"""Staff sign-in and sign-out. Failed attempts lock the account out from that address
(``fivestar.core.signin``: one lockout for every sign-in form)."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.urls import path, reverse_lazy

from fivestar.core.signin import LockoutMessageMixin


class StaffSignInForm(LockoutMessageMixin, AuthenticationForm):
    pass


class StaffLoginView(auth_views.LoginView):
    template_name = "workspace/login.html"
    authentication_form = StaffSignInForm
    redirect_authenticated_user = True


urlpatterns = [
    path("login/", StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page=reverse_lazy("workspace:login")),
         name="logout"),
]
