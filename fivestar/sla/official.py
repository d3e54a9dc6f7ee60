"""China's statutory holidays and adjusted working days (调休), from ``chinese-calendar``.

The only module that reads the package: ``services.sync_official_holidays`` copies what it says
into ``CalendarOverride(source="official")`` rows (SPEC §3, DESIGN "holidays"), so that an
administrator can correct a day or add a year the package does not know yet.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import chinese_calendar

from fivestar.sla.models import OverrideKind


@dataclass(frozen=True, slots=True)
class OfficialDay:
    day: date
    kind: str  # OverrideKind
    name: str


@cache
def official_years() -> range:
    """The years the installed ``chinese-calendar`` has data for (2004–2026 in 1.11.0)."""
    known = list(chinese_calendar.holidays) + list(chinese_calendar.workdays)
    return range(min(known).year, max(known).year + 1)


def _chinese_name(english: str | None) -> str:
    for holiday in chinese_calendar.Holiday:
        if holiday.value == english:
            return holiday.chinese
    return english or ""


def official_days(year: int) -> list[OfficialDay] | None:
    """The year's statutory days off and adjusted working days, or None when the package has
    no data for ``year`` (never "no holidays": SPEC §3).

    A day off is named after its festival (春节); a day off given in lieu of a worked weekend
    is marked （调休）; a weekend day worked instead is "<festival>调休上班".
    """
    if year not in official_years():
        return None
    result = []
    day, last = date(year, 1, 1), date(year, 12, 31)
    while day <= last:
        is_holiday, english = chinese_calendar.get_holiday_detail(day)
        if english is not None:
            name = _chinese_name(english)
            if not is_holiday:
                result.append(OfficialDay(day, OverrideKind.WORKDAY, f"{name}调休上班"))
            elif chinese_calendar.is_in_lieu(day):
                result.append(OfficialDay(day, OverrideKind.HOLIDAY, f"{name}（调休）"))
            else:
                result.append(OfficialDay(day, OverrideKind.HOLIDAY, name))
        day += timedelta(days=1)
    return result
