"""One lockout for every password form: the staff workspace, the admin and the portal.

django-axes does the counting: its authentication backend runs before the password check and
refuses every form once an account has failed ``LOGIN_FAILURE_LIMIT`` times from one address
inside ``LOGIN_FAILURE_WINDOW`` (settings ``AXES_*``). Failures are counted per account *and*
address together, in the database every server process shares: a colleague's typos behind the
office's shared NAT address do not lock anyone else out, and an account locked out of one form
is locked out of all of them, because they all go through ``django.contrib.auth.authenticate``.

This module holds what the forms share: the message beside the form, and the hooks axes calls
(the username it counts, the client address, the answer once locked out).
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fivestar.core.network import client_address

LOCKED_OUT = _("登录失败次数过多，请 %(minutes)s 分钟后再试。")


def lockout_minutes() -> int:
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None) or timedelta(minutes=15)
    return max(1, int(cool_off.total_seconds() // 60))


def is_locked_out(request: HttpRequest | None) -> bool:
    """Whether axes refused (or has just locked out) this sign-in attempt."""
    return bool(request is not None and getattr(request, "axes_locked_out", False))


class LockoutMessageMixin(AuthenticationForm):
    """A sign-in form that says "too many failures, try again in N minutes" beside the form
    when axes has locked the account out from this address, instead of "wrong password"."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if is_locked_out(self.request):
                raise forms.ValidationError(LOCKED_OUT, code="throttled",
                                            params={"minutes": lockout_minutes()}) from None
            raise


# --- hooks named in settings.AXES_* -----------------------------------------------------------


def lockout_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The account an attempt counts against: "Wang " and "wang" are one account here."""
    raw = (credentials or {}).get("username") if credentials else request.POST.get("username")
    return raw.strip().lower() if isinstance(raw, str) else None


def lockout_client_address(request: HttpRequest) -> str | None:
    return client_address(request) or None


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """429 Too Many Requests. A sign-in page already says why beside its form
    (``LockoutMessageMixin``) and is kept; anything else gets the message as text."""
    if original_response is not None and original_response.get(
            "Content-Type", "").startswith("text/html"):
        original_response.status_code = 429
        return original_response
    return HttpResponse(gettext(LOCKED_OUT) % {"minutes": lockout_minutes()}, status=429,
                        content_type="text/plain; charset=utf-8")


class AdminSignInForm(LockoutMessageMixin, AdminAuthenticationForm):
    """The back office's sign-in form, under the same lockout."""
