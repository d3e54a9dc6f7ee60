import pytest
from django.test import Client

from fivestar.accounts.models import User
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_staff_sign_in_lands_on_the_front_door():
    make_user("agent9", "agent")
    client = Client()
    response = client.post("/workspace/login/", {"username": "agent9", "password": "pw-agent9"})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_wrong_password_is_told_beside_the_form_and_nothing_is_signed_in():
    make_user("agent9", "agent")
    client = Client()
    response = client.post("/workspace/login/", {"username": "agent9", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not client.session.get("_auth_user_id")


def test_repeated_failures_lock_the_account_for_a_while_even_with_the_right_password(settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_user("agent9", "agent")
    client = Client()
    for _ in range(3):
        client.post("/workspace/login/", {"username": "agent9", "password": "nope"})
    response = client.post("/workspace/login/", {"username": "agent9", "password": "pw-agent9"})
    assert response.status_code == 429
    assert "登录失败次数过多，请 15 分钟后再试。" in response.content.decode()
    assert not client.session.get("_auth_user_id")


def test_a_customer_account_cannot_open_the_staff_workspace():
    make_user("cust9", "customer")
    client = Client()
    client.force_login(User.objects.get(username="cust9"))
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/portal/")
