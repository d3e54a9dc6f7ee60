"""The migrated ``standard`` and ``24x7`` calendars (``standard`` with the holiday data the
migration loads, or without it), a controllable "now", and the seeded configuration again for
transactional tests."""

import pytest
from django.db import connection

from fivestar.sla.models import Calendar, CalendarOverride, CalendarYear, OverrideSource
from fivestar.sla.services import sync_official_holidays


@pytest.fixture
def standard(db) -> Calendar:
    return Calendar.objects.get(code="standard")


@pytest.fixture
def unsynced(standard) -> Calendar:
    """``standard`` as before any holiday data was copied in (an install from before the data
    migration): no official dates, no year known."""
    CalendarOverride.objects.filter(calendar=standard, source=OverrideSource.OFFICIAL).delete()
    CalendarYear.objects.filter(calendar=standard).delete()
    return standard


@pytest.fixture
def always(db) -> Calendar:
    return Calendar.objects.get(code="24x7")


@pytest.fixture
def synced_2026(standard) -> Calendar:
    result = sync_official_holidays(calendar=standard, year=2026)
    assert result.has_data
    return standard


@pytest.fixture
def now(monkeypatch):
    from tests.sla.flow import Now

    return Now(monkeypatch)


@pytest.fixture
def concurrent_database(transactional_db):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite is one shared connection: use PostgreSQL or set "
                    "FIVESTAR_TEST_SQLITE to a file")


@pytest.fixture
def reseeded(concurrent_database):
    """The seeded calendars, policies and templates, again: a transactional test that ran
    before may have flushed the database."""
    from importlib import import_module

    from django.apps import apps

    for name in ("0002_default_calendars", "0004_default_policies",
                 "0005_sla_message_templates", "0007_default_visit_target",
                 "0009_official_holidays", "0010_rules_real_contact"):
        import_module(f"fivestar.sla.migrations.{name}").seed(apps, None)
