"""Time the lists, queues, console, search and ticket page on a million tickets.

Runs the real code in this process through Django's test client (URL routing, middleware,
authentication, the view or endpoint, its queries, the template or the JSON) against the
database ``million_build.py`` builds — building it first when it is missing — and prints, per
request, the server time (median, 95th percentile and the slowest of ``--runs`` runs after two
warm-ups), how much of it was spent waiting for PostgreSQL, the CPU time of the Python side
(which waiting for a busy machine's cores does not inflate), the number of queries, and the
target. ``--explain NAME`` prints the plan (EXPLAIN ANALYZE) of every statement of the
requests so named, ``--profile NAME`` where their Python time goes.

    uv run python bench/million.py                 # build if missing, then time
    uv run python bench/million.py --runs 30 --only search
    uv run python bench/million.py --explain "API q=漏水"
    uv run python bench/million.py --profile "console (manager)"

The database is ``fivestar_million`` (``BENCH_MILLION_URL`` to change).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import million_build  # noqa: E402  (the bench folder is not a package)

# Targets in milliseconds of server time (issue 17).
API_LIST = 50
QUEUE = 150
CONSOLE = 300
SEARCH = 200
TICKET_PAGE = 100


@dataclass
class Case:
    group: str
    name: str
    url: str
    target: float
    as_user: str
    api: bool = False
    times: list[float] = field(default_factory=list)
    db_times: list[float] = field(default_factory=list)
    cpu_times: list[float] = field(default_factory=list)
    queries: int = 0
    status: int = 0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


class DatabaseTimer:
    """Adds up the time spent in the database and the statements run (Django's
    ``execute_wrapper``)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.statements: list[tuple[str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.statements.append((sql, params))


def cases(info: dict) -> list[Case]:
    from fivestar.customers.models import Customer
    from fivestar.tickets.models import Ticket

    users = info["users"]
    agent, technician = users["agent"], users["technician"]
    newest = Ticket.objects.order_by("-id").values_list("number", flat=True).first()
    customer = Customer.objects.filter(tickets__isnull=False).order_by("-id").first()
    national = customer.phone.removeprefix("+86")
    spaced = f"{national[:3]} {national[3:7]} {national[7:]}"
    found: list[Case] = []

    def api(group, name, query, target=API_LIST, user=agent):
        found.append(Case(group, f"API {name}", f"/api/v1/tickets?{query}", target, user,
                          api=True))

    def page(group, name, url, target, user=agent):
        found.append(Case(group, name, url, target, user))

    api("api", "default (newest first)", "")
    for sort in ("received_at", "next_due_at", "priority"):
        api("api", f"sort={sort}", f"sort={sort}")
    for query in ("status=new", "status=in_progress,assigned", "status=closed",
                  "priority=P1", "type=complaint", "channel=walk_in", "assignee=me",
                  "assignee=none", f"assignee={technician}", "department=customer-service",
                  "breached=true", "breached=false", "due_within=120",
                  "status=in_progress&sort=next_due_at", "priority=P1&sort=next_due_at"):
        api("api", query, query)
    for tab in ("mine", "unassigned", "approval", "due", "waiting", "all"):
        page("queue", f"queue {tab}", f"/workspace/?tab={tab}", QUEUE)
    page("queue", "queue all, newest", "/workspace/?tab=all&sort=newest", QUEUE)
    page("queue", "queue mine (technician)", "/workspace/?tab=mine", QUEUE, technician)
    page("queue", "queue all (technician)", "/workspace/?tab=all", QUEUE, technician)
    page("console", "console (supervisor)", "/workspace/console/", CONSOLE,
         users["supervisor"])
    page("console", "console (repair supervisor)", "/workspace/console/", CONSOLE,
         users["repair_supervisor"])
    page("console", "console (manager)", "/workspace/console/", CONSOLE, users["manager"])
    searches = {
        "number": newest, "number prefix": newest[:11], "phone": spaced,
        "phone last four": national[-4:], "name": customer.name, "不制冷": "不制冷",
        "漏水": "漏水", "冒烟 (rare)": "冒烟", "燃气泄漏": "燃气泄漏", "E4": "E4",
    }
    from urllib.parse import quote

    for name, q in searches.items():
        api("search", f"q={name}", f"q={quote(q)}", SEARCH)
        page("search", f"queue all q={name}", f"/workspace/?tab=all&q={quote(q)}", SEARCH)
    for number in info["big_history"][:2]:
        page("ticket", f"ticket page {number} (200 events)", f"/workspace/tickets/{number}/",
             TICKET_PAGE)
    return found


def run(case_list: list[Case], *, runs: int) -> None:
    from django.db import connection
    from django.test import Client

    from fivestar.accounts.models import User
    from fivestar.accounts.services import create_api_token

    clients: dict[tuple[str, bool], Client] = {}
    for case in case_list:
        key = (case.as_user, case.api)
        if key not in clients:
            user = User.objects.get(username=case.as_user)
            if case.api:
                _token, raw = create_api_token(user=user, name="bench")
                clients[key] = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
            else:
                clients[key] = Client()
                clients[key].force_login(user)
        client = clients[key]
        for attempt in range(runs + 2):
            timer = DatabaseTimer()
            with connection.execute_wrapper(timer):
                started, cpu = time.perf_counter(), time.process_time()
                response = client.get(case.url)
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            case.status = response.status_code
            if attempt >= 2:  # two warm-ups: connection, caches, prepared statements
                case.times.append(elapsed * 1000)
                case.db_times.append(timer.seconds * 1000)
                case.cpu_times.append(cpu * 1000)
                case.queries = len(timer.statements)
        print(f"  {_padded(case.name, 48)} p95 {case.percentile(0.95):7.1f} ms", flush=True)


def explain(case: Case) -> None:
    """The plan, with times, of every statement the request runs."""
    from django.db import connection
    from django.test import Client

    from fivestar.accounts.models import User
    from fivestar.accounts.services import create_api_token

    user = User.objects.get(username=case.as_user)
    if case.api:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user=user)[1]}")
    else:
        client = Client()
        client.force_login(user)
    client.get(case.url)
    timer = DatabaseTimer()
    with connection.execute_wrapper(timer):
        client.get(case.url)
    print(f"\n=== {case.name}: {case.url}")
    for sql, params in timer.statements:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
        print("\n" + sql[:300] + ("…" if len(sql) > 300 else ""))
        print("\n".join("    " + line for line in plan))


def profile(case: Case) -> None:
    """Where the server's Python time goes in one request (cProfile, warm process)."""
    import cProfile
    import pstats

    from django.test import Client

    from fivestar.accounts.models import User
    from fivestar.accounts.services import create_api_token

    user = User.objects.get(username=case.as_user)
    if case.api:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user=user)[1]}")
    else:
        client = Client()
        client.force_login(user)
    for _warm in range(2):
        client.get(case.url)
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(case.url)
    profiler.disable()
    print(f"\n=== {case.name}: {case.url}")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")
    return f"{os.cpu_count()} × {cpu}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", help="run only cases whose group or name contains this")
    parser.add_argument("--explain", help="print the plans of the case with this name")
    parser.add_argument("--profile", help="profile the Python of the case with this name")
    args = parser.parse_args()
    if not 3 <= args.runs <= 200:
        parser.error("--runs must be between 3 and 200")

    if not database_ready(million_build.PG_URL):
        print("building the database first (bench/million_build.py)", flush=True)
        subprocess.run([sys.executable, str(BENCH / "million_build.py")], check=True)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    million_build.setup_django(million_build.PG_URL)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT key, value::text FROM bench_million")
        info = {key: json.loads(value) for key, value in cursor.fetchall()}
        cursor.execute("SELECT count(*) FROM tickets_ticket WHERE status IN ('new', 'accepted', "
                       "'awaiting_approval', 'assigned', 'in_progress', 'waiting_customer')")
        (open_tickets,) = cursor.fetchone()
        cursor.execute("SELECT version()")
        (version,) = cursor.fetchone()
    all_cases = cases(info)
    if args.explain or args.profile:
        for case in all_cases:
            if args.explain and args.explain in case.name:
                explain(case)
            if args.profile and args.profile in case.name:
                profile(case)
        return
    chosen = [c for c in all_cases
              if not args.only or args.only in c.group or args.only in c.name]
    print(f"{info['tickets']:,} tickets ({open_tickets:,} open), built {info['now'][:10]}; "
          f"{machine()}; {version.split(' on ')[0]}")
    print(f"{args.runs} runs of each request after two warm-ups; server time in ms; "
          f"load average {os.getloadavg()[0]:.1f} (2 cores shared with other work)")
    run(chosen, runs=args.runs)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    print(f"\n{'request':<48} {'p50':>7} {'p95':>7} {'max':>7} {'db p50':>7} {'cpu p50':>7}"
          f" {'queries':>7} {'target':>7}")
    missed = []
    for case in chosen:
        p95 = case.percentile(0.95)
        ok = p95 < case.target and case.status == 200
        if not ok:
            missed.append(case)
        print(f"{_padded(case.name, 48)} {statistics.median(case.times):7.1f} {p95:7.1f} "
              f"{max(case.times):7.1f} {statistics.median(case.db_times):7.1f} "
              f"{statistics.median(case.cpu_times):7.1f} "
              f"{case.queries:7d} {'<' + str(case.target):>7} "
              f"{'met' if ok else 'NOT met'}{'' if case.status == 200 else f' ({case.status})'}")
    print(f"\n{len(chosen) - len(missed)} of {len(chosen)} within target"
          + (": missed " + ", ".join(c.name for c in missed) if missed else ""))


def _padded(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (a Chinese character takes two)."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def database_ready(url: str) -> bool:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                        [name]).fetchone() is None:
            return False
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT to_regclass('bench_million')").fetchone()[0] is not None


if __name__ == "__main__":
    main()
