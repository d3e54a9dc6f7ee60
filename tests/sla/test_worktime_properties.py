"""Property tests of the working-time arithmetic (issue 3 capability 2) over random calendars:
random intervals (lunch breaks, midnight ends), random overrides, zones with and without
daylight saving time (30-minute DST on Lord Howe, a midnight switch in Santiago)."""

from datetime import UTC, date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fivestar.sla import worktime
from fivestar.sla.worktime import (
    END_OF_DAY,
    CalendarSnapshot,
    add_working_time,
    make_snapshot,
    working_intervals_on,
    working_time_between,
)
from tests.sla.calendars import LUNCH_BREAK, official_snapshot

PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
ZONES = ["Asia/Shanghai", "UTC", "Asia/Kolkata", "Europe/Berlin", "America/New_York",
         "Australia/Lord_Howe", "America/Santiago"]
FIXED_OFFSET_ZONES = ["Asia/Shanghai", "UTC", "Asia/Kolkata"]


def _point(quarter: int) -> time:
    return END_OF_DAY if quarter == 96 else time(quarter // 4, quarter % 4 * 15)


@st.composite
def weekly_intervals(draw, *, monday_required: bool = True):
    intervals = []
    for weekday in range(7):
        minimum = 2 if weekday == 0 and monday_required else 0
        points = sorted(draw(st.lists(st.integers(0, 96), unique=True, min_size=minimum,
                                      max_size=6)))
        if len(points) % 2:
            points = points[:-1]
        intervals += [(weekday, _point(a), _point(b)) for a, b in zip(points[::2], points[1::2],
                                                                      strict=True)]
    return intervals


@st.composite
def calendars(draw, zones=ZONES):
    overrides = draw(st.dictionaries(
        st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 6, 30)),
        st.sampled_from(["holiday", "workday"]), max_size=40,
    ))
    return make_snapshot(
        code="random", time_zone=draw(st.sampled_from(zones)),
        intervals=draw(weekly_intervals()),
        holidays=[day for day, kind in overrides.items() if kind == "holiday"],
        workdays=[day for day, kind in overrides.items() if kind == "workday"],
    )


fixed_calendars = st.one_of(
    st.just(official_snapshot()),
    st.just(official_snapshot(intervals=LUNCH_BREAK)),
    st.just(official_snapshot(time_zone="Europe/Berlin")),
)
any_calendar = st.one_of(fixed_calendars, calendars())
instants = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2027, 6, 30)).map(
    lambda naive: naive.replace(tzinfo=UTC)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=15))


def _lands_on_working_time(moment: datetime, calendar: CalendarSnapshot, *, strictly: bool):
    local_day = moment.astimezone(calendar.tz).date()
    for day in (local_day - timedelta(days=1), local_day):
        for begin, end in working_intervals_on(day, calendar):
            if begin <= moment <= end and (begin < moment or not strictly):
                return True
    return False


@PROPERTY
@given(calendar=any_calendar, start=instants, duration=durations)
def test_between_inverts_add(calendar, start, duration):
    due = add_working_time(start, duration, calendar)
    assert due >= start
    assert working_time_between(start, due, calendar) == duration


@PROPERTY
@given(calendar=any_calendar, start=instants, first=durations, second=durations)
def test_add_is_monotonic_in_the_duration(calendar, start, first, second):
    low, high = sorted((first, second))
    assert add_working_time(start, low, calendar) <= add_working_time(start, high, calendar)


@PROPERTY
@given(calendar=any_calendar, start=instants, duration=durations)
def test_add_lands_inside_working_time_or_on_a_boundary(calendar, start, duration):
    due = add_working_time(start, duration, calendar)
    # A positive duration ends on consumed working time: never on an interval's start, never
    # a moment after its end.
    assert _lands_on_working_time(due, calendar, strictly=duration > timedelta(0))


@PROPERTY
@given(calendar=any_calendar, instants3=st.lists(instants, min_size=3, max_size=3))
def test_between_is_additive(calendar, instants3):
    start, middle, end = sorted(instants3)
    assert (working_time_between(start, middle, calendar)
            + working_time_between(middle, end, calendar)
            == working_time_between(start, end, calendar))


@PROPERTY
@given(zone=st.sampled_from(ZONES), start=instants, duration=durations, other=instants)
def test_24x7_is_plain_elapsed_time(zone, start, duration, other):
    calendar = make_snapshot(code="always", time_zone=zone, is_24x7=True)
    assert add_working_time(start, duration, calendar) == start + duration
    low, high = sorted((start, other))
    assert working_time_between(low, high, calendar) == high - low


@PROPERTY
@given(calendar=calendars(), start=instants, duration=st.timedeltas(
    min_value=timedelta(0), max_value=timedelta(days=60)))
def test_skipping_whole_weeks_changes_nothing(calendar, start, duration):
    fast_due = add_working_time(start, duration, calendar)
    fast_between = working_time_between(start, fast_due + timedelta(days=3), calendar)
    with mock.patch.object(worktime, "_plain_week", return_value=False):
        assert add_working_time(start, duration, calendar) == fast_due
        assert working_time_between(start, fast_due + timedelta(days=3), calendar) == (
            fast_between
        )


def _brute_force_minutes(calendar: CalendarSnapshot, start: datetime, end: datetime) -> int:
    """Working minutes in [start, end) by looking at the wall clock of every minute."""
    zone = ZoneInfo(calendar.time_zone)
    week = {weekday: [] for weekday in range(7)}
    for weekday, spans in enumerate(calendar.week):
        week[weekday] = spans
    count, moment = 0, start
    while moment < end:
        local = moment.astimezone(zone)
        day = local.date()
        if day in calendar.holidays:
            spans = ()
        elif day in calendar.workdays:
            spans = calendar.adjusted_workday
        else:
            spans = week[day.weekday()]
        offset = timedelta(hours=local.hour, minutes=local.minute)
        count += any(begin <= offset < finish for begin, finish in spans)
        moment += timedelta(minutes=1)
    return count


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendar=calendars(zones=FIXED_OFFSET_ZONES), start=instants,
       span_minutes=st.integers(0, 6 * 24 * 60))
def test_between_matches_a_minute_by_minute_count(calendar, start, span_minutes):
    start = start.replace(second=0, microsecond=0)
    end = start + timedelta(minutes=span_minutes)
    expected = _brute_force_minutes(calendar, start, end)
    assert working_time_between(start, end, calendar) == timedelta(minutes=expected)
