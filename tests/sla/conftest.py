"""The migrated ``standard`` and ``24x7`` calendars, and ``standard`` with 2026 synced."""

import pytest

from fivestar.sla.models import Calendar
from fivestar.sla.services import sync_official_holidays


@pytest.fixture
def standard(db) -> Calendar:
    return Calendar.objects.get(code="standard")


@pytest.fixture
def always(db) -> Calendar:
    return Calendar.objects.get(code="24x7")


@pytest.fixture
def synced_2026(standard) -> Calendar:
    result = sync_official_holidays(calendar=standard, year=2026)
    assert result.has_data
    return standard
