"""Queries on working calendars (SPEC §3): find a calendar, read it into a snapshot for the
arithmetic, and tell administrators which years lack holiday data.

Snapshots and policies are read on every intake (the clocks start there) and change rarely:
they are kept per process under the configuration version of ``fivestar.sla.cache``.
"""

import pickle
from datetime import date, timedelta

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from fivestar.core.errors import DomainError, NotFound
from fivestar.sla.cache import cached
from fivestar.sla.models import (
    Calendar,
    CalendarOverride,
    CalendarYear,
    OverrideKind,
    SlaPolicy,
    SlaTarget,
)
from fivestar.sla.worktime import CalendarSnapshot, Hours, is_working_day, make_snapshot


def get_calendar(*, code: str) -> Calendar:
    """The calendar with ``code`` or ``NotFound`` naming the field ``calendar``."""
    calendar = Calendar.objects.filter(code=code).first()
    if calendar is None:
        raise NotFound(_("没有这个日历：%(code)s。") % {"code": code},
                       fields={"calendar": [_("未知的日历。")]})
    return calendar


def default_calendar() -> Calendar:
    """The default working calendar (SPEC §3), or ``NotFound`` when none is marked."""
    calendar = Calendar.objects.filter(is_default=True).first()
    if calendar is None:
        raise NotFound(_("没有默认工作日历。"), fields={"calendar": [_("未设置默认日历。")]})
    return calendar


def load_calendar(code_or_obj: str | Calendar | None = None) -> CalendarSnapshot:
    """Read a calendar (by code, as a row, or the default one when None) with its intervals,
    overrides and known years into an immutable snapshot for ``worktime`` (SPEC §3).

    Four queries at most, whatever the span later computed over it, and none while this
    process holds a current copy (``fivestar.sla.cache``). Invalid data (an unknown time zone,
    no working time) raises ``ValidationFailed``, so no deadline is ever computed over a broken
    calendar (errors are not kept: the next call reads again).
    """
    if code_or_obj is None:
        return cached(("calendar", "default"), lambda: _snapshot(default_calendar()))
    if isinstance(code_or_obj, Calendar):
        calendar = code_or_obj
        # The row's own fields are part of the key: a caller holding an edited, unsaved row
        # gets a snapshot of what it holds.
        key = ("calendar", "row", calendar.pk, calendar.code, calendar.time_zone,
               calendar.is_24x7, calendar.adjusted_workday_weekday)
        return cached(key, lambda: _snapshot(calendar))
    return cached(("calendar", "code", code_or_obj),
                  lambda: _snapshot(get_calendar(code=code_or_obj)))


def is_default_working_day(day: date) -> bool:
    """Whether ``day`` is a working day of the default working calendar (SPEC §3); Monday to
    Friday when no default calendar is set up."""
    try:
        return is_working_day(day, load_calendar(None))
    except DomainError:  # no default calendar, or a broken one
        return day.weekday() < 5


def calendar_snapshot(*, calendar_id: int) -> CalendarSnapshot:
    """The snapshot of the calendar with this id (``load_calendar`` by id): no query while
    this process holds a current copy."""

    def load() -> CalendarSnapshot:
        calendar = Calendar.objects.filter(pk=calendar_id).first()
        if calendar is None:
            raise NotFound(_("没有这个日历。"), fields={"calendar": [_("未知的日历。")]})
        return _snapshot(calendar)

    return cached(("calendar", "id", calendar_id), load)


def _snapshot(calendar: Calendar) -> CalendarSnapshot:
    if calendar.is_24x7:
        return make_snapshot(code=calendar.code, time_zone=calendar.time_zone, is_24x7=True)
    intervals = [Hours(*row) for row in calendar.intervals.values_list("weekday", "start", "end")]
    holidays, workdays = [], []
    for day, kind in CalendarOverride.objects.filter(calendar=calendar).values_list(
        "date", "kind"
    ):
        (workdays if kind == OverrideKind.WORKDAY else holidays).append(day)
    years = CalendarYear.objects.filter(
        calendar=calendar, has_official_data=True
    ).values_list("year", flat=True)
    return make_snapshot(
        code=calendar.code, time_zone=calendar.time_zone, intervals=intervals,
        holidays=holidays, workdays=workdays,
        adjusted_workday_weekday=calendar.adjusted_workday_weekday, years_with_data=years,
    )


def _years_around(around: date | None) -> list[int]:
    year = (around or timezone.localdate()).year
    return [year, year + 1]


def years_missing_holiday_data(*, calendar: Calendar, around: date | None = None) -> list[int]:
    """The current and next year (of ``around``, default today) that lack holiday data for
    ``calendar`` — shown to administrators in admin and the API (SPEC §3: a year without
    official data is flagged, never silently treated as all-working). A 24×7 calendar uses no
    holidays and lacks nothing."""
    if calendar.is_24x7:
        return []
    wanted = _years_around(around)
    known = set(CalendarYear.objects.filter(
        calendar=calendar, year__in=wanted, has_official_data=True
    ).values_list("year", flat=True))
    return [year for year in wanted if year not in known]


def calendars_missing_holiday_data(
    *, around: date | None = None, years: list[int] | None = None,
) -> list[tuple[Calendar, list[int]]]:
    """Every calendar (24×7 excepted) with the years of ``years_missing_holiday_data`` (or of
    ``years`` when given) it lacks, for the administrators' warning; two queries."""
    wanted = _years_around(around) if years is None else years
    if not wanted:
        return []
    calendars = list(Calendar.objects.filter(is_24x7=False).order_by("code"))
    known: dict[int, set[int]] = {}
    for calendar_id, year in CalendarYear.objects.filter(
        calendar__in=calendars, year__in=wanted, has_official_data=True
    ).values_list("calendar_id", "year"):
        known.setdefault(calendar_id, set()).add(year)
    result = []
    for calendar in calendars:
        missing = [year for year in wanted if year not in known.get(calendar.pk, set())]
        if missing:
            result.append((calendar, missing))
    return result


#: How long before a year begins its missing holiday data is raised in the bell and on the
#: admin home page: the State Council publishes the coming year's days in late October or
#: November, so a warning earlier in the year could not be acted on and would teach people to
#: ignore it. The calendar pages themselves warn about next year all year round.
NEXT_YEAR_NOTICE = timedelta(days=92)


def holiday_data_gaps(*, today: date | None = None) -> list[tuple[Calendar, list[int]]]:
    """The calendars (24×7 excepted) lacking holiday data administrators must hear about
    (SPEC §3): this year at once, the coming year from ``NEXT_YEAR_NOTICE`` before it begins
    (from October 1). Two queries."""
    today = today or timezone.localdate()
    years = [today.year]
    if date(today.year + 1, 1, 1) - today <= NEXT_YEAR_NOTICE:
        years.append(today.year + 1)
    return calendars_missing_holiday_data(years=years)


def policy_for(*, ticket) -> SlaPolicy | None:
    """The active policy for ``ticket`` (SPEC §3): every matcher set on the policy must equal
    the ticket's value; the most specific match wins, ties go to the lower ``order``. Targets
    come prefetched. None when no policy matches.

    No query while this process holds a current copy of the active policies
    (``fivestar.sla.cache``); the policy returned is the caller's own copy, free to change.
    """
    line_id = None
    if ticket.product_model_id:
        line_id = ticket.product_model.product_line_id
    tier = ticket.customer.tier if ticket.customer_id else ""
    # A blank matcher on the policy means "any"; a set one must equal the ticket's own value.
    wanted = (ticket.priority, ticket.type, ticket.channel, tier)
    best = None
    for matchers, line, specificity, stored in cached(("policies",), _active_policies):
        if best is not None and specificity <= best[0]:
            continue
        if (line is None or line == line_id) and all(
            not value or value == own for value, own in zip(matchers, wanted, strict=True)
        ):
            best = (specificity, stored)
    return None if best is None else pickle.loads(best[1])


def _active_policies() -> list[tuple[tuple[str, ...], int | None, int, bytes]]:
    """Every active policy as (matchers, product line id, specificity, the pickled policy with
    its targets), in ``order, id`` order. Pickled, so that every caller gets its own objects."""
    policies = (
        SlaPolicy.objects.filter(is_active=True)
        .prefetch_related(Prefetch("targets", queryset=SlaTarget.objects.order_by("id")))
        .order_by("order", "id")
    )
    return [
        ((policy.priority, policy.ticket_type, policy.channel, policy.customer_tier),
         policy.product_line_id, policy.specificity, pickle.dumps(policy))
        for policy in policies
    ]
