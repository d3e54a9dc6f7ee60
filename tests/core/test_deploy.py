"""Production defaults with DEBUG off (issue 18 item 15): HTTPS only — redirect, HSTS, Secure
cookies — unless HTTPS_ONLY=0 says otherwise, and ``fivestar check --deploy`` finds nothing.

Each case starts a fresh process: the settings read the environment once, at import (the
tests themselves run with HTTPS_ONLY=0, see tests/settings.py)."""

import json
import os
import secrets
import subprocess
import sys

import pytest

SHOW = ("import json, django; from django.conf import settings; django.setup(); print(json.dumps("
        "{name: getattr(settings, name) for name in ('DEBUG', 'SECURE_SSL_REDIRECT', "
        "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE')}))")


def production_env(tmp_path, **extra: str) -> dict[str, str]:
    """The README's production environment (SMTP included: a production install sends mail)."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG", "HTTPS_ONLY",
                          "FIVESTAR_DEMO", "EMAIL_BACKEND",
                          # The browser tests set it in the test process (Playwright's loop).
                          "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(FIVESTAR_VAR_DIR=str(tmp_path), SECRET_KEY=secrets.token_urlsafe(50),
               ALLOWED_HOSTS="service.example.com", EMAIL_HOST="smtp.example.com",
               DJANGO_SETTINGS_MODULE="fivestar.settings", **extra)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_the_production_install_passes_the_deploy_check(tmp_path):
    done = run(["-m", "fivestar.cli", "check", "--deploy", "--fail-level", "WARNING"],
               production_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_https_only_is_the_default_with_debug_off(tmp_path):
    shown = json.loads(run(["-c", SHOW], production_env(tmp_path)).stdout)
    assert shown == {"DEBUG": False, "SECURE_SSL_REDIRECT": True,
                     "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
                     "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True}


@pytest.mark.parametrize("extra", [{"HTTPS_ONLY": "0"}, {"DEBUG": "1"}])
def test_plain_http_when_asked_or_in_debug(tmp_path, extra):
    shown = json.loads(run(["-c", SHOW], production_env(tmp_path, **extra)).stdout)
    assert not any(shown[name] for name in (
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE"))
