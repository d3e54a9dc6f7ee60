"""Calendar helpers for the SLA tests: wall-clock constructors and pure snapshots (no database)
for the property tests."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from fivestar.sla import official
from fivestar.sla.models import OverrideKind
from fivestar.sla.worktime import CalendarSnapshot, make_snapshot

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
MON_FRI_9_18 = [(weekday, time(9), time(18)) for weekday in range(5)]
LUNCH_BREAK = [
    (weekday, start, end)
    for weekday in range(5)
    for start, end in ((time(9), time(12)), (time(13), time(18)))
]


def cn(*args) -> datetime:
    """A wall-clock time in Asia/Shanghai (+08:00)."""
    return datetime(*args, tzinfo=SHANGHAI)


def de(*args) -> datetime:
    """A wall-clock time in Europe/Berlin (CET/CEST)."""
    return datetime(*args, tzinfo=BERLIN)


def official_snapshot(*, code: str = "cn", intervals=MON_FRI_9_18, years=(2026,),
                      time_zone: str = "Asia/Shanghai") -> CalendarSnapshot:
    """Working intervals plus China's official days of ``years``, without the database."""
    holidays, workdays = [], []
    for year in years:
        for item in official.official_days(year) or ():
            (workdays if item.kind == OverrideKind.WORKDAY else holidays).append(item.day)
    return make_snapshot(code=code, time_zone=time_zone, intervals=intervals,
                         holidays=holidays, workdays=workdays, years_with_data=years)
