"""``fivestar calendar sync``: China's statutory holidays and 调休 days copied in as official
overrides (SPEC §3), idempotently, never over an administrator's manual override; a year
without data is flagged, never treated as all-working."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fivestar.sla import official
from fivestar.sla.models import CalendarOverride, CalendarYear, OverrideKind, OverrideSource
from fivestar.sla.selectors import load_calendar, years_missing_holiday_data
from fivestar.sla.services import (
    confirm_year,
    create_calendar,
    set_override,
    sync_official_holidays,
    years_to_sync,
)
from fivestar.sla.worktime import add_working_time, is_working_day
from tests.sla.calendars import MON_FRI_9_18, cn

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _before_any_sync(unsynced):
    """These tests copy the official days in themselves: ``standard`` starts without them."""


def run_sync(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("calendar", "sync", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def rows(calendar, year=2026):
    return sorted(CalendarOverride.objects.filter(calendar=calendar, date__year=year)
                  .values_list("date", "kind", "name", "source"))


def test_the_package_covers_2004_to_2026():
    assert official.official_years() == range(2004, 2027)
    assert official.official_days(2027) is None


def test_sync_2026_stores_the_official_days(standard, always):
    out, err = run_sync("--year", "2026")
    assert err == ""
    assert "standard 2026" in out
    stored = {day: (kind, name) for day, kind, name, _source in rows(standard)}
    assert len(stored) == 39
    assert {source for *_rest, source in rows(standard)} == {OverrideSource.OFFICIAL}
    assert stored[date(2026, 2, 14)] == (OverrideKind.WORKDAY, "春节调休上班")
    assert stored[date(2026, 2, 16)] == (OverrideKind.HOLIDAY, "春节")
    assert stored[date(2026, 2, 23)] == (OverrideKind.HOLIDAY, "春节（调休）")
    assert stored[date(2026, 10, 10)] == (OverrideKind.WORKDAY, "国庆节调休上班")
    assert stored[date(2026, 1, 4)] == (OverrideKind.WORKDAY, "元旦调休上班")
    year = CalendarYear.objects.get(calendar=standard, year=2026)
    assert year.has_official_data and year.synced_at is not None
    # The 24×7 calendar takes no holidays.
    assert not CalendarOverride.objects.filter(calendar=always).exists()
    assert is_working_day(date(2026, 10, 10), load_calendar(standard))


def test_sync_is_idempotent_and_keeps_manual_overrides(standard):
    # The company keeps Saturday 10-10 off (against the official 调休) and closes on 12-31.
    set_override(calendar=standard, day=date(2026, 10, 10), kind=OverrideKind.HOLIDAY,
                 name="公司统一休息")
    set_override(calendar=standard, day=date(2026, 12, 31), kind=OverrideKind.HOLIDAY,
                 name="年终盘点")
    first = sync_official_holidays(calendar=standard, year=2026)
    after_first = rows(standard)
    second = sync_official_holidays(calendar=standard, year=2026)
    assert rows(standard) == after_first
    assert (first.created, first.kept_manual) == (38, 1)
    assert (second.created, second.updated, second.removed, second.kept_manual) == (0, 0, 0, 1)
    kept = CalendarOverride.objects.get(calendar=standard, date=date(2026, 10, 10))
    assert (kept.kind, kept.name, kept.source) == (OverrideKind.HOLIDAY, "公司统一休息",
                                                   OverrideSource.MANUAL)
    assert CalendarOverride.objects.get(calendar=standard, date=date(2026, 12, 31)).source == (
        OverrideSource.MANUAL
    )
    calendar = load_calendar(standard)
    assert not is_working_day(date(2026, 10, 10), calendar)
    # Through the command, twice, too.
    run_sync("--year", "2026", "--calendar", "standard")
    out, _err = run_sync("--year", "2026", "--calendar", "standard")
    assert rows(standard) == after_first
    assert "保留手工 1" in out


def test_sync_repairs_official_rows_and_drops_ones_the_data_no_longer_has(standard):
    sync_official_holidays(calendar=standard, year=2026)
    CalendarOverride.objects.filter(calendar=standard, date=date(2026, 2, 16)).update(
        kind=OverrideKind.WORKDAY, name="错的"
    )
    CalendarOverride.objects.create(calendar=standard, date=date(2026, 3, 3),
                                    kind=OverrideKind.HOLIDAY, source=OverrideSource.OFFICIAL)
    result = sync_official_holidays(calendar=standard, year=2026)
    assert (result.created, result.updated, result.removed) == (0, 1, 1)
    assert CalendarOverride.objects.get(calendar=standard, date=date(2026, 2, 16)).kind == (
        OverrideKind.HOLIDAY
    )
    assert not CalendarOverride.objects.filter(calendar=standard, date=date(2026, 3, 3)).exists()


def test_a_year_without_official_data_is_flagged_not_treated_as_all_working(standard):
    sync_official_holidays(calendar=standard, year=2026)
    assert years_missing_holiday_data(calendar=standard, around=date(2026, 11, 25)) == [2027]

    _out, err = run_sync("--year", "2027")
    assert "2027" in err and "警告" in err
    year = CalendarYear.objects.get(calendar=standard, year=2027)
    assert not year.has_official_data
    assert not CalendarOverride.objects.filter(calendar=standard, date__year=2027).exists()
    assert years_missing_holiday_data(calendar=standard, around=date(2026, 11, 25)) == [2027]

    # The arithmetic still works in 2027, on the weekly intervals (the warning says so).
    calendar = load_calendar(standard)
    assert 2027 not in calendar.years_with_data
    assert add_working_time(cn(2027, 2, 5, 17), timedelta(hours=2), calendar) == cn(
        2027, 2, 8, 10
    )

    # An administrator who enters 2027 by hand confirms it; a later sync keeps that.
    confirm_year(calendar=standard, year=2027)
    sync_official_holidays(calendar=standard, year=2027)
    assert years_missing_holiday_data(calendar=standard, around=date(2026, 11, 25)) == []


def test_sync_without_a_year_covers_this_year_and_the_next(standard):
    _out, err = run_sync()
    this_year = timezone.localdate().year
    recorded = set(CalendarYear.objects.filter(calendar=standard).values_list("year", flat=True))
    assert {this_year, this_year + 1} <= recorded
    assert set(years_to_sync()) == recorded
    missing = years_missing_holiday_data(calendar=standard)
    for year in missing:
        assert str(year) in err


def test_years_to_sync():
    assert years_to_sync(today=date(2026, 11, 25)) == [2026, 2027]
    assert years_to_sync(today=date(2025, 3, 1)) == [2025, 2026]
    assert years_to_sync(today=date(2024, 3, 1)) == [2024, 2025, 2026]
    assert years_to_sync(today=date(2031, 3, 1)) == [2031, 2032]


def test_which_calendars_a_sync_touches(standard):
    outlet = create_calendar(code="berlin", name="柏林网点", time_zone="Europe/Berlin",
                             intervals=MON_FRI_9_18, follows_official_holidays=False)
    run_sync("--year", "2026")
    assert not CalendarOverride.objects.filter(calendar=outlet).exists()
    assert CalendarOverride.objects.filter(calendar=standard).count() == 39
    # Asked by name, any calendar but a 24×7 one can take the official days.
    run_sync("--year", "2026", "--calendar", "berlin")
    assert CalendarOverride.objects.filter(calendar=outlet).count() == 39
    with pytest.raises(CommandError):
        run_sync("--calendar", "24x7")
    with pytest.raises(CommandError):
        run_sync("--calendar", "nope")
    with pytest.raises(CommandError):
        run_sync("--year", "99999")


def test_sync_does_not_touch_other_years(standard):
    set_override(calendar=standard, day=date(2025, 12, 31), kind=OverrideKind.HOLIDAY)
    CalendarOverride.objects.create(calendar=standard, date=date(2027, 1, 1),
                                    kind=OverrideKind.HOLIDAY, source=OverrideSource.OFFICIAL,
                                    name="元旦")
    sync_official_holidays(calendar=standard, year=2026)
    assert CalendarOverride.objects.filter(calendar=standard, date__year=2025).count() == 1
    assert CalendarOverride.objects.filter(calendar=standard, date__year=2027).count() == 1


def test_the_command_help_renders():
    from fivestar.sla.management.commands.calendar import Command

    parser = Command().create_parser("fivestar", "calendar")
    assert "sync" in parser.format_help()
