"""``fivestar token`` and ``fivestar serve``'s configuration."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fivestar.accounts.models import ApiToken
from fivestar.accounts.selectors import user_for_token
from fivestar.core.management.commands import serve

pytestmark = pytest.mark.django_db


def test_token_prints_a_token_that_authenticates(agent):
    out = StringIO()
    call_command("token", agent.username, "--name", "ci", stdout=out)
    raw = out.getvalue().strip()
    assert raw.startswith("fs_")
    assert user_for_token(raw=raw) == agent
    token = ApiToken.objects.get(user=agent)
    assert token.name == "ci"
    assert raw not in (token.digest, token.prefix)  # only the digest is kept


def test_token_for_an_unknown_user_fails():
    with pytest.raises(CommandError, match="nobody"):
        call_command("token", "nobody", stdout=StringIO())


def test_token_for_an_inactive_user_fails(agent):
    agent.is_active = False
    agent.save()
    with pytest.raises(CommandError):
        call_command("token", agent.username, stdout=StringIO())


def test_serve_uses_one_process_on_sqlite(monkeypatch, settings):
    started = {}

    def fake_run(self):
        started.update(self.options)

    monkeypatch.setattr(serve.FivestarServer, "run", fake_run)
    monkeypatch.setenv("WEB_CONCURRENCY", "6")
    err = StringIO()
    call_command("serve", "--port", "8123", stderr=err, stdout=StringIO())
    from django.db import connection

    assert started["bind"] == "127.0.0.1:8123"
    assert started["worker_class"] == "gthread"
    assert started["workers"] == (1 if connection.vendor == "sqlite" else 6)


def test_serve_rejects_a_bad_port():
    with pytest.raises(CommandError):
        call_command("serve", "--port", "70000", stdout=StringIO())


def test_demo_refuses_to_run_with_a_real_sms_gateway(settings):
    settings.SMS_BACKEND = "fivestar.notifications.sms.HttpSmsBackend"
    with pytest.raises(CommandError, match="SMS_BACKEND"):
        call_command("demo", "--port", "8124", stdout=StringIO())


@pytest.mark.parametrize("command", ["demo", "serve", "worker", "token", "seed_demo", "calendar"])
def test_every_fivestar_command_prints_its_help(command):
    """``fivestar <command> --help`` is the first thing an operator types; it must not crash
    (a lazy translation object in argparse's help text once did)."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "fivestar.cli", command, "--help"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-500:]
    assert "usage:" in result.stdout
