"""Bad input gets a 4xx with the JSON error body on the API and a plain page elsewhere, never a
500 or Django's debug page (issue 18 items 11, 12, 19). PostgreSQL cannot hold a NUL character
in text: on it every NUL below was a 500; on SQLite it went through."""

import json

import pytest
from django.test import Client

from tests.conftest import make_user
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(api_as):
    return api_as(make_user("agent1", "agent"))


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) >= {"code", "message", "fields"}
    return error


class TestNul:
    def test_in_the_path(self, staff):
        assert error_of(staff.get("/api/v1/tickets/SR%00"), 400)["code"] == "bad_request"

    def test_in_the_query(self, staff):
        error_of(staff.get("/api/v1/tickets", q="\x00"), 400)
        error_of(staff.get("/api/v1/tickets", assignee="a\x00b"), 400)

    def test_in_a_header(self, staff):
        response = staff.client.post(
            "/api/v1/tickets", "{}", content_type="application/json",
            headers={**staff.headers, "Idempotency-Key": "key\x00"})
        error_of(response, 400)

    def test_in_a_json_body_names_the_field(self, staff):
        ticket = TicketFactory()
        response = staff.post(f"/api/v1/tickets/{ticket.number}/replies",
                              {"body": "hello\x00world"})
        assert error_of(response, 422)["fields"] == {"body": ["不能包含 NUL 字符。"]}

    def test_in_a_nested_json_field(self, staff):
        response = staff.post("/api/v1/tickets", {
            "channel": "phone", "type": "repair", "description": "空调不制冷",
            "customer": {"name": "张\x00伟", "phone": "13800138000"}})
        assert "customer.name" in error_of(response, 422)["fields"]

    def test_in_a_form_body(self, staff):
        ticket = TicketFactory()
        response = staff.client.post(f"/api/v1/tickets/{ticket.number}/replies",
                                     {"body": "a\x00b"}, headers=staff.headers)
        error_of(response, 400)

    def test_on_a_portal_page_even_with_debug_on(self, client, settings):
        settings.DEBUG = True
        response = client.get("/portal/tickets/SR%00/")
        assert response.status_code == 400
        html = response.content.decode()
        assert "Traceback" not in html and "Django" not in html
        assert "请求有误" in html

    def test_in_a_workspace_search(self, client_for_agent):
        assert client_for_agent.get("/workspace/", {"q": "\x00"}).status_code == 400


@pytest.fixture
def client_for_agent(agent):
    client = Client()
    client.force_login(agent)
    return client


def test_a_page_past_any_offset_the_database_holds(staff):
    response = staff.get("/api/v1/tickets", page="100000000000000000")
    assert "page" in error_of(response, 422)["fields"]


def test_a_body_over_the_size_limit_is_413(staff, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"channel": "phone", "type": "repair", "description": "x" * 2000})
    response = staff.client.post("/api/v1/tickets", body, content_type="application/json",
                                 headers=staff.headers)
    assert error_of(response, 413)["code"] == "payload_too_large"


class TestUnauthenticated:
    @pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"},
                                         {"Authorization": "Basic dXNlcjpwYXNz"}])
    @pytest.mark.parametrize("method", ["get", "post"])
    def test_a_missing_or_bad_token_is_401_with_the_bearer_challenge(self, headers, method):
        # CSRF enforced as for a real client (curl): without a session it must not be the 403.
        client = Client(enforce_csrf_checks=True)
        response = getattr(client, method)("/api/v1/tickets", headers=headers)
        assert error_of(response, 401)["code"] == "unauthenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")

    def test_a_signed_in_session_still_needs_its_csrf_token(self, agent):
        client = Client(enforce_csrf_checks=True)
        client.force_login(agent)
        response = client.post("/api/v1/tickets", "{}", content_type="application/json")
        assert error_of(response, 403)["code"] == "permission_denied"


class TestUnknownPath:
    @pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/tickets/X/nothing/",
                                      "/api/v2/tickets", "/api/"])
    def test_is_the_json_404(self, staff, path):
        assert error_of(staff.get(path), 404)["code"] == "not_found"

    def test_even_with_debug_on_and_without_a_token(self, client, settings):
        settings.DEBUG = True
        error_of(client.post("/api/v1/nothing"), 404)


@pytest.mark.parametrize("method", ["delete", "put", "patch", "options"])
def test_a_method_the_path_does_not_take_is_the_json_405(staff, method):
    response = getattr(staff.client, method)("/api/v1/tickets", headers=staff.headers)
    assert error_of(response, 405)["code"] == "method_not_allowed"
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}
