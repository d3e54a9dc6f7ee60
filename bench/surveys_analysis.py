"""Survey analysis benchmark (issue 16 "Speed"): the analysis page for a quarter of 200,000
responses on PostgreSQL must render in under 500 ms.

Builds, in its own PostgreSQL database, N closed tickets (default 200,000) in 2026-Q3, each with
an answered invitation and a response (90% valid, five teams, scores spread 4–10, one team
weaker in timeliness), plus a tenth as many in the quarter before (the trend) — written with
``INSERT … SELECT generate_series``. Then it renders the staff analysis page
(``/workspace/surveys/analysis/?period=2026-Q3&by=team``, charts and all) through the Django
test client a few times and prints the timings, with the query count of one render.

    uv run python bench/surveys_analysis.py            # build, then time
    uv run python bench/surveys_analysis.py --reuse    # time again on the database built
    uv run python bench/surveys_analysis.py --responses 20000   # a smaller build

The database is ``fivestar_bench_surveys`` (``BENCH_PG_URL`` to change).
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sla_sweep import (  # the shared helpers of the benchmarks
    _column_values,
    database_exists,
    recreate_database,
    setup_django,
)

PG_URL = os.environ.get("BENCH_PG_URL",
                        "postgres://postgres@127.0.0.1:5432/fivestar_bench_surveys")
TEAMS = 5
LIMIT_MS = 500


def _insert(cursor, model, given: dict[str, str], source: str, params: list) -> None:
    columns, values = _column_values(model, given)
    cursor.execute(f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) '
                   f"SELECT {', '.join(values)} FROM {source}", params)


def build(*, responses: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from fivestar.accounts.models import Department, User
    from fivestar.accounts.services import grant_roles
    from fivestar.customers.models import Customer
    from fivestar.surveys.models import Invitation, SurveyResponse, SurveyTemplate
    from fivestar.tickets.models import Ticket

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - started:.1f} s")
    boss = User.objects.create_user("bench-boss", password="bench")
    grant_roles(user=boss, roles=["supervisor"])
    teams = [Department.objects.create(code=f"bench-{i}", name=f"服务{i + 1}组").pk
             for i in range(TEAMS)]
    customer = Customer.objects.create(name="压测客户", phone="13800000000")
    template = SurveyTemplate.objects.get(code="default", is_current=True)

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        for prefix, count, start, days in (("Q3", responses, "2026-07-01", 91),
                                           ("Q2", max(responses // 10, 1), "2026-04-01", 90)):
            at = (f"(timestamptz '{start} 00:00+08' + (i %% {days}) * interval '1 day' "
                  f"+ (i %% 600) * interval '1 minute')")
            _insert(cursor, Ticket, {
                "number": f"'SV{prefix}-' || lpad(i::text, 9, '0')", "type": "'repair'",
                "channel": "(ARRAY['phone','web','sms'])[1 + i %% 3]", "priority": "'P3'",
                "status": "'closed'", "customer_id": str(customer.pk),
                "department_id": f"(ARRAY{teams})[1 + i %% {TEAMS}]", "title": "'空调不制冷'",
                "received_at": at, "closed_at": at,
            }, "generate_series(1, %s) AS i", [count])
        ticket_table = Ticket._meta.db_table
        _insert(cursor, Invitation, {
            "kind": "'routine'", "status": "'answered'", "ticket_id": "t.id",
            "customer_id": "t.customer_id", "template_id": str(template.pk),
            "due_at": "t.closed_at", "sent_at": "t.closed_at", "answered_at": "t.closed_at",
            "expires_at": "t.closed_at + interval '7 days'",
            "department_id": "t.department_id", "ticket_channel": "t.channel",
            "problem_type": "t.type",
        }, f'"{ticket_table}" t WHERE t.number LIKE %s', ["SV%"])
        score = "(4 + ((t.id * {k}) %% 7))"
        _insert(cursor, SurveyResponse, {
            "invitation_id": "v.id", "template_id": str(template.pk),
            "customer_id": "t.customer_id", "ticket_id": "t.id", "channel": "'link'",
            # The first team is weaker in timeliness.
            "timeliness": f"CASE WHEN t.department_id = {teams[0]} THEN 4 + (t.id %% 5) "
                          f"ELSE {score.format(k=3)} END",
            "ability": score.format(k=5), "attitude": score.format(k=7),
            "professionalism": score.format(k=11), "communication": score.format(k=13),
            "solved": "t.id %% 4 <> 0", "valid": "t.id %% 10 <> 0",
            "invalid_reasons": "CASE WHEN t.id %% 10 = 0 THEN '[\"straight_lining\"]'::jsonb "
                               "ELSE '[]'::jsonb END",
            "submitted_at": "t.closed_at + interval '2 hours'", "kind": "'routine'",
            "department_id": "t.department_id", "ticket_channel": "t.channel",
            "problem_type": "t.type",
        }, f'"{Invitation._meta.db_table}" v JOIN "{ticket_table}" t ON t.id = v.ticket_id',
            [])
        cursor.execute("ANALYZE")
    print(f"{SurveyResponse.objects.count():,} responses in "
          f"{time.perf_counter() - started:.1f} s")


def measure(rounds: int = 5) -> float:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fivestar.accounts.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(User.objects.get(username="bench-boss"))
    url = "/workspace/surveys/analysis/?period=2026-Q3&by=team"
    timings = []
    for _round in range(rounds):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        assert b"<svg" in response.content, "not fit to analyse?"
    with CaptureQueriesContext(connection) as queries:
        client.get(url, secure=True)
    best, worst = min(timings), max(timings)
    print(f"analysis page, 2026-Q3 by team: best {best:.0f} ms, worst {worst:.0f} ms over "
          f"{rounds} renders ({len(queries)} queries); limit {LIMIT_MS} ms")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=200_000)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    if not (args.reuse and database_exists(PG_URL)):
        recreate_database(PG_URL)
        setup_django(PG_URL, Path(tempfile.mkdtemp()))
        build(responses=args.responses)
    else:
        setup_django(PG_URL, Path(tempfile.mkdtemp()))
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # a newer index, if any
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    best = measure()
    sys.exit(0 if best < LIMIT_MS else 1)


if __name__ == "__main__":
    main()
