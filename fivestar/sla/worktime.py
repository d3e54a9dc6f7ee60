"""Working-time arithmetic over a calendar (SPEC §3): pure functions, no database access.

``selectors.load_calendar()`` reads a calendar once into a :class:`CalendarSnapshot` (immutable);
:func:`add_working_time` and :func:`working_time_between` then work on that snapshot alone.

Definitions
-----------
* Working time is a set of half-open instants ``[start, end)`` per local date: the weekday's
  intervals, none on a ``holiday`` override, the intervals of the calendar's
  ``adjusted_workday_weekday`` (Monday by default) on a ``workday`` override (调休上班).
* ``add_working_time(start, d)`` returns the instant at which the last needed microsecond of
  ``d`` is consumed, counting from ``start`` or — when ``start`` is outside working time — from
  the next working moment. That instant lies inside an interval or exactly on its end (18:00,
  never a moment after it). ``add_working_time(start, 0)`` is the next working moment (``start``
  itself when it is inside working time).
* ``working_time_between(start, end)`` is the working time inside ``[start, end)``; the two are
  inverse: ``working_time_between(s, add_working_time(s, d)) == d``.
* Exact to the microsecond: all arithmetic is on UTC instants and ``timedelta``.
* Time zones: working intervals are wall-clock times in the calendar's zone; an interval lasts
  the *real* time between the instants of its wall-clock start and end. In a zone with daylight
  saving time (Europe/Berlin) a 09:00–18:00 day is 9 real hours on every day, and a 01:00–04:00
  night shift is 2 h on the spring-forward day and 4 h on the autumn day. A wall-clock time that
  occurs twice (autumn) means its first occurrence; one that does not exist (inside the spring
  gap) means the instant the clocks jump. That reading never runs backwards, so a day's
  intervals stay ordered; they are also clipped to the day, so days never overlap.
* 24×7: every instant is working time; the arithmetic is plain elapsed time (``start + d`` in
  real time, also across a DST change).
* Results are aware datetimes in UTC (shown in any zone with ``astimezone``). Not in the
  calendar's zone on purpose: Python compares a datetime inside a DST fold as unequal to every
  datetime of another zone (PEP 495), and subtracts two datetimes of one ZoneInfo by wall clock.
* Cost: proportional to the number of days spanned, and whole weeks without overrides or a
  UTC-offset change are skipped in one step, so a year costs a few dozen day computations.
"""

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fivestar.core.errors import ValidationFailed

#: The end time that stands for 24:00 (the end of the day) in a working interval.
END_OF_DAY = time(0)
#: The longest duration the arithmetic accepts (about ten years of working time is plenty).
MAX_DURATION = timedelta(days=3660)

_ONE_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)
_WEEKDAY_NAMES = (
    gettext_noop("周一"), gettext_noop("周二"), gettext_noop("周三"), gettext_noop("周四"),
    gettext_noop("周五"), gettext_noop("周六"), gettext_noop("周日"),
)


class Hours(NamedTuple):
    """One working interval of a weekday in wall-clock time; ``end == 00:00`` means 24:00."""

    weekday: int
    start: time
    end: time


# An interval of one day as offsets from local midnight: (start, end), end ≤ 24 h.
_Span = tuple[timedelta, timedelta]


def _offset(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


def _span(start: time, end: time) -> _Span:
    return _offset(start), (_ONE_DAY if end == END_OF_DAY else _offset(end))


def _fmt(t: time) -> str:
    return f"{t:%H:%M}" if not t.second and not t.microsecond else f"{t:%H:%M:%S}"


def _fmt_hours(h: Hours) -> str:
    end = "24:00" if h.end == END_OF_DAY else _fmt(h.end)
    return f"{_(_WEEKDAY_NAMES[h.weekday])} {_fmt(h.start)}–{end}"


# --- validation -----------------------------------------------------------------------------


def time_zone_or_none(name: str) -> ZoneInfo | None:
    """The IANA time zone called ``name``, or None when there is no such zone."""
    if not name or not isinstance(name, str):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def zone_for(name: str, *, field: str = "time_zone") -> ZoneInfo:
    """The IANA zone ``name`` or ``ValidationFailed`` naming ``field`` (SPEC §3: calendars)."""
    zone = time_zone_or_none(name)
    if zone is None:
        raise ValidationFailed(
            _("未知的时区：%(name)s。") % {"name": name},
            fields={field: [_("应为 IANA 时区名，如 Asia/Shanghai。")]},
        )
    return zone


def validate_intervals(
    intervals: Iterable[tuple[int, time, time]], *, adjusted_workday_weekday: int = 0,
    field: str = "intervals",
) -> list[Hours]:
    """Check a calendar's weekly working intervals (SPEC §3) and return them sorted.

    Rules: weekday 0–6 (Monday = 0); start before end (an end of 00:00 is 24:00); no two
    intervals of one weekday overlap (touching is fine: 12:00–13:00 after 09:00–12:00); at least
    one interval in the week; the weekday an adjusted working day (调休上班) borrows its hours
    from has working time. Any break → ``ValidationFailed`` naming ``field``.
    """
    result: list[Hours] = []
    for weekday, start, end in intervals:
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValidationFailed(
                _("星期应为 0（周一）到 6（周日）。"), fields={field: [_("无效的星期。")]}
            )
        if not isinstance(start, time) or not isinstance(end, time):
            raise ValidationFailed(
                _("工作时段的开始和结束必须是时刻。"), fields={field: [_("无效的时刻。")]}
            )
        hours = Hours(weekday, start.replace(tzinfo=None), end.replace(tzinfo=None))
        begin, finish = _span(hours.start, hours.end)
        if begin >= finish:
            message = _("工作时段 %(hours)s 的开始时间必须早于结束时间。") % {
                "hours": _fmt_hours(hours)
            }
            raise ValidationFailed(message, fields={field: [message]})
        result.append(hours)
    result.sort(key=lambda h: (h.weekday, _span(h.start, h.end)))
    for previous, current in pairwise(result):
        if previous.weekday == current.weekday and (
            _span(current.start, current.end)[0] < _span(previous.start, previous.end)[1]
        ):
            message = _("工作时段 %(a)s 与 %(b)s 重叠。") % {
                "a": _fmt_hours(previous), "b": _fmt_hours(current)
            }
            raise ValidationFailed(message, fields={field: [message]})
    if not result:
        message = _("日历没有任何工作时间。请添加工作时段，或设为全天候（7×24）。")
        raise ValidationFailed(message, fields={field: [message]})
    if not isinstance(adjusted_workday_weekday, int) or not 0 <= adjusted_workday_weekday <= 6:
        raise ValidationFailed(
            _("星期应为 0（周一）到 6（周日）。"),
            fields={"adjusted_workday_weekday": [_("无效的星期。")]},
        )
    if not any(h.weekday == adjusted_workday_weekday for h in result):
        message = _("调休上班日按%(day)s的工作时段计算，但%(day)s没有工作时段。") % {
            "day": _(_WEEKDAY_NAMES[adjusted_workday_weekday])
        }
        raise ValidationFailed(message, fields={"adjusted_workday_weekday": [message]})
    return result


def _check_aware(moment: datetime, field: str) -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValidationFailed(
            _("时间必须带时区。"), fields={field: [_("需要带时区偏移的时间。")]}
        )
    return moment.astimezone(UTC)


def _check_duration(duration: timedelta) -> None:
    if not isinstance(duration, timedelta):
        raise ValidationFailed(_("时长无效。"), fields={"duration": [_("无效的时长。")]})
    if duration < timedelta(0):
        raise ValidationFailed(_("时长不能为负数。"), fields={"duration": [_("不能为负数。")]})
    if duration > MAX_DURATION:
        raise ValidationFailed(_("时长过长。"), fields={"duration": [_("最长约十年。")]})


# --- the snapshot ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CalendarSnapshot:
    """A calendar read once, ready for arithmetic. Build it with :func:`make_snapshot` (or
    ``selectors.load_calendar``), never field by field."""

    code: str
    time_zone: str
    tz: ZoneInfo
    is_24x7: bool
    #: Seven tuples (Monday first) of (start, end) offsets from local midnight, sorted.
    week: tuple[tuple[_Span, ...], ...]
    #: The intervals an adjusted working day (``workday`` override) uses.
    adjusted_workday: tuple[_Span, ...]
    holidays: frozenset[date]
    workdays: frozenset[date]
    #: Every override date, sorted: a week holding none of them can be skipped in one step.
    override_dates: tuple[date, ...]
    #: Working time of a week without overrides (nominal, wall-clock).
    week_length: timedelta
    #: Years whose holidays are known (synced or confirmed): :meth:`unconfirmed_between`.
    years_with_data: frozenset[int] = frozenset()

    @property
    def standard_day(self) -> timedelta:
        """The length of a standard working day: "N working days" = N × this (SPEC §3).

        It is the working time of the weekday that adjusted working days borrow (Monday by
        default): 9 h for Mon–Fri 09:00–18:00; 24 h on a 24×7 calendar.
        """
        if self.is_24x7:
            return _ONE_DAY
        return sum((end - start for start, end in self.adjusted_workday), timedelta(0))

    def working_days(self, days: int | float) -> timedelta:
        """``days`` working days as working time (3 → 27 h on the standard calendar)."""
        return self.standard_day * days

    def unconfirmed_between(self, start: datetime, end: datetime) -> bool:
        """Whether the local years from ``start`` to ``end`` include one without confirmed
        holiday data, so that working time counted there may be wrong (SPEC §3: such a year
        is flagged, never silently treated as all-working). A 24×7 calendar uses no holidays
        and is never unconfirmed. The arithmetic itself does not care; the flag is for people.
        """
        if self.is_24x7:
            return False
        first = _check_aware(start, "start").astimezone(self.tz).year
        last = _check_aware(end, "end").astimezone(self.tz).year
        return any(year not in self.years_with_data for year in range(first, last + 1))


def make_snapshot(
    *, code: str, time_zone: str, is_24x7: bool = False,
    intervals: Iterable[tuple[int, time, time]] = (),
    holidays: Iterable[date] = (), workdays: Iterable[date] = (),
    adjusted_workday_weekday: int = 0, years_with_data: Iterable[int] = (),
) -> CalendarSnapshot:
    """Validate a calendar's data and freeze it for the arithmetic (SPEC §3)."""
    tz = zone_for(time_zone)
    holiday_set, workday_set = frozenset(holidays), frozenset(workdays)
    if both := holiday_set & workday_set:
        raise ValidationFailed(
            _("同一天不能既是休息日又是工作日：%(day)s。") % {"day": min(both).isoformat()},
            fields={"overrides": [_("日期重复。")]},
        )
    if is_24x7:
        week: tuple[tuple[_Span, ...], ...] = tuple(() for _day in range(7))
        adjusted: tuple[_Span, ...] = ()
    else:
        checked = validate_intervals(intervals, adjusted_workday_weekday=adjusted_workday_weekday)
        week = tuple(
            tuple(_span(h.start, h.end) for h in checked if h.weekday == weekday)
            for weekday in range(7)
        )
        adjusted = week[adjusted_workday_weekday]
    week_length = sum((end - start for day in week for start, end in day), timedelta(0))
    return CalendarSnapshot(
        code=code, time_zone=time_zone, tz=tz, is_24x7=is_24x7, week=week,
        adjusted_workday=adjusted, holidays=holiday_set, workdays=workday_set,
        override_dates=tuple(sorted(holiday_set | workday_set)), week_length=week_length,
        years_with_data=frozenset(years_with_data),
    )


# --- days -----------------------------------------------------------------------------------


def _midnight(cal: CalendarSnapshot, day: date) -> datetime:
    """The first instant of local ``day``, in UTC."""
    return _instant(cal, day, timedelta(0))


def _instant(cal: CalendarSnapshot, day: date, offset: timedelta) -> datetime:
    """The UTC instant of wall-clock ``offset`` after local midnight of ``day`` (see the module
    docstring for times that occur twice or not at all)."""
    naive = datetime.combine(day, time(0)) + offset
    instant = naive.replace(tzinfo=cal.tz).astimezone(UTC)  # fold=0: the first occurrence
    if instant.astimezone(cal.tz).replace(tzinfo=None) == naive:
        return instant
    # In a spring-forward gap: find the jump between the two readings (whole seconds).
    low = naive.replace(tzinfo=cal.tz, fold=1).astimezone(UTC).replace(microsecond=0)
    high = instant
    after = high.astimezone(cal.tz).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + timedelta(seconds=int((high - low).total_seconds()) // 2)
        if middle.astimezone(cal.tz).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high


def _day_intervals(cal: CalendarSnapshot, day: date) -> tuple[tuple[datetime, datetime], ...]:
    """The working intervals of local ``day`` as UTC instants, sorted and disjoint."""
    if day in cal.holidays:
        return ()
    spans = cal.adjusted_workday if day in cal.workdays else cal.week[day.weekday()]
    if not spans:
        return ()
    floor, ceiling = _midnight(cal, day), _midnight(cal, day + _ONE_DAY)
    result = []
    for start, end in spans:
        begin = max(_instant(cal, day, start), floor)
        finish = min(_instant(cal, day, end), ceiling)
        if finish > begin:
            result.append((begin, finish))
            floor = finish
    return tuple(result)


def _plain_week(cal: CalendarSnapshot, day: date) -> bool:
    """True when the seven days from ``day`` hold no override and no UTC-offset change, so
    their working time is exactly ``week_length``."""
    index = bisect_left(cal.override_dates, day)
    if index < len(cal.override_dates) and cal.override_dates[index] < day + _WEEK:
        return False
    offsets = {
        datetime.combine(day + timedelta(days=n), time(0), tzinfo=cal.tz).utcoffset()
        for n in range(8)
    }
    return len(offsets) == 1


def working_intervals_on(day: date, calendar: CalendarSnapshot) -> list[tuple[datetime, datetime]]:
    """The working intervals of local ``day`` as (start, end) instants in UTC."""
    if calendar.is_24x7:
        return [(_midnight(calendar, day), _midnight(calendar, day + _ONE_DAY))]
    return list(_day_intervals(calendar, day))


def is_working_time(moment: datetime, calendar: CalendarSnapshot) -> bool:
    """Whether ``moment`` is inside working time (an interval's end is not)."""
    instant = _check_aware(moment, "moment")
    if calendar.is_24x7:
        return True
    day = instant.astimezone(calendar.tz).date()
    return any(a <= instant < b for a, b in _day_intervals(calendar, day))


def is_working_day(day: date, calendar: CalendarSnapshot) -> bool:
    """Whether local ``day`` has any working time (holidays off, 调休 days on)."""
    return calendar.is_24x7 or bool(_day_intervals(calendar, day))


# --- the arithmetic -------------------------------------------------------------------------


def add_working_time(start: datetime, duration: timedelta, calendar: CalendarSnapshot) -> datetime:
    """The instant ``duration`` of working time after ``start`` (SPEC §3 "N working days").

    Counting begins at ``start`` or at the next working moment; the result is where the last
    needed microsecond is consumed (possibly an interval's end, e.g. 18:00). Returned in the
    UTC. A negative or absurdly long duration, or a naive ``start``, raises
    ``ValidationFailed`` naming the field.
    """
    position = _check_aware(start, "start")
    _check_duration(duration)
    cal = calendar
    try:
        if cal.is_24x7:
            return position + duration
        return _add(cal, position, duration)
    except OverflowError as exc:  # a sparse calendar and a huge duration: past year 9999
        raise ValidationFailed(
            _("时长过长，截止时间超出可表示的范围。"), fields={"duration": [_("时长过长。")]}
        ) from exc


def _add(cal: CalendarSnapshot, position: datetime, duration: timedelta) -> datetime:
    remaining = duration
    day = position.astimezone(cal.tz).date()
    while True:
        if (remaining > cal.week_length and position == _midnight(cal, day)
                and _plain_week(cal, day)):
            remaining -= cal.week_length
            day += _WEEK
            position = _midnight(cal, day)
            continue
        for begin, finish in _day_intervals(cal, day):
            if finish <= position:
                continue
            begin = max(begin, position)
            available = finish - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
            position = finish
        day += _ONE_DAY
        position = _midnight(cal, day)


def working_time_between(start: datetime, end: datetime, calendar: CalendarSnapshot) -> timedelta:
    """The working time inside ``[start, end)`` (SPEC §3). ``end`` before ``start`` raises
    ``ValidationFailed`` naming ``end``."""
    low = _check_aware(start, "start")
    high = _check_aware(end, "end")
    if high < low:
        raise ValidationFailed(
            _("结束时间早于开始时间。"), fields={"end": [_("不能早于开始时间。")]}
        )
    cal = calendar
    if cal.is_24x7:
        return high - low
    total = timedelta(0)
    day = low.astimezone(cal.tz).date()
    last_day = high.astimezone(cal.tz).date()
    position = low
    while day <= last_day:
        if (day + _WEEK <= last_day and position == _midnight(cal, day)
                and _plain_week(cal, day)):
            total += cal.week_length
            day += _WEEK
            position = _midnight(cal, day)
            continue
        for begin, finish in _day_intervals(cal, day):
            begin, finish = max(begin, low), min(finish, high)
            if finish > begin:
                total += finish - begin
        day += _ONE_DAY
        position = _midnight(cal, day)
    return total


def next_working_moment(moment: datetime, calendar: CalendarSnapshot) -> datetime:
    """``moment`` itself when inside working time, else the start of the next interval."""
    return add_working_time(moment, timedelta(0), calendar)
