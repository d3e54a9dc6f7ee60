"""SLA sweep benchmark: one pass of the real sweep over a million open tickets.

Builds, in its own PostgreSQL database, N open tickets (default 1,000,000) with three clocks
each as the P2 policy leaves a ticket in progress (respond met; resolve and update running), of
which ``--due`` (default 1,000) resolve clocks are past due and every other running clock is
due — and past its warning time — only later. The rows are written with ``INSERT … SELECT
generate_series`` (minutes, not days of ORM calls). Then it times one pass of
``fivestar.sla.sweep.sla_sweep`` — the function the workers run every minute — which breaches
the due clocks and queues one notification each through the outbox, a second pass with nothing
left to do, and the first pass again with the outbox muted (the SLA engine's own share); it
prints the figures and the query plans of the three claim queries.

    uv run python bench/sla_sweep.py            # build (8 minutes on a busy 2-core box), time
    uv run python bench/sla_sweep.py --reuse    # time again on the database already built

``--reuse`` keeps the tickets and puts the due clocks back as they were before the first pass
(running, not notified). The database is ``fivestar_bench_sla`` (``BENCH_PG_URL`` to change).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL",
                        "postgres://postgres@127.0.0.1:5432/fivestar_bench_sla")
#: Tickets whose number ends this way carry the due clock.
BENCH_PREFIX = "BENCH-"


def recreate_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_exists(url: str) -> bool:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            [name]).fetchone() is not None


def setup_django(url: str, var_dir: Path) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["FIVESTAR_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fivestar.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.pop("FIVESTAR_DEMO", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _column_values(model, given: dict[str, str]) -> tuple[list[str], list[str]]:
    """Every concrete column of ``model`` but the id, with an SQL expression: the given one,
    else NULL for a nullable column and the field's empty value otherwise — so the insert keeps
    working when a field is added."""
    from django.db import models

    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(f'"{field.column}"')
        if field.column in given:
            values.append(given[field.column])
        elif field.null:
            values.append("NULL")
        elif isinstance(field, models.BooleanField):
            values.append("false")
        elif isinstance(field, models.JSONField):
            values.append("'[]'::jsonb" if field.default is list else "'{}'::jsonb")
        elif isinstance(field, (models.IntegerField, models.DecimalField, models.FloatField)):
            values.append("0")
        elif isinstance(field, models.DurationField):
            values.append("interval '0'")
        elif isinstance(field, models.DateTimeField):
            values.append("now()")
        else:
            values.append("''")
    return columns, values


def build(*, tickets: int, due: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from fivestar.accounts.models import Department
    from fivestar.accounts.services import grant_roles
    from fivestar.customers.models import Customer
    from fivestar.sla.models import SlaClock, SlaPolicy
    from fivestar.tickets.models import Ticket

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - started:.1f} s")
    from fivestar.accounts.models import User

    boss = User.objects.create_user("bench-boss", email="boss@example.com")
    grant_roles(user=boss, roles=["supervisor"])
    department = Department.objects.create(code="bench", name="维修部", supervisor=boss)
    technicians = []
    for index in range(20):
        user = User.objects.create_user(f"bench-tech-{index}", email=f"t{index}@example.com")
        grant_roles(user=user, roles=["technician"])
        technicians.append(user.pk)
    customer = Customer.objects.create(name="压测客户", phone="13800000000")
    targets = {t.name: t for t in SlaPolicy.objects.get(priority="P2").targets.all()}
    every = max(tickets // due, 1)

    started = time.perf_counter()
    # Every ``every``-th ticket, ``due`` of them, was received 25 hours ago: its 24-hour resolve
    # deadline has passed. The others were received an hour ago.
    is_due = f"(i %% {every} = 0 AND i / {every} <= {due})"
    received = (f"CASE WHEN {is_due} THEN now() - interval '25 hours' "
                "ELSE now() - interval '1 hour' END")
    columns, values = _column_values(Ticket, {
        "number": f"'{BENCH_PREFIX}' || lpad(i::text, 9, '0')",
        "type": "'repair'", "channel": "'phone'", "priority": "'P2'", "status": "'in_progress'",
        "customer_id": str(customer.pk), "department_id": str(department.pk),
        "assignee_id": f"(ARRAY{technicians})[1 + i %% {len(technicians)}]",
        "title": "'空调不制冷'", "description": "'空调开机后吹自然风'",
        "received_at": received, "accepted_at": received,
        "next_due_at": f"CASE WHEN {is_due} THEN now() - interval '1 hour' "
                       "ELSE now() + interval '5 hours' END",
    })
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute(
            f'INSERT INTO "{Ticket._meta.db_table}" ({", ".join(columns)}) '
            f"SELECT {', '.join(values)} FROM generate_series(1, %s) AS i", [tickets])
    print(f"{tickets:,} tickets in {time.perf_counter() - started:.1f} s")

    # Per ticket, as the P2 policy leaves an in-progress ticket: respond met 30 minutes after
    # receipt; resolve running (24 h from receipt); update running (6 h from the last progress
    # reply, an hour ago).
    clocks = (
        ("respond", 4, "t.received_at", "'met'", "t.received_at + interval '30 minutes'"),
        ("resolve", 24, "t.received_at", "'running'", "NULL"),
        ("update", 6, "now() - interval '1 hour'", "'running'", "NULL"),
    )
    started = time.perf_counter()
    for name, hours, start, state, met_at in clocks:
        columns, values = _column_values(SlaClock, {
            "ticket_id": "t.id", "name": f"'{name}'", "target_id": str(targets[name].pk),
            "allowed": f"interval '{hours} hours'", "started_at": start,
            "due_at": f"{start} + interval '{hours} hours'",
            "original_due_at": f"{start} + interval '{hours} hours'",
            "warn_at": f"{start} + interval '{hours * 0.8} hours'",
            "state": state, "met_at": met_at, "warn_percent": "80",
        })
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute(
                f'INSERT INTO "{SlaClock._meta.db_table}" ({", ".join(columns)}) '
                f'SELECT {", ".join(values)} FROM "{Ticket._meta.db_table}" AS t')
    with connection.cursor() as cursor:
        cursor.execute(f'VACUUM ANALYZE "{Ticket._meta.db_table}"')
        cursor.execute(f'VACUUM ANALYZE "{SlaClock._meta.db_table}"')
    print(f"{SlaClock.objects.count():,} clocks in {time.perf_counter() - started:.1f} s")


def reset_due_clocks() -> int:
    """Put the clocks the sweep changed back as they were: running, not warned, not
    notified — so each timed pass does the same work."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from fivestar.notifications.models import OutboxMessage
    from fivestar.sla.models import ClockState, SlaClock

    with transaction.atomic():
        changed = SlaClock.objects.filter(state=ClockState.BREACHED).update(
            state=ClockState.RUNNING, breached_at=None, escalation_level=0, escalate_at=None,
            warned_at=None)
        OutboxMessage.objects.filter(dedupe_key__startswith="sla:").delete()
        DBTaskResult.objects.all().delete()  # the delivery tasks that pass enqueued
    return changed


def explain() -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from fivestar.sla.sweep import SWEEP_BATCH, claim_query, due_conditions

    for name, condition in due_conditions(timezone.now()).items():
        with transaction.atomic(), connection.cursor() as cursor:
            sql, params = claim_query(condition)[:SWEEP_BATCH].query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
        scans = [line.strip() for line in plan if "Scan" in line and "sla_slaclock" in line]
        print(f"  {name}: {scans[0] if scans else plan[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--reuse", action="store_true",
                        help="time again on the database already built")
    args = parser.parse_args()
    if not 1 <= args.due <= args.tickets:
        parser.error("--due must be between 1 and --tickets")

    import tempfile

    var_dir = Path(tempfile.mkdtemp(prefix="fivestar-bench-sla-"))
    reuse = args.reuse and database_exists(PG_URL)
    if not reuse:
        recreate_database(PG_URL)
    setup_django(PG_URL, var_dir)
    if not reuse:
        build(tickets=args.tickets, due=args.due)
    else:
        print(f"reset {reset_due_clocks():,} clocks")

    from django.db import connection

    from fivestar.sla.models import SlaClock
    from fivestar.sla.sweep import sla_sweep
    from fivestar.tickets.models import Ticket

    print(f"open tickets: {Ticket.objects.count():,}; running clocks: "
          f"{SlaClock.objects.filter(state='running').count():,}")
    print("claim queries (first scan on sla_slaclock):")
    explain()
    from unittest import mock

    connection.ensure_connection()
    started = time.perf_counter()
    result = sla_sweep()
    first = time.perf_counter() - started
    started = time.perf_counter()
    idle = sla_sweep()
    second = time.perf_counter() - started
    # The same pass again with the notices left out: what finding and marking the clocks
    # costs, apart from writing the bell notices and queueing their e-mails.
    reset_due_clocks()
    with mock.patch("fivestar.notifications.inbox.notify_staff_many", return_value=0):
        started = time.perf_counter()
        muted = sla_sweep()
        quiet = time.perf_counter() - started
    reset_due_clocks()
    print(f"sweep pass with {args.due:,} due: {first:.2f} s {result}")
    print(f"  of which queueing the messages: {first - quiet:.2f} s "
          f"(the same pass without the notices: {quiet:.2f} s {muted})")
    print(f"sweep pass with nothing due: {second * 1000:.0f} ms {idle}")
    print(f"SLA sweep over {Ticket.objects.count():,} open tickets: {first:.2f} s "
          f"({'met' if first < 2 else 'NOT met'}: target < 2 s)")
    print(f"(database kept for --reuse: {PG_URL.rsplit('/', 1)[1]}; "
          f"mail files in {var_dir})")


if __name__ == "__main__":
    main()
