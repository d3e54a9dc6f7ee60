"""我的账户 (optional): sign in by phone and a one-time code, or with a portal account's
username and password; then every ticket and unit of that customer, and sign out."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fivestar.core.errors import DomainError
from fivestar.core.network import client_address
from fivestar.customers.masking import mask
from fivestar.portal.forms import CodeForm, PhoneForm, PortalLoginForm
from fivestar.portal.models import CodePurpose
from fivestar.portal.progress import next_promise
from fivestar.portal.selectors import customer_tickets, customer_units
from fivestar.portal.services import code_ttl, send_follow_code, verify_follow_code
from fivestar.portal.session import (
    forget_pending,
    pending,
    portal_customer,
    remember_pending,
    sign_in_customer,
    sign_out,
)
from fivestar.surveys.selectors import points_balance
from fivestar.surveys.services import pending_for_customer


def _sign_in_page(request, *, phone_form=None, login_form=None, status=200):
    return render(request, "portal/sign_in.html", {
        "phone_form": phone_form or PhoneForm(),
        "login_form": login_form or PortalLoginForm(request),
        "open_password": login_form is not None,
    }, status=status)


@require_GET
def account(request):
    customer = portal_customer(request)
    if customer is None:
        return _sign_in_page(request)
    tickets = [(ticket, next_promise(ticket=ticket)) for ticket in customer_tickets(
        customer=customer)]
    return render(request, "portal/account.html", {
        "customer": customer,
        "tickets": tickets,
        "units": customer_units(customer=customer),
        "surveys_pending": pending_for_customer(customer_id=customer.pk).count(),
        "points": points_balance(customer_id=customer.pk),
    })


@require_POST
def send_code(request):
    form = PhoneForm(request.POST)
    if form.is_valid():
        try:
            send_follow_code(purpose=CodePurpose.ACCOUNT, phone=form.cleaned_data["phone"],
                             address=client_address(request))
        except DomainError as error:
            form.add_domain_errors(error)
        else:
            remember_pending(request, purpose=CodePurpose.ACCOUNT,
                             phone=form.cleaned_data["phone"])
            return redirect("portal:account_verify")
    return _sign_in_page(request, phone_form=form)


@require_http_methods(["GET", "POST"])
def verify(request):
    waiting = pending(request, CodePurpose.ACCOUNT)
    if waiting is None:
        return redirect("portal:account")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = verify_follow_code(purpose=CodePurpose.ACCOUNT, phone=waiting["phone"],
                                     code=form.cleaned_data["code"],
                                     address=client_address(request))
        except DomainError as error:
            form.add_domain_errors(error)
        else:
            forget_pending(request)
            sign_in_customer(request, row.customer)
            return redirect("portal:account")
    return render(request, "portal/code.html", {
        "form": form, "purpose": CodePurpose.ACCOUNT,
        "masked_phone": mask(waiting["phone"], "phone"),
        "minutes": int(code_ttl().total_seconds() // 60),
        "resend_url": "portal:account_resend", "back_url": "portal:account",
    })


@require_POST
def resend(request):
    waiting = pending(request, CodePurpose.ACCOUNT)
    if waiting is None:
        return redirect("portal:account")
    try:
        send_follow_code(purpose=CodePurpose.ACCOUNT, phone=waiting["phone"],
                         address=client_address(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("验证码已重新发送。"))
    return redirect("portal:account_verify")


@require_POST
def password_login(request):
    form = PortalLoginForm(request, data=request.POST)
    if form.is_valid():
        login(request, form.get_user())
        return redirect("portal:account")
    return _sign_in_page(request, login_form=form)


@require_POST
def logout(request):
    sign_out(request)
    messages.success(request, _("您已安全退出。"))
    return redirect("portal:home")


urlpatterns = [
    path("account/", account, name="account"),
    path("account/code/", send_code, name="account_code"),
    path("account/verify/", verify, name="account_verify"),
    path("account/resend/", resend, name="account_resend"),
    path("account/login/", password_login, name="account_login"),
    path("account/logout/", logout, name="account_logout"),
]
