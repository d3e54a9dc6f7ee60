"""Two real worker processes sweep one PostgreSQL database at the same moment (DESIGN
"Processes": several workers share the queue; every sweep claims its rows with row locks):
each warning and each breach is handled by one of them and queued exactly once."""

import ast
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from fivestar.accounts.models import Department
from fivestar.notifications.models import OutboxMessage
from fivestar.sla.models import ClockState, SlaClock
from fivestar.tickets.models import Ticket
from tests.conftest import make_user
from tests.sla.flow import receive

TICKETS = 40
WORKER = Path(__file__).with_name("sweep_worker.py")


def database_url() -> str:
    """The URL of the test database this test runs against (pytest-django's ``test_…``)."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def sweep_counts(output: str) -> dict[str, int]:
    """The ``sla.sweep: {...}`` line ``fivestar worker --once`` prints."""
    for line in output.splitlines():
        if line.startswith("sla.sweep: "):
            return ast.literal_eval(line.removeprefix("sla.sweep: "))
    raise AssertionError(f"no sla.sweep line in {output!r}")


@pytest.fixture
def postgresql(reseeded):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two processes with real row locks on one database")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_queue_each_message_once(postgresql, agent, tmp_path):
    boss = make_user("boss-w", "supervisor", email="boss-w@example.com")
    department = Department.objects.create(code="repair-w", name="维修部", supervisor=boss)
    # Received 20 hours ago: first response (10/30 min) and respond (4 h) are past due, and
    # acceptance and resolve (24 h) are past their warning at 80 % (19.2 h).
    received = timezone.now() - timedelta(hours=20)
    tickets = [receive(agent, received_at=received, priority="P2", phone=f"1391234{i:04d}")
               for i in range(TICKETS)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(department=department)
    assert not OutboxMessage.objects.filter(dedupe_key__startswith="sla:").exists()

    env = {**os.environ, "DATABASE_URL": database_url(), "FIVESTAR_VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "fivestar.settings",
           "PYTHONPATH": str(settings.BASE_DIR.parent)}
    go = tmp_path / "go"
    ready = [tmp_path / f"ready-{n}" for n in (1, 2)]
    workers = [
        subprocess.Popen([sys.executable, str(WORKER), str(flag), str(go)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for flag in ready
    ]
    try:
        give_up = time.monotonic() + 120
        while not all(flag.exists() for flag in ready):
            assert all(w.poll() is None for w in workers), [w.communicate() for w in workers]
            assert time.monotonic() < give_up, "the workers did not start"
            time.sleep(0.05)
        go.touch()
        outputs = [w.communicate(timeout=300) for w in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    for worker, (_out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err

    counts = [sweep_counts(out) for out, _err in outputs]
    # Every due clock was handled by exactly one of the two processes.
    assert sum(c["breached"] for c in counts) == TICKETS * 2
    assert sum(c["warned"] for c in counts) == TICKETS * 2
    keys = list(OutboxMessage.objects.filter(dedupe_key__startswith="sla:")
                .values_list("dedupe_key", flat=True))
    # Two clocks of each ticket breached together, whichever process took which: one notice.
    assert len(keys) == len(set(keys)) == TICKETS * 3
    assert sum(":breach:" in key for key in keys) == TICKETS
    assert sum(":warning:" in key for key in keys) == TICKETS * 2
    assert SlaClock.objects.filter(state=ClockState.BREACHED).count() == TICKETS * 2
    assert SlaClock.objects.filter(warned_at__isnull=False).count() == TICKETS * 4
