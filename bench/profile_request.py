"""Where one API request's time goes: intake (POST /api/v1/tickets) and a single-ticket read.

Runs the real request path in one process — Django's handler, every middleware, ninja,
authentication, the service, the database — through Django's test client against a fresh
database (PostgreSQL by default, the one ``bench/intake.py`` uses), after warm-up requests.
Prints the CPU time per request in this process (``time.process_time``: waiting for the
database or for a busy core does not count), the SQL statements one request runs, and with
``--profile`` the functions the time went to (cProfile, cumulative).

    uv run python bench/profile_request.py                    # intake and read, PostgreSQL
    uv run python bench/profile_request.py --profile intake   # plus cProfile of 200 intakes
    uv run python bench/profile_request.py --sql              # plus the statements themselves
    uv run python bench/profile_request.py --database sqlite

No network, no other process: the figures are the server's share of ``bench/intake.py``
without gunicorn's (about 0.3 ms a request).
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/fivestar_bench")

sys.path.insert(0, str(ROOT / "bench"))
from intake import DESCRIPTIONS, SETUP  # noqa: E402


def prepare(database: str) -> None:
    os.environ.update({"FIVESTAR_VAR_DIR": tempfile.mkdtemp(prefix="fivestar-profile-"),
                       "DEBUG": "0", "HTTPS_ONLY": "0", "LOG_LEVEL": "WARNING",
                       "DJANGO_SETTINGS_MODULE": "fivestar.settings",
                       "SMS_BACKEND": "fivestar.notifications.sms.FileSmsBackend"})
    os.environ.pop("FIVESTAR_DEMO", None)
    if database == "postgres":
        os.environ["DATABASE_URL"] = PG_URL
        name = PG_URL.rsplit("/", 1)[1]
        admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
        for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
            subprocess.run(["psql", admin, "-q", "-c", sql], check=True)
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


def body(rng: random.Random) -> str:
    known = rng.random() < 0.7
    phone = f"139{rng.randrange(200):08d}" if known else f"138{rng.randrange(10**8):08d}"
    return json.dumps({
        "channel": rng.choice(["phone", "web", "api", "sms"]),
        "type": rng.choice(["repair", "consultation", "installation"]),
        "customer": {"name": "压测客户", "phone": phone},
        "product_model": f"KFR-{rng.randrange(10)}",
        "serial_number": f"SN{rng.randrange(10**9)}",
        "description": rng.choice(DESCRIPTIONS),
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", choices=["intake", "read"], action="append", default=[])
    parser.add_argument("--sql", action="store_true", help="print one request's statements")
    parser.add_argument("--top", type=int, default=45)
    options = parser.parse_args()
    prepare(options.database)

    from django.db import connection
    from django.test import Client

    namespace: dict = {}
    out = io.StringIO()
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        exec(SETUP, namespace)
    token = out.getvalue().strip().splitlines()[-1]
    client = Client(headers={"Authorization": f"Bearer {token}"}, SERVER_NAME="localhost")
    rng = random.Random(7)
    numbers: list[str] = []

    def intake() -> None:
        response = client.post("/api/v1/tickets", body(rng), content_type="application/json")
        assert response.status_code == 201, response.content
        numbers.append(response.json()["number"])

    def read() -> None:
        response = client.get(f"/api/v1/tickets/{rng.choice(numbers)}")
        assert response.status_code == 200, response.content

    for name, request in (("intake", intake), ("read", read)):
        for _ in range(50):
            request()  # warm: imports, caches, prepared statements
        # The statements of one request, read from the connection's log as it stands after it.
        connection.force_debug_cursor = True
        request()
        connection.force_debug_cursor = False
        captured = list(connection.queries_log)
        connection.queries_log.clear()
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        for _ in range(options.requests):
            request()
        cpu = (time.process_time() - started_cpu) * 1000 / options.requests
        wall = (time.perf_counter() - started_wall) * 1000 / options.requests
        print(f"{name:<7} {cpu:6.2f} ms CPU in Django per request, {wall:6.2f} ms wall, "
              f"{len(captured)} SQL statements "
              f"(load average {os.getloadavg()[0]:.1f})")
        if options.sql:
            for query in captured:
                print("   ", query["sql"][:220])
        if name in options.profile:
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for _ in range(options.requests):
                request()
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(options.top)
            stats.sort_stats("tottime").print_stats(options.top)


if __name__ == "__main__":
    main()
