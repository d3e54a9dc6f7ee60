"""Shared fixtures: staff users by role, a customer, an API client with a bearer token."""

import pytest
from django.test import Client

from fivestar.accounts.models import User
from fivestar.accounts.services import create_api_token, grant_roles


@pytest.fixture(autouse=True)
def _empty_cache():
    # Cached copies of data (priority rules…) must not outlive the test that rolled them back.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    # A request with Accept-Language: en leaves English active in the thread (LocaleMiddleware);
    # every test starts in the default language, whatever ran before it in this worker.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media_and_mail_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.SMS_DIR = tmp_path / "sms"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher takes about a second per user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# What the data migrations seed and the pages and messages need; a transactional test that ran
# before may have flushed it away. Every seed is idempotent.
SEEDS = (
    "fivestar.accounts.migrations.0003_seed_roles_departments",
    "fivestar.sla.migrations.0002_default_calendars",
    "fivestar.sla.migrations.0004_default_policies",
    "fivestar.notifications.migrations.0002_seed_templates",
    "fivestar.portal.migrations.0002_code_message_templates",
    "fivestar.dispatch.migrations.0002_quote_message_templates",
    "fivestar.surveys.migrations.0002_default_template",
)


@pytest.fixture
def reseeded(transactional_db):
    """The seeded roles, calendars, policies and message templates, back after a flush."""
    from importlib import import_module

    from django.apps import apps

    for name in SEEDS:
        import_module(name).seed(apps, None)


def make_user(username: str, *roles: str, **fields) -> User:
    user = User.objects.create_user(username=username, password="pw-" + username, **fields)
    grant_roles(user=user, roles=list(roles))
    return user


@pytest.fixture
def agent(db):
    return make_user("agent1", "agent", display_name="王客服")


@pytest.fixture
def supervisor(db):
    return make_user("super1", "supervisor", display_name="李主管")


@pytest.fixture
def technician(db):
    return make_user("tech1", "technician", display_name="赵师傅")


@pytest.fixture
def senior_technician(db):
    return make_user("senior1", "senior_technician", display_name="钱工")


@pytest.fixture
def warehouse_keeper(db):
    return make_user("store1", "warehouse_keeper", display_name="孙库管")


class ApiClient:
    """A test client that speaks JSON and sends a bearer token."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, **params):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path, data=None, headers=None):
        return self.client.post(path, data or {}, content_type="application/json",
                                headers={**self.headers, **(headers or {})})

    def upload(self, path, files):
        return self.client.post(path, files, headers=self.headers)


@pytest.fixture
def api_as():
    def make(user: User | None) -> ApiClient:
        if user is None:
            return ApiClient(None)
        _token, raw = create_api_token(user=user)
        return ApiClient(raw)

    return make
