"""Intake benchmark: tickets created through the HTTP API by concurrent clients.

Starts a real server process (``fivestar serve``) against a fresh database, creates a staff user
with an API token and a product catalogue, then lets N client threads (spread over client
processes, so the load generator is not held back by one GIL) POST /api/v1/tickets for a fixed
number of requests or seconds, whichever ends first. Prints tickets/second and p50/p95/p99
latency per database, and the number of queries one ticket-list page costs at two page sizes.

It also prints where the CPU went, per ticket: the server processes (gunicorn and its workers),
the PostgreSQL backends serving them, and the load generator itself, read from /proc; and how
busy the whole machine was meanwhile (other work on it included). ``ceiling`` is the rate the
server and database could reach if they had every core to themselves:
cores × 1000 / (server + database CPU ms per ticket) — on SQLite, the cores its one server
process can use. When the measured rate is far below it, something else held the cores (the
load generator, other processes on the machine).

    uv run python bench/intake.py                      # SQLite and PostgreSQL
    uv run python bench/intake.py --database postgres --clients 16 --requests 4000
    uv run python bench/intake.py --database postgres --read   # GET one ticket, for comparison

Loopback only; every loop is bounded by --requests and --seconds.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/fivestar_bench")

SETUP = """
from fivestar.accounts.models import User
from fivestar.accounts.services import create_api_token, grant_roles
from fivestar.products.models import ProductLine, ProductModel, WarrantyPolicy
user, _ = User.objects.get_or_create(username="bench-agent")
grant_roles(user=user, roles=["agent"])
line, _ = ProductLine.objects.get_or_create(code="ac", defaults={"name": "空调"})
policy, _ = WarrantyPolicy.objects.get_or_create(name="bench", defaults={"unit_months": 36})
for index in range(10):
    ProductModel.objects.get_or_create(
        code=f"KFR-{index}", defaults={"name": "挂机", "product_line": line,
                                       "warranty_policy": policy})
print(create_api_token(user=user, name="bench")[1])
"""

DESCRIPTIONS = [
    "空调不制冷，开机后出风是热的", "冰箱漏水，冷藏室底部有积水", "洗衣机无法开机，指示灯不亮",
    "热水器显示故障码E1", "电视黑屏但有声音", "咨询保修期和上门费用", "安装新买的挂机空调",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (Linux /proc), 0 when it is gone or unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def machine_times() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine since boot, from /proc/stat."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0, 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return float(sum(values) - idle), float(sum(values))


class CpuMeter:
    """CPU spent by the server's process tree and by the database backends of the bench
    database between ``start`` and ``stop``."""

    def __init__(self, server_pid: int, env: dict, database: str) -> None:
        self.server_pid, self.env, self.database = server_pid, env, database

    def _backends(self) -> list[int]:
        if self.database != "postgres":
            return []
        name = PG_URL.rsplit("/", 1)[1]
        out = run(["psql", PG_URL.rsplit("/", 1)[0] + "/postgres", "-At", "-c",
                   f"SELECT pid FROM pg_stat_activity WHERE datname = '{name}'"], self.env).stdout
        return [int(line) for line in out.split() if line.strip().isdigit()]

    def _snapshot(self) -> tuple[dict[int, float], dict[int, float], tuple[float, float]]:
        server = [self.server_pid, *children_of(self.server_pid)]
        return ({pid: cpu_seconds(pid) for pid in server},
                {pid: cpu_seconds(pid) for pid in self._backends()}, machine_times())

    def start(self) -> None:
        self.before = self._snapshot()

    def stop(self) -> dict:
        after = self._snapshot()

        def spent(index: int) -> float:
            return sum(max(0.0, now - self.before[index].get(pid, 0.0))
                       for pid, now in after[index].items())

        busy = after[2][0] - self.before[2][0]
        total = after[2][1] - self.before[2][1]
        return {"server_cpu": spent(0), "db_cpu": spent(1),
                "machine_busy": busy / total if total else 0.0}


def run(cmd: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, text=True, capture_output=True,
                          **kwargs)


def prepare(database: str, var_dir: Path) -> dict:
    # Production settings, except that the clients speak plain HTTP to the server (no TLS proxy).
    env = {**os.environ, "FIVESTAR_VAR_DIR": str(var_dir), "DEBUG": "0", "HTTPS_ONLY": "0",
           "LOG_LEVEL": "WARNING", "SMS_BACKEND": "fivestar.notifications.sms.FileSmsBackend"}
    env.pop("FIVESTAR_DEMO", None)
    if database == "postgres":
        env["DATABASE_URL"] = PG_URL
        name = PG_URL.rsplit("/", 1)[1]
        admin_url = PG_URL.rsplit("/", 1)[0] + "/postgres"
        run(["psql", admin_url, "-q", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], env)
        run(["psql", admin_url, "-q", "-c", f'CREATE DATABASE "{name}"'], env)
    else:
        env.pop("DATABASE_URL", None)
    cli = [sys.executable, "-m", "fivestar.cli"]
    run([*cli, "migrate", "--noinput"], env)
    env["BENCH_TOKEN"] = run([*cli, "shell", "-c", SETUP], env).stdout.strip().splitlines()[-1]
    return env


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/openapi.json")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("server did not start")


def client_process(args: tuple) -> tuple[list[float], int, float]:
    """One load process: ``threads`` keep-alive connections sharing a request budget. Returns
    the latencies of the tickets created, the failures, and the CPU the process spent."""
    import threading

    cpu_started = time.process_time()
    port, token, threads, budget, seconds, seed, numbers = args
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    remaining = [budget]
    stop_at = time.monotonic() + seconds
    rng = random.Random(seed)
    # Returning customers (a known phone) and new ones, as on a real intake line.
    phones = [f"139{seed % 100:02d}{i:06d}" for i in range(200)]

    def worker(worker_seed: int) -> None:
        local_rng = random.Random(worker_seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while time.monotonic() < stop_at:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            phone = local_rng.choice(phones) if local_rng.random() < 0.7 else (
                f"138{local_rng.randrange(10**8):08d}")
            # --read: the floor under any API request here (token, one ticket, its deadlines).
            method, path, expected = ("POST", "/api/v1/tickets", 201) if not numbers else (
                "GET", f"/api/v1/tickets/{local_rng.choice(numbers)}", 200)
            body = None if numbers else json.dumps({
                "channel": local_rng.choice(["phone", "web", "api", "sms"]),
                "type": local_rng.choice(["repair", "consultation", "installation"]),
                "customer": {"name": "压测客户", "phone": phone},
                "product_model": f"KFR-{local_rng.randrange(10)}",
                "serial_number": f"SN{local_rng.randrange(10**9)}",
                "description": local_rng.choice(DESCRIPTIONS),
            })
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == expected
            except OSError:
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1
        conn.close()

    pool = [threading.Thread(target=worker, args=(rng.randrange(10**9),)) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return latencies, errors[0], time.process_time() - cpu_started


def list_query_counts(env: dict) -> tuple[int, int]:
    code = """
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
import os
client = Client(headers={"Authorization": "Bearer " + os.environ["BENCH_TOKEN"]},
                SERVER_NAME="localhost")
# A first request outside the count: it may record the token's use (once a minute).
assert client.get("/api/v1/tickets", {"page_size": 1}).status_code == 200
counts = []
for size in (10, 100):
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/v1/tickets", {"page_size": size}).status_code == 200
    counts.append(len(captured.captured_queries))
print(counts[0], counts[1])
"""
    out = run([sys.executable, "-m", "fivestar.cli", "shell", "-c", code], env).stdout
    small, large = out.strip().splitlines()[-1].split()
    return int(small), int(large)


def ticket_numbers(port: int, token: str) -> list[str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/api/v1/tickets?page_size=100",
                 headers={"Authorization": f"Bearer {token}"})
    numbers = [item["number"] for item in json.loads(conn.getresponse().read())["items"]]
    conn.close()
    return numbers


def measure(port: int, token: str, clients: int, options: argparse.Namespace,
            meter: CpuMeter, usable_cores: int) -> dict:
    processes = max(1, min(options.client_processes, clients))
    per_process = max(1, clients // processes)
    budget = options.requests // processes
    with multiprocessing.Pool(processes) as pool:
        # The pool's processes are started before the clock and the meters start.
        pool.map(time.sleep, [0] * processes)
        meter.start()
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        results = pool.map(client_process, [
            (port, token, per_process, budget, options.seconds, index + clients * 10,
             ticket_numbers(port, token) if options.read else [])
            for index in range(processes)
        ])
        wall = time.perf_counter() - started
        cpu = meter.stop()
    latencies = sorted(latency for result in results for latency in result[0])
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    tickets = max(1, len(latencies))
    server_ms = cpu["server_cpu"] * 1000 / tickets
    db_ms = cpu["db_cpu"] * 1000 / tickets
    return {
        "clients": per_process * processes, "tickets": len(latencies),
        "errors": sum(result[1] for result in results), "seconds": wall,
        "rate": len(latencies) / wall,
        "p50": quantiles[49] * 1000, "p95": quantiles[94] * 1000, "p99": quantiles[98] * 1000,
        "server_ms": server_ms, "db_ms": db_ms,
        "client_ms": sum(result[2] for result in results) * 1000 / tickets,
        "ceiling": usable_cores * 1000 / (server_ms + db_ms) if server_ms else 0.0,
        "busy": cpu["machine_busy"] * 100, "load": max(load_before, os.getloadavg()[0]),
    }


def bench(database: str, options: argparse.Namespace) -> dict:
    var_dir = Path(tempfile.mkdtemp(prefix=f"fivestar-bench-{database}-"))
    try:
        env = prepare(database, var_dir)
        port = free_port()
        server_cmd = [sys.executable, "-m", "fivestar.cli", "serve", "--host", "127.0.0.1",
                      "--port", str(port)]
        if options.workers:
            server_cmd += ["--workers", str(options.workers)]
        if options.threads:
            server_cmd += ["--threads", str(options.threads)]
        server = subprocess.Popen(
            server_cmd,
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        try:
            wait_until_up(port, server)
            # Warm up every worker process (imports, connections) before measuring.
            client_process((port, env["BENCH_TOKEN"], 4, 100, 20, 99, []))
            meter = CpuMeter(server.pid, env, database)
            workers = len(children_of(server.pid))
            # One SQLite server process runs Python on one core at a time (its GIL).
            usable = (os.cpu_count() or 1) if database == "postgres" else min(
                os.cpu_count() or 1, workers)
            runs = [measure(port, env["BENCH_TOKEN"], clients, options, meter, usable)
                    for clients in options.clients]
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        small, large = list_query_counts(env)
        return [{**run, "database": database, "workers": workers,
                 "list_queries": (small, large)} for run in runs]
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--clients", type=lambda v: [int(x) for x in v.split(",")],
                        default=[2, 16], help="concurrent connections, e.g. 2,16 (one run each)")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--requests", type=int, default=3000, help="tickets to create at most")
    parser.add_argument("--seconds", type=float, default=30, help="stop after this long")
    parser.add_argument("--workers", type=int, default=0,
                        help="server processes (0: the server's own default)")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads per server process (0: the server's own default)")
    parser.add_argument("--read", action="store_true",
                        help="GET one ticket instead of creating one: the cost of the lightest "
                             "authenticated API request, to compare intake with")
    options = parser.parse_args()
    databases = ["sqlite", "postgres"] if options.database == "both" else [options.database]
    print(f"machine: {os.cpu_count()} cores (server, database and clients share them); "
          f"at most {options.requests} tickets or {options.seconds:.0f} s per run")
    print(f"{'database':<10} {'workers':>7} {'clients':>7} {'tickets':>8} {'errors':>6} "
          f"{'tickets/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'list queries (10/100 rows)':>27}")
    results = [r for database in databases for r in bench(database, options)]
    for r in results:
        print(f"{r['database']:<10} {r['workers']:>7} {r['clients']:>7} {r['tickets']:>8} "
              f"{r['errors']:>6} {r['rate']:>10.1f} {r['p50']:>8.1f} {r['p95']:>8.1f} "
              f"{r['p99']:>8.1f} {r['list_queries'][0]:>13} / {r['list_queries'][1]}")
    print()
    print("CPU per ticket (ms) and the machine meanwhile:")
    print(f"{'database':<10} {'clients':>7} {'server':>8} {'database':>9} {'client':>8} "
          f"{'ceiling t/s':>12} {'machine busy':>13} {'load avg':>9}")
    for r in results:
        db_ms = f"{r['db_ms']:.1f}" if r["database"] == "postgres" else "(in server)"
        print(f"{r['database']:<10} {r['clients']:>7} {r['server_ms']:>8.1f} {db_ms:>9} "
              f"{r['client_ms']:>8.1f} {r['ceiling']:>12.0f} {r['busy']:>12.0f}% "
              f"{r['load']:>9.1f}")


if __name__ == "__main__":
    main()
