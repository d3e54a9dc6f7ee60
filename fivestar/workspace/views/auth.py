"""Staff sign-in and sign-out, with failed attempts throttled per account and per address."""

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from fivestar.core.throttle import Throttle


def failed_logins() -> Throttle:
    return Throttle(scope="login", limit=settings.LOGIN_FAILURE_LIMIT,
                    window_seconds=settings.LOGIN_FAILURE_WINDOW)


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses to check a password once an account or an address has failed too often."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("登录失败次数过多，请 %(minutes)s 分钟后再试。"),
    }

    def clean(self):
        username = (self.data.get("username") or "").strip().lower()
        keys = [f"user:{username}", f"addr:{client_address(self.request)}"]
        if any(failed_logins().blocked(key) for key in keys):
            raise forms.ValidationError(
                self.error_messages["throttled"], code="throttled",
                params={"minutes": settings.LOGIN_FAILURE_WINDOW // 60},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            for key in keys:
                failed_logins().hit(key)
            raise
        failed_logins().reset(keys[0])
        return cleaned


class StaffLoginView(auth_views.LoginView):
    template_name = "workspace/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


urlpatterns = [
    path("login/", StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page=reverse_lazy("workspace:login")),
         name="logout"),
]
