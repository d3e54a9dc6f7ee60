"""China's holiday data on a production install (SPEC §3): there after ``migrate`` with no
extra command, refreshed by the worker, and a missing coming year raised to administrators in
the bell and on the admin home page."""

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.urls import reverse

from fivestar.core import periodic
from fivestar.notifications.inbox import StaffNotification
from fivestar.sla.models import CalendarOverride, CalendarYear, OverrideSource
from fivestar.sla.selectors import holiday_data_gaps
from fivestar.sla.services import confirm_year, refresh_official_holidays
from tests.conftest import make_user
from tests.sla.calendars import cn

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh database by the production steps: the P3 of SPEC §3's National Day example.
EXAMPLE = """
import json
from datetime import datetime
from zoneinfo import ZoneInfo
from fivestar.sla.models import CalendarYear
from fivestar.sla.simulation import preview_deadlines
received = datetime(2026, 9, 30, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
preview = preview_deadlines(priority="P3", ticket_type="repair", channel="phone",
                            received_at=received)
print(json.dumps({
    "deadlines": {name: [d["due_at"].astimezone(ZoneInfo("Asia/Shanghai")).isoformat(),
                         d["calendar_unconfirmed"]] for name, d in preview.deadlines.items()},
    "years": sorted(CalendarYear.objects.filter(calendar__code="standard", has_official_data=True)
                    .values_list("year", flat=True)),
}))
"""


@pytest.fixture
def fresh_database_url(tmp_path):
    """An empty database beside the test database: a PostgreSQL one on the same server when the
    tests run on PostgreSQL, else an SQLite file."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    import psycopg

    settings = connection.settings_dict
    name = f"{settings['NAME']}_fresh"[:63]
    auth = quote(settings["USER"] or "")
    if settings["PASSWORD"]:
        auth += ":" + quote(settings["PASSWORD"])
    server = f"postgres://{auth}@{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fivestar(*args: str, url: str, var: Path) -> str:
    env = {**os.environ, "DATABASE_URL": url, "FIVESTAR_VAR_DIR": str(var),
           "DJANGO_SETTINGS_MODULE": "fivestar.settings"}
    env.pop("FIVESTAR_DEMO", None)
    done = subprocess.run([sys.executable, "-m", "fivestar.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_fresh_install_computes_national_day_2026_after_migrate_alone(fresh_database_url,
                                                                        tmp_path):
    fivestar("migrate", "--verbosity", "0", url=fresh_database_url, var=tmp_path)
    result = json.loads(fivestar("shell", "--no-imports", "--command", EXAMPLE,
                                 url=fresh_database_url, var=tmp_path))
    deadlines = result["deadlines"]
    # 2 h on 09-30, the holidays 10-01…10-07 off, 10-08 and 10-09, then 7 h on the working
    # Saturday 10-10 (国庆节调休上班): 16:00 — not Monday 10-05.
    assert deadlines["resolve"] == ["2026-10-10T16:00:00+08:00", False]
    assert deadlines["respond"] == ["2026-10-08T15:00:00+08:00", False]
    assert 2026 in result["years"]


@pytest.fixture
def admins(db):
    root = make_user("root-h", is_superuser=True, is_staff=True, email="root@example.com")
    admin = make_user("admin-h", "administrator", email="admin@example.com")
    return root, admin


def holiday_notices():
    return list(StaffNotification.objects.filter(dedupe_key__startswith="sla:holiday-data:")
                .order_by("recipient__username").values_list("recipient__username", "title"))


def test_the_test_database_itself_was_migrated_with_the_data(standard):
    assert CalendarYear.objects.get(calendar=standard, year=2026).has_official_data
    assert CalendarOverride.objects.get(calendar=standard, date=date(2026, 10, 10)).source == (
        OverrideSource.OFFICIAL)


def test_the_worker_refreshes_the_data_and_tells_administrators_once(standard, admins):
    # As if the package had been upgraded since the last sync: 2026's rows are gone.
    CalendarOverride.objects.filter(calendar=standard, date__year=2026).delete()
    CalendarYear.objects.filter(calendar=standard, year__gte=2026).delete()
    technician = make_user("tech-h", "technician")

    result = refresh_official_holidays(today=date(2026, 12, 4))

    assert result["missing"] == {"standard": [2027]}
    assert CalendarYear.objects.get(calendar=standard, year=2026).has_official_data
    assert CalendarOverride.objects.filter(calendar=standard, date__year=2026).count() == 39
    assert not CalendarYear.objects.get(calendar=standard, year=2027).has_official_data
    notices = holiday_notices()
    assert [username for username, _title in notices] == ["admin-h", "root-h"]
    assert all("2027" in title for _username, title in notices)
    assert not StaffNotification.objects.filter(recipient=technician).exists()
    refresh_official_holidays(today=date(2026, 12, 5))
    assert len(holiday_notices()) == 2
    # Entered and confirmed by hand: nothing more to say.
    confirm_year(calendar=standard, year=2027)
    assert refresh_official_holidays(today=date(2026, 12, 6))["missing"] == {}


def test_the_refresh_is_a_periodic_job_of_the_worker():
    jobs = {job.name: job for job in periodic.registered()}
    assert jobs["sla.holidays"].func is refresh_official_holidays
    assert 0 < jobs["sla.holidays"].every_seconds <= 24 * 3600


def test_next_year_is_raised_from_october_when_it_can_be_published(standard, admins):
    assert [(c.code, years) for c, years in holiday_data_gaps(today=date(2026, 6, 1))] == []
    assert [(c.code, years) for c, years in holiday_data_gaps(today=date(2026, 10, 1))] == [
        ("standard", [2027])]
    refresh_official_holidays(today=date(2026, 6, 1))
    assert holiday_notices() == []
    # The year itself without data is raised at once.
    assert [(c.code, years) for c, years in holiday_data_gaps(today=date(2027, 2, 1))] == [
        ("standard", [2027])]


def test_the_admin_home_warns_while_the_coming_year_has_no_data(admins, standard, client, now):
    root, _admin = admins
    client.force_login(root)
    now.set(cn(2026, 12, 4, 10, 0))
    page = client.get(reverse("admin:index")).content.decode()
    assert "2027" in page and "节假日" in page
    assert reverse("admin:sla_calendar_changelist") in page
    confirm_year(calendar=standard, year=2027)
    page = client.get(reverse("admin:index")).content.decode()
    assert "缺少 2027" not in page
    now.set(cn(2026, 6, 1, 10, 0))
    CalendarYear.objects.filter(calendar=standard, year=2027).delete()
    assert "缺少 2027" not in client.get(reverse("admin:index")).content.decode()
