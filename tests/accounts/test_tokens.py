"""A token's user and roles are kept for a few seconds per process (accounts.selectors);
whatever changes them through the application is seen by the very next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fivestar.accounts import selectors
from fivestar.accounts.models import ApiToken, Role, RoleCode
from fivestar.accounts.selectors import user_for_token
from fivestar.accounts.services import create_api_token, grant_roles, revoke_api_tokens
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_a_known_token_costs_no_statement_and_gives_a_fresh_user_each_time():
    agent = make_user("agent7", "agent")
    raw = create_api_token(user=agent)[1]
    first = user_for_token(raw=raw)

    with CaptureQueriesContext(connection) as captured:
        second = user_for_token(raw=raw)

    assert captured.captured_queries == []
    assert second == first == agent and second is not first
    assert second.role_codes() == {RoleCode.AGENT}


def test_a_revoked_token_is_refused_at_once():
    agent = make_user("agent7", "agent")
    raw = create_api_token(user=agent)[1]
    assert user_for_token(raw=raw) == agent

    revoke_api_tokens(tokens=ApiToken.objects.filter(user=agent))

    assert user_for_token(raw=raw) is None


def test_a_deactivated_user_and_a_changed_role_are_seen_at_once():
    agent = make_user("agent7", "agent")
    raw = create_api_token(user=agent)[1]
    assert user_for_token(raw=raw).role_codes() == {RoleCode.AGENT}

    grant_roles(user=agent, roles=["supervisor"])
    assert user_for_token(raw=raw).role_codes() == {RoleCode.AGENT, RoleCode.SUPERVISOR}
    agent.roles.remove(Role.objects.get(code=RoleCode.SUPERVISOR))
    assert user_for_token(raw=raw).role_codes() == {RoleCode.AGENT}

    agent.is_active = False
    agent.save()
    assert user_for_token(raw=raw) is None


def test_a_kept_token_is_read_again_after_its_time(monkeypatch):
    agent = make_user("agent7", "agent")
    raw = create_api_token(user=agent)[1]
    assert user_for_token(raw=raw) == agent
    # Revoked behind the application's back (another process without a shared cache).
    ApiToken.objects.filter(user=agent).update(revoked_at="2026-01-01T00:00:00Z")
    assert user_for_token(raw=raw) == agent

    later = selectors.time.monotonic() + selectors.TOKEN_CACHE_SECONDS + 1
    monkeypatch.setattr(selectors.time, "monotonic", lambda: later)

    assert user_for_token(raw=raw) is None


def test_use_is_still_recorded():
    agent = make_user("agent7", "agent")
    token, raw = create_api_token(user=agent)
    user_for_token(raw=raw)
    user_for_token(raw=raw)

    token.refresh_from_db()
    assert token.last_used_at is not None
