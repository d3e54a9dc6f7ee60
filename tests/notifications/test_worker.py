"""``fivestar worker``: --once, the task path, the periodic registry, a clean stop."""

import io
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from fivestar.core import periodic
from fivestar.notifications.models import OutboxStatus
from fivestar.notifications.services import queue_message

REPO = Path(__file__).resolve().parents[2]

# The worker closes stale connections like a request does, which a test's wrapping transaction
# would not survive: these tests run in real transactions.
worker_db = pytest.mark.django_db(transaction=True)


@worker_db
def test_worker_once_delivers_pending_messages(seeded_templates, queue_created, settings):
    message = queue_created()
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert (settings.SMS_DIR / f"{message.pk}.txt").exists()
    assert "notifications.outbox: 1" in out.getvalue()


@worker_db
def test_worker_once_runs_the_enqueued_delivery_task(seeded_templates, monkeypatch, settings):
    # Without the sweep, only the task enqueued on commit can deliver the message.
    monkeypatch.setattr(periodic, "_jobs", {})
    with transaction.atomic():
        message = queue_message(channel="sms", recipient="+8613812345678",
                                template_code="ticket_created",
                                context={"customer_name": "张三", "number": "SR-1"},
                                language="zh-hans")
    task_row = DBTaskResult.objects.get()
    assert task_row.task_path == "fivestar.notifications.tasks.deliver_outbox"
    assert task_row.args_kwargs["kwargs"] == {"message_ids": [message.pk]}

    call_command("worker", "--once", stdout=io.StringIO())

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    task_row.refresh_from_db()
    assert task_row.status == "SUCCESSFUL"
    assert task_row.return_value == 1


def test_outbox_sweep_is_registered():
    assert "notifications.outbox" in {job.name for job in periodic.registered()}


@worker_db
def test_scheduler_runs_jobs_when_due_and_survives_a_failing_one(monkeypatch):
    monkeypatch.setattr(periodic, "_jobs", {})
    calls = []
    periodic.register("every-tick", lambda: calls.append("tick") or 1)
    periodic.register("hourly", lambda: calls.append("hourly") or 2, every_seconds=3600)
    periodic.register("broken", lambda: 1 / 0)
    scheduler = periodic.Scheduler()

    results = scheduler.run_due()
    assert results["every-tick"] == 1 and results["hourly"] == 2
    assert isinstance(results["broken"], ZeroDivisionError)
    assert scheduler.run_due().keys() == {"every-tick", "broken"}
    assert scheduler.run_due(force=True).keys() == {"every-tick", "hourly", "broken"}
    assert calls == ["tick", "hourly", "tick", "tick", "hourly"]
    with pytest.raises(ValueError):
        periodic.register("bad", lambda: None, every_seconds=-1)


def _reader(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A migrated SQLite file for worker processes (never the test database)."""
    path = tmp_path_factory.mktemp("worker") / "template.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}",
           "FIVESTAR_VAR_DIR": str(path.parent)}
    subprocess.run([sys.executable, "-m", "fivestar.cli", "migrate", "-v0"], env=env,
                   cwd=REPO, check=True, timeout=120)
    return path


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_worker_stops_cleanly_on_a_signal(tmp_path, migrated_sqlite, signum):
    database = tmp_path / "worker.sqlite3"
    shutil.copy(migrated_sqlite, database)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "FIVESTAR_VAR_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "fivestar.cli", "worker", "--sweep-interval", "0.2",
         "--interval", "0.2"],
        env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True).start()
    seen = []
    deadline = time.monotonic() + 60
    try:
        while not any("Starting worker" in line for line in seen):
            assert time.monotonic() < deadline, "".join(seen)
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                assert process.poll() is None, "".join(seen)
        time.sleep(0.5)  # let a sweep or two run
        process.send_signal(signum)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    time.sleep(0.1)
    while not lines.empty():
        seen.append(lines.get())
    assert "stopped" in "".join(seen)


@worker_db
def test_worker_once_fails_when_a_sweep_fails(monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setattr(periodic, "_jobs", {})
    periodic.register("broken", lambda: 1 / 0)
    with pytest.raises(CommandError, match="broken"):
        call_command("worker", "--once", stdout=io.StringIO())
