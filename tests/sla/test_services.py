"""Calendar commands and queries (SPEC §3): valid calendars only, one default, manual
overrides, the snapshot loaded in a fixed number of queries, the missing-data warning."""

from datetime import date, time, timedelta

import pytest
from django.db import IntegrityError, transaction

from fivestar.core.errors import NotFound, ValidationFailed
from fivestar.sla.models import (
    Calendar,
    CalendarOverride,
    OverrideKind,
    OverrideSource,
    WorkingInterval,
)
from fivestar.sla.selectors import (
    calendars_missing_holiday_data,
    default_calendar,
    get_calendar,
    load_calendar,
    years_missing_holiday_data,
)
from fivestar.sla.services import (
    confirm_year,
    create_calendar,
    make_default_calendar,
    remove_override,
    set_override,
    set_working_intervals,
    sync_official_holidays,
    update_calendar,
)
from fivestar.sla.worktime import add_working_time, is_working_day
from tests.sla.calendars import LUNCH_BREAK, MON_FRI_9_18, cn

pytestmark = pytest.mark.django_db


def test_the_migration_made_the_standard_and_24x7_calendars(standard, always):
    assert standard.is_default and not standard.is_24x7
    assert standard.time_zone == "Asia/Shanghai"
    assert sorted(standard.intervals.values_list("weekday", "start", "end")) == [
        (weekday, time(9), time(18)) for weekday in range(5)
    ]
    assert always.is_24x7 and not always.is_default and not always.follows_official_holidays
    assert default_calendar() == standard
    snapshot = load_calendar()
    assert snapshot.code == "standard"
    assert snapshot.standard_day == timedelta(hours=9)
    assert snapshot.week_length == timedelta(hours=45)
    assert load_calendar("24x7").is_24x7


def test_load_calendar_reads_everything_in_a_few_queries(
    synced_2026, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        snapshot = load_calendar("standard")
    # … and the arithmetic never goes back to the database, whatever the span.
    with django_assert_max_num_queries(0):
        due = add_working_time(cn(2026, 1, 1), timedelta(hours=2000), snapshot)
        assert due > cn(2026, 11, 1)
        assert is_working_day(date(2026, 2, 14), snapshot)
    # The migration loaded every year the package knows (2004–2026); 2027 is not among them.
    assert snapshot.years_with_data == frozenset(range(2004, 2027))


def test_create_a_lunch_break_calendar_in_another_zone():
    calendar = create_calendar(code="outlet-sz", name="深圳网点", intervals=LUNCH_BREAK)
    assert calendar.intervals.count() == 10
    snapshot = load_calendar(calendar)
    assert add_working_time(cn(2026, 11, 24, 11, 30), timedelta(hours=1), snapshot) == cn(
        2026, 11, 24, 13, 30
    )
    berlin = create_calendar(code="berlin", name="柏林", time_zone="Europe/Berlin",
                             intervals=MON_FRI_9_18)
    assert load_calendar(berlin).time_zone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"intervals": [(0, time(9), time(12)), (0, time(11, 30), time(18))]}, "intervals"),
        ({"intervals": [(0, time(18), time(9))]}, "intervals"),
        ({"intervals": []}, "intervals"),
        ({"intervals": MON_FRI_9_18, "time_zone": "Asia/Beijing"}, "time_zone"),
        ({"intervals": MON_FRI_9_18, "time_zone": "Mars/Olympus"}, "time_zone"),
        ({"intervals": MON_FRI_9_18, "code": "standard"}, "code"),
        ({"intervals": MON_FRI_9_18, "code": "has space"}, "code"),
        ({"intervals": MON_FRI_9_18, "name": " "}, "name"),
        ({"intervals": MON_FRI_9_18, "adjusted_workday_weekday": 5},
         "adjusted_workday_weekday"),
    ],
)
def test_bad_calendars_are_refused_naming_the_field(standard, kwargs, field):
    arguments = {"code": "new", "name": "新日历", **kwargs}
    before = Calendar.objects.count()
    with pytest.raises(ValidationFailed) as error:
        create_calendar(**arguments)
    assert field in error.value.fields, error.value.fields
    assert error.value.status == 422
    assert Calendar.objects.count() == before


def test_a_24x7_calendar_needs_no_intervals():
    calendar = create_calendar(code="night", name="夜间值守", is_24x7=True)
    assert not calendar.follows_official_holidays
    assert load_calendar(calendar).is_24x7
    assert years_missing_holiday_data(calendar=calendar, around=date(2026, 11, 25)) == []
    with pytest.raises(ValidationFailed) as error:
        set_working_intervals(calendar=calendar, intervals=MON_FRI_9_18)
    assert "intervals" in error.value.fields
    # Turning 24×7 off needs working time first.
    with pytest.raises(ValidationFailed) as error:
        update_calendar(calendar=calendar, is_24x7=False)
    assert "intervals" in error.value.fields


def test_replacing_working_intervals(standard):
    set_working_intervals(calendar=standard, intervals=LUNCH_BREAK)
    assert load_calendar(standard).standard_day == timedelta(hours=8)
    for bad in ([], [(1, time(9), time(12)), (1, time(9), time(10))]):
        with pytest.raises(ValidationFailed) as error:
            set_working_intervals(calendar=standard, intervals=bad)
        assert "intervals" in error.value.fields
    assert standard.intervals.count() == 10  # unchanged by the refused calls


def test_update_calendar_validates(standard):
    with pytest.raises(ValidationFailed) as error:
        update_calendar(calendar=standard, time_zone="Nowhere/Land")
    assert "time_zone" in error.value.fields
    with pytest.raises(ValidationFailed) as error:
        update_calendar(calendar=standard, adjusted_workday_weekday=6)
    assert "adjusted_workday_weekday" in error.value.fields
    update_calendar(calendar=standard, name="总部日历", adjusted_workday_weekday=4)
    standard.refresh_from_db()
    assert (standard.name, standard.adjusted_workday_weekday) == ("总部日历", 4)


def test_one_default_calendar(standard):
    other = create_calendar(code="other", name="另一个", intervals=MON_FRI_9_18, is_default=True)
    standard.refresh_from_db()
    assert other.is_default and not standard.is_default
    assert default_calendar() == other
    make_default_calendar(calendar=standard)
    assert list(Calendar.objects.filter(is_default=True)) == [standard]
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Calendar.objects.filter(pk=other.pk).update(is_default=True)


def test_the_database_refuses_an_inverted_interval(standard):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkingInterval.objects.create(calendar=standard, weekday=0, start=time(18),
                                       end=time(9))
    # 00:00 as the end is 24:00 and is fine.
    WorkingInterval.objects.create(calendar=standard, weekday=5, start=time(20), end=time(0))


def test_a_calendar_broken_in_the_database_is_refused_by_load(standard):
    standard.intervals.all().delete()
    with pytest.raises(ValidationFailed) as error:
        load_calendar(standard)
    assert "intervals" in error.value.fields


def test_unknown_calendars():
    with pytest.raises(NotFound):
        get_calendar(code="missing")
    with pytest.raises(NotFound):
        load_calendar("missing")


def test_manual_overrides(synced_2026):
    calendar = synced_2026
    override = set_override(calendar=calendar, day=date(2026, 2, 24), kind=OverrideKind.HOLIDAY,
                            name="公司延长春节假")
    assert override.source == OverrideSource.MANUAL
    replaced = set_override(calendar=calendar, day=date(2026, 2, 14), kind=OverrideKind.HOLIDAY,
                            name="不调休")
    assert replaced.source == OverrideSource.MANUAL
    snapshot = load_calendar(calendar)
    # Friday 10:00 + 27 h: Fri 8 h, 02-14 now off, 02-24 off too → Wed 9 h, Thu 9 h, Fri 1 h.
    assert add_working_time(cn(2026, 2, 13, 10), timedelta(hours=27), snapshot) == cn(
        2026, 2, 27, 10
    )
    assert remove_override(calendar=calendar, day=date(2026, 2, 24))
    assert not remove_override(calendar=calendar, day=date(2026, 2, 24))
    with pytest.raises(ValidationFailed) as error:
        set_override(calendar=calendar, day=date(2026, 3, 2), kind="vacation")
    assert "kind" in error.value.fields
    assert CalendarOverride.objects.filter(calendar=calendar, date=date(2026, 3, 2)).count() == 0


def test_years_missing_holiday_data(unsynced, always):
    standard = unsynced
    around = date(2026, 11, 25)
    assert years_missing_holiday_data(calendar=standard, around=around) == [2026, 2027]
    assert years_missing_holiday_data(calendar=always, around=around) == []
    sync_official_holidays(calendar=standard, year=2026)
    assert years_missing_holiday_data(calendar=standard, around=around) == [2027]
    assert years_missing_holiday_data(calendar=standard, around=date(2025, 6, 1)) == [2025]
    assert [(c.code, years) for c, years in calendars_missing_holiday_data(around=around)] == [
        ("standard", [2027])
    ]
    confirm_year(calendar=standard, year=2027)
    assert calendars_missing_holiday_data(around=around) == []
    confirm_year(calendar=standard, year=2027, has_data=False)
    assert years_missing_holiday_data(calendar=standard, around=around) == [2027]
