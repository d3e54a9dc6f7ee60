"""Working-time arithmetic (SPEC §3; issue 3 capability 2): the worked example, holidays and
调休, lunch breaks, 24×7, daylight saving time, long spans and bad input."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from fivestar.core.errors import ValidationFailed
from fivestar.sla import worktime
from fivestar.sla.models import CalendarOverride, OverrideKind
from fivestar.sla.selectors import load_calendar
from fivestar.sla.worktime import (
    add_working_time,
    is_working_day,
    is_working_time,
    make_snapshot,
    next_working_moment,
    working_intervals_on,
    working_time_between,
)
from tests.sla.calendars import (
    LUNCH_BREAK,
    MON_FRI_9_18,
    SHANGHAI,
    cn,
    de,
    official_snapshot,
)

HOUR = timedelta(hours=1)


# --- the worked example ----------------------------------------------------------------


@pytest.mark.django_db
def test_worked_example_p3_resolve_over_spring_festival(synced_2026):
    overrides = {
        row.date: row for row in CalendarOverride.objects.filter(
            calendar=synced_2026, date__range=(date(2026, 2, 13), date(2026, 2, 25))
        )
    }
    # Saturday 02-14 is an adjusted working day (调休上班) …
    assert overrides[date(2026, 2, 14)].kind == OverrideKind.WORKDAY
    assert overrides[date(2026, 2, 14)].source == "official"
    # … 02-15 to 02-23 are the Spring Festival holidays …
    for day in range(15, 24):
        assert overrides[date(2026, 2, day)].kind == OverrideKind.HOLIDAY, day
        assert overrides[date(2026, 2, day)].name.startswith("春节")
    # … and the days around are ordinary.
    assert {date(2026, 2, 13), date(2026, 2, 24), date(2026, 2, 25)}.isdisjoint(overrides)

    calendar = load_calendar("standard")
    received = cn(2026, 2, 13, 10, 0)
    three_working_days = calendar.working_days(3)
    assert three_working_days == timedelta(hours=27)
    due = add_working_time(received, three_working_days, calendar)
    assert due == cn(2026, 2, 25, 10, 0)
    assert due.astimezone(SHANGHAI).isoformat() == "2026-02-25T10:00:00+08:00"
    assert working_time_between(received, due, calendar) == timedelta(hours=27)


@pytest.mark.django_db
def test_worked_example_p1_respond_on_24x7_ignores_the_holiday(synced_2026, always):
    calendar = load_calendar("24x7")
    due = add_working_time(cn(2026, 2, 17, 23, 0), 2 * HOUR, calendar)
    assert due == cn(2026, 2, 18, 1, 0)
    assert working_time_between(cn(2026, 2, 17, 23), due, calendar) == 2 * HOUR


@pytest.mark.django_db
def test_without_holiday_data_the_festival_would_count_as_working_time(unsynced):
    # The year is not synced: the arithmetic still works on the weekly intervals (and the
    # administrators are warned, see test_sync) — which is why the sync matters.
    calendar = load_calendar(unsynced)
    assert add_working_time(cn(2026, 2, 13, 10), 27 * HOUR, calendar) == cn(2026, 2, 18, 10)


# --- received outside working time -------------------------------------------------------------


def test_received_on_a_holiday_counts_from_the_next_working_moment():
    calendar = official_snapshot()
    # Saturday 2026-10-03 is inside the National Day holidays (10-01 … 10-07).
    received = cn(2026, 10, 3, 15, 0)
    assert not is_working_time(received, calendar)
    assert next_working_moment(received, calendar) == cn(2026, 10, 8, 9, 0)
    assert add_working_time(received, timedelta(minutes=10), calendar) == cn(2026, 10, 8, 9, 10)
    assert working_time_between(received, cn(2026, 10, 8, 9, 10), calendar) == timedelta(
        minutes=10
    )


def test_received_on_a_weekend_or_at_night_counts_from_monday_morning():
    calendar = official_snapshot()
    assert add_working_time(cn(2026, 11, 28, 11), timedelta(minutes=30), calendar) == cn(
        2026, 11, 30, 9, 30
    )
    assert add_working_time(cn(2026, 11, 27, 20), HOUR, calendar) == cn(2026, 11, 30, 10)
    assert add_working_time(cn(2026, 11, 30, 6), HOUR, calendar) == cn(2026, 11, 30, 10)


def test_saturday_2026_10_10_is_a_working_day_once_2026_is_synced():
    synced = official_snapshot()
    assert is_working_day(date(2026, 10, 10), synced)
    assert is_working_time(cn(2026, 10, 10, 9, 30), synced)
    assert add_working_time(cn(2026, 10, 9, 17), 2 * HOUR, synced) == cn(2026, 10, 10, 10)
    # Sunday 2026-09-20 too; and the 调休 days off around them are off.
    assert is_working_day(date(2026, 9, 20), synced)
    assert not is_working_day(date(2026, 10, 7), synced)

    unsynced = official_snapshot(years=())
    assert not is_working_day(date(2026, 10, 10), unsynced)
    assert add_working_time(cn(2026, 10, 9, 17), 2 * HOUR, unsynced) == cn(2026, 10, 12, 10)


def test_an_adjusted_working_day_uses_the_designated_weekday():
    lunch = make_snapshot(code="x", time_zone="Asia/Shanghai", intervals=LUNCH_BREAK,
                          workdays=[date(2026, 10, 10)])
    assert [(a.astimezone(SHANGHAI).time(), b.astimezone(SHANGHAI).time())
            for a, b in working_intervals_on(date(2026, 10, 10), lunch)] == [
        (time(9), time(12)), (time(13), time(18)),
    ]
    short_friday = make_snapshot(
        code="y", time_zone="Asia/Shanghai",
        intervals=[*MON_FRI_9_18[:4], (4, time(9), time(15))],
        workdays=[date(2026, 10, 10)], adjusted_workday_weekday=4,
    )
    assert short_friday.standard_day == timedelta(hours=6)
    assert [(a.astimezone(SHANGHAI).time(), b.astimezone(SHANGHAI).time())
            for a, b in working_intervals_on(date(2026, 10, 10), short_friday)] == [
        (time(9), time(15)),
    ]


# --- boundaries and lunch breaks --------------------------------------------------------------


def test_lunch_break_calendar():
    calendar = make_snapshot(code="lunch", time_zone="Asia/Shanghai", intervals=LUNCH_BREAK)
    assert add_working_time(cn(2026, 11, 24, 11, 30), HOUR, calendar) == cn(2026, 11, 24, 13, 30)
    assert working_time_between(cn(2026, 11, 24, 11, 30), cn(2026, 11, 24, 13, 30),
                                calendar) == HOUR
    assert add_working_time(cn(2026, 11, 24, 12, 15), HOUR, calendar) == cn(2026, 11, 24, 14)
    assert add_working_time(cn(2026, 11, 24, 11), 3 * HOUR, calendar) == cn(2026, 11, 24, 15)
    assert not is_working_time(cn(2026, 11, 24, 12, 30), calendar)
    assert calendar.standard_day == timedelta(hours=8)


def test_the_result_can_be_an_interval_end_never_a_moment_after_it():
    calendar = official_snapshot()
    assert add_working_time(cn(2026, 11, 27, 17), HOUR, calendar) == cn(2026, 11, 27, 18)
    assert add_working_time(cn(2026, 11, 27, 17, 59, 59), timedelta(seconds=1),
                            calendar) == cn(2026, 11, 27, 18)
    # One more microsecond and it is Monday.
    assert add_working_time(cn(2026, 11, 27, 17), HOUR + timedelta(microseconds=1),
                            calendar) == cn(2026, 11, 30, 9, 0, 0, 1)


def test_zero_duration_is_the_next_working_moment():
    calendar = official_snapshot()
    assert add_working_time(cn(2026, 11, 24, 10), timedelta(0), calendar) == cn(2026, 11, 24, 10)
    assert add_working_time(cn(2026, 11, 27, 18), timedelta(0), calendar) == cn(2026, 11, 30, 9)
    assert working_time_between(cn(2026, 11, 24, 10), cn(2026, 11, 24, 10), calendar) == (
        timedelta(0)
    )


def test_exact_to_the_microsecond():
    calendar = official_snapshot()
    start = cn(2026, 11, 24, 9, 0, 0, 123456)
    duration = timedelta(hours=20, seconds=7, microseconds=1)
    due = add_working_time(start, duration, calendar)
    assert due == cn(2026, 11, 26, 11, 0, 7, 123457)
    assert working_time_between(start, due, calendar) == duration


def test_an_interval_may_end_at_midnight():
    calendar = make_snapshot(code="late", time_zone="Asia/Shanghai",
                             intervals=[(0, time(18), time(0)), (1, time(0), time(6))])
    assert add_working_time(cn(2026, 11, 23, 23), 2 * HOUR, calendar) == cn(2026, 11, 24, 1)
    assert add_working_time(cn(2026, 11, 23, 23), HOUR, calendar) == cn(2026, 11, 24, 0)
    assert working_time_between(cn(2026, 11, 23, 12), cn(2026, 11, 24, 12), calendar) == (
        12 * HOUR
    )


def test_inputs_in_any_zone_results_in_utc():
    calendar = official_snapshot()
    start_utc = cn(2026, 11, 24, 10).astimezone(UTC)
    due = add_working_time(start_utc, 2 * HOUR, calendar)
    assert due == cn(2026, 11, 24, 12)
    assert due.tzinfo is UTC


def test_a_result_inside_the_autumn_fold_compares_equal():
    # 01:30 on 2026-11-01 happens twice in New York; the result is still a plain instant.
    always = make_snapshot(code="a", time_zone="America/New_York", is_24x7=True)
    start = datetime(2026, 11, 1, 4, 30, tzinfo=UTC)  # 00:30 EDT
    due = add_working_time(start, HOUR, always)
    assert due == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # the first 01:30 (EDT)
    assert due.astimezone(ZoneInfo("America/New_York")).fold == 0


# --- time zones with daylight saving time ---------------------------------------------------


def berlin(intervals=MON_FRI_9_18, **kwargs):
    return make_snapshot(code="de", time_zone="Europe/Berlin", intervals=intervals, **kwargs)


def test_dst_zone_working_hours_are_wall_clock():
    calendar = berlin()
    # Spring forward on Sunday 2026-03-29: Friday 17:00 CET + 2 h = Monday 10:00 CEST.
    assert add_working_time(de(2026, 3, 27, 17), 2 * HOUR, calendar) == de(2026, 3, 30, 10)
    assert working_time_between(de(2026, 3, 27, 9), de(2026, 3, 30, 18), calendar) == 18 * HOUR
    # Fall back on Sunday 2026-10-25.
    assert add_working_time(de(2026, 10, 23, 17), 2 * HOUR, calendar) == de(2026, 10, 26, 10)
    # A whole year: 52 weeks of 45 h whatever the clocks do (2026 starts on a Thursday).
    assert working_time_between(de(2026, 1, 5), de(2027, 1, 4), calendar) == 52 * 45 * HOUR


def test_dst_switch_day_counts_real_elapsed_time():
    night = berlin([(6, time(1), time(4)), *MON_FRI_9_18])
    # Sunday 01:00–04:00: 2 real hours in spring (02:00 → 03:00), 4 in autumn (03:00 → 02:00).
    assert working_time_between(de(2026, 3, 29), de(2026, 3, 30), night) == 2 * HOUR
    assert working_time_between(de(2026, 10, 25), de(2026, 10, 26), night) == 4 * HOUR
    assert working_time_between(de(2026, 3, 22), de(2026, 3, 23), night) == 3 * HOUR
    # From 01:00 on the spring day: 01:00–02:00 CET and 03:00–04:00 CEST are the only 120
    # minutes; the 121st is on Monday morning.
    assert add_working_time(de(2026, 3, 29, 1), timedelta(minutes=120), night) == de(
        2026, 3, 29, 4
    )
    assert add_working_time(de(2026, 3, 29, 1), timedelta(minutes=150), night) == de(
        2026, 3, 30, 9, 30
    )
    # In autumn the repeated hour is worked: 01:00 CEST + 4 h = 04:00 CET.
    assert add_working_time(de(2026, 10, 25, 1), 4 * HOUR, night) == de(2026, 10, 25, 4)


def test_a_boundary_inside_the_spring_gap_is_the_moment_the_clocks_jump():
    gap = berlin([(6, time(2, 30), time(5)), *MON_FRI_9_18])
    ((begin, end),) = working_intervals_on(date(2026, 3, 29), gap)
    assert begin == de(2026, 3, 29, 3, 0)  # 02:30 does not exist: work starts at the jump
    assert end == de(2026, 3, 29, 5, 0)
    assert working_time_between(de(2026, 3, 29), de(2026, 3, 30), gap) == 2 * HOUR


def test_24x7_is_plain_elapsed_time_even_across_dst():
    always = make_snapshot(code="a", time_zone="Europe/Berlin", is_24x7=True,
                           holidays=[date(2026, 3, 29)])
    start = de(2026, 3, 28, 23)
    assert add_working_time(start, 6 * HOUR, always) == de(2026, 3, 29, 6)  # 5 wall hours later
    assert working_time_between(start, de(2026, 3, 29, 6), always) == 6 * HOUR
    assert is_working_time(de(2026, 3, 29, 12), always)
    assert always.standard_day == timedelta(days=1)


# --- long spans cost days, not minutes --------------------------------------------------------


@pytest.fixture
def day_counter(monkeypatch):
    calls = []
    real = worktime._day_intervals

    def counting(cal, day):
        calls.append(day)
        return real(cal, day)

    monkeypatch.setattr(worktime, "_day_intervals", counting)
    return calls


def test_a_year_of_working_time_costs_a_few_dozen_days(day_counter):
    calendar = make_snapshot(code="plain", time_zone="Asia/Shanghai", intervals=MON_FRI_9_18)
    start = cn(2026, 1, 5, 9)
    due = add_working_time(start, 52 * 45 * HOUR, calendar)
    assert due == cn(2027, 1, 1, 18)  # Friday of the 52nd week
    assert len(day_counter) <= 14  # whole weeks are skipped; only the edges are walked
    day_counter.clear()
    assert working_time_between(start, due, calendar) == 52 * 45 * HOUR
    assert len(day_counter) <= 14


def test_a_year_with_holidays_stays_proportional_to_days(day_counter):
    calendar = official_snapshot()
    start = cn(2026, 1, 1, 0)
    due = add_working_time(start, timedelta(hours=2000), calendar)
    walked = len(day_counter)
    days = (due.date() - start.date()).days
    assert walked <= days  # never more than one step per day …
    assert walked < days * 0.6  # … and most weeks go in one step
    day_counter.clear()
    assert working_time_between(start, due, calendar) == timedelta(hours=2000)
    assert len(day_counter) <= days


def test_ten_years_in_berlin_is_still_cheap(day_counter):
    calendar = berlin()
    start = de(2026, 1, 5, 9)
    end = de(2036, 1, 7, 10)  # a Monday, inside working time
    total = working_time_between(start, end, calendar)
    assert add_working_time(start, total, calendar) == end
    assert len(day_counter) < (end - start).days  # two walks, far fewer steps than days


# --- bad input ---------------------------------------------------------------------------------


def test_negative_duration_is_refused():
    calendar = official_snapshot()
    with pytest.raises(ValidationFailed) as error:
        add_working_time(cn(2026, 11, 24, 10), timedelta(seconds=-1), calendar)
    assert "duration" in error.value.fields
    assert error.value.status == 422


def test_absurd_duration_naive_times_and_reversed_spans_are_refused():
    calendar = official_snapshot()
    with pytest.raises(ValidationFailed) as error:
        add_working_time(cn(2026, 11, 24, 10), timedelta(days=100_000), calendar)
    assert "duration" in error.value.fields
    with pytest.raises(ValidationFailed) as error:
        add_working_time(cn(2026, 11, 24, 10).replace(tzinfo=None), HOUR, calendar)
    assert "start" in error.value.fields
    with pytest.raises(ValidationFailed) as error:
        working_time_between(cn(2026, 11, 24, 10), cn(2026, 11, 24, 9), calendar)
    assert "end" in error.value.fields


@pytest.mark.parametrize(
    ("intervals", "field"),
    [
        ([(0, time(9), time(12)), (0, time(11), time(14))], "intervals"),  # overlap
        ([(0, time(18), time(9))], "intervals"),  # inverted
        ([(0, time(9), time(9))], "intervals"),  # empty
        ([], "intervals"),  # no working time at all
        ([(7, time(9), time(18))], "intervals"),  # no such weekday
        ([(1, time(9), time(18))], "adjusted_workday_weekday"),  # Monday has no hours
    ],
)
def test_bad_intervals_are_refused_naming_the_field(intervals, field):
    with pytest.raises(ValidationFailed) as error:
        make_snapshot(code="bad", time_zone="Asia/Shanghai", intervals=intervals)
    assert field in error.value.fields


def test_touching_intervals_are_fine():
    calendar = make_snapshot(code="ok", time_zone="Asia/Shanghai",
                             intervals=[(0, time(9), time(12)), (0, time(12), time(13))])
    assert calendar.week_length == 4 * HOUR


def test_unknown_time_zone_is_refused():
    for name in ("Mars/Olympus_Mons", "", "../../etc/passwd"):
        with pytest.raises(ValidationFailed) as error:
            make_snapshot(code="bad", time_zone=name, intervals=MON_FRI_9_18)
        assert "time_zone" in error.value.fields
