"""One lockout for every sign-in form (issue 18 item 7), counted per account and address."""

import pytest
from django.test import Client

from tests.conftest import make_user
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

ADMIN = "/admin/login/"
WORKSPACE = "/workspace/login/"
PORTAL = "/portal/account/login/"


def sign_in(url: str, username: str, password: str, *, address: str = "10.0.0.1",
            **headers) -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=address, **headers)
    response = client.post(url, {"username": username, "password": password})
    return client, response


def signed_in(client: Client) -> bool:
    return bool(client.session.get("_auth_user_id"))


def fail(url: str, username: str, times: int, *, address: str = "10.0.0.1", **headers) -> None:
    for _ in range(times):
        client, _response = sign_in(url, username, "wrong-password", address=address, **headers)
        assert not signed_in(client)


@pytest.fixture
def admin_user(db):
    return make_user("boss", "administrator", is_staff=True, is_superuser=True)


@pytest.fixture
def customer_account(db):
    user = make_user("cust9", "customer")
    CustomerFactory(user=user)
    return user


def test_the_admin_login_locks_out_after_repeated_failures(admin_user, settings):
    settings.AXES_FAILURE_LIMIT = 5
    fail(ADMIN, "boss", 12)

    client, response = sign_in(ADMIN, "boss", "pw-boss")

    assert response.status_code == 429
    assert not signed_in(client)
    assert "登录失败次数过多" in response.content.decode()


def test_locked_out_of_the_workspace_means_locked_out_of_the_admin_and_the_portal(
        admin_user, customer_account, settings):
    settings.AXES_FAILURE_LIMIT = 3
    fail(WORKSPACE, "boss", 3)
    fail(WORKSPACE, "cust9", 3)

    client, response = sign_in(ADMIN, "boss", "pw-boss")
    assert response.status_code == 429 and not signed_in(client)
    client, response = sign_in(PORTAL, "cust9", "pw-cust9")
    assert response.status_code == 429 and not signed_in(client)
    assert "登录失败次数过多" in response.content.decode()


def test_failures_behind_a_shared_address_do_not_lock_out_the_colleagues(settings):
    settings.AXES_FAILURE_LIMIT = 5
    make_user("agent1", "agent")
    make_user("agent2", "agent")
    fail(WORKSPACE, "agent1", 5, address="203.0.113.9")

    client, response = sign_in(WORKSPACE, "agent2", "pw-agent2", address="203.0.113.9")

    assert response.status_code == 302 and signed_in(client)


def test_the_locked_account_still_signs_in_from_another_address(settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_user("agent1", "agent")
    fail(WORKSPACE, "agent1", 3, address="203.0.113.9")

    client, _response = sign_in(WORKSPACE, "agent1", "pw-agent1", address="203.0.113.9")
    assert not signed_in(client)
    client, response = sign_in(WORKSPACE, "agent1", "pw-agent1", address="198.51.100.7")
    assert response.status_code == 302 and signed_in(client)


def test_changing_the_case_of_the_username_does_not_start_a_new_count(settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_user("agent1", "agent")
    for name in ("agent1", "AGENT1", " Agent1 "):
        fail(WORKSPACE, name, 1)

    client, response = sign_in(WORKSPACE, "agent1", "pw-agent1")
    assert response.status_code == 429 and not signed_in(client)


def test_a_success_clears_the_failures(settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_user("agent1", "agent")
    fail(WORKSPACE, "agent1", 2)
    client, _response = sign_in(WORKSPACE, "agent1", "pw-agent1")
    assert signed_in(client)
    fail(WORKSPACE, "agent1", 2)

    client, _response = sign_in(WORKSPACE, "agent1", "pw-agent1")
    assert signed_in(client)


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_user("agent1", "agent")
    for n in range(3):
        fail(WORKSPACE, "agent1", 1, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    client, response = sign_in(WORKSPACE, "agent1", "pw-agent1",
                               HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429 and not signed_in(client)


def test_behind_a_trusted_proxy_each_client_is_counted_by_its_own_address(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    make_user("agent1", "agent")
    fail(WORKSPACE, "agent1", 3, address="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")

    client, _response = sign_in(WORKSPACE, "agent1", "pw-agent1", address="10.0.0.2",
                                HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert not signed_in(client)
    client, response = sign_in(WORKSPACE, "agent1", "pw-agent1", address="10.0.0.2",
                               HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 302 and signed_in(client)


def test_the_portal_form_does_not_tell_that_a_staff_account_exists(customer_account):
    make_user("agent5", "agent")

    _client, staff = sign_in(PORTAL, "agent5", "pw-agent5")
    _client, nobody = sign_in(PORTAL, "nobody", "whatever")
    _client, wrong = sign_in(PORTAL, "agent5", "wrong-password")

    def alert(response) -> str:
        html = response.content.decode()
        return html[html.index('role="alert"'):].split("</div>")[0]

    assert staff.status_code == nobody.status_code == wrong.status_code == 200
    assert alert(staff) == alert(nobody) == alert(wrong)
    assert "员工" not in alert(staff)
