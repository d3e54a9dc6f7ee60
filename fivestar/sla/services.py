"""Commands on working calendars (SPEC §3): create and edit calendars, their weekly working
intervals and per-date overrides, and copy China's statutory holidays in from the official data.

Every command validates first and raises ``ValidationFailed`` naming the field; the rules on
intervals are the ones the arithmetic relies on (``worktime.validate_intervals``).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fivestar.core.errors import DomainError, ValidationFailed
from fivestar.sla import official
from fivestar.sla.cache import bump as bump_sla_cache
from fivestar.sla.models import (
    Calendar,
    CalendarOverride,
    CalendarYear,
    OverrideKind,
    OverrideSource,
    Weekday,
    WorkingInterval,
)
from fivestar.sla.worktime import Hours, validate_intervals, zone_for

logger = logging.getLogger(__name__)


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写日历名称。"), fields={"name": [_("必填。")]})
    return name


def _check_code(code: str) -> str:
    from django.core.validators import validate_slug

    code = (code or "").strip()
    try:
        validate_slug(code)
    except Exception as exc:
        raise ValidationFailed(
            _("日历代码只能包含字母、数字、下划线和连字符。"),
            fields={"code": [_("无效的代码。")]},
        ) from exc
    if len(code) > 40:
        raise ValidationFailed(_("日历代码过长。"), fields={"code": [_("最多 40 个字符。")]})
    return code


def _replace_intervals(*, calendar: Calendar, intervals: list[Hours]) -> list[WorkingInterval]:
    calendar.intervals.all().delete()
    bump_sla_cache()  # bulk_create sends no signal
    return WorkingInterval.objects.bulk_create(
        WorkingInterval(calendar=calendar, weekday=h.weekday, start=h.start, end=h.end)
        for h in intervals
    )


def _current_intervals(calendar: Calendar) -> list[Hours]:
    return [Hours(i.weekday, i.start, i.end) for i in calendar.intervals.all()]


@transaction.atomic
def create_calendar(
    *, code: str, name: str, time_zone: str = "Asia/Shanghai",
    intervals: Iterable[tuple[int, time, time]] = (), is_24x7: bool = False,
    is_default: bool = False, follows_official_holidays: bool = True,
    adjusted_workday_weekday: int = Weekday.MONDAY,
) -> Calendar:
    """A new working calendar (SPEC §3 "calendars are data").

    A calendar other than 24×7 needs working time; overlapping or inverted intervals, an
    unknown time zone or a taken code raise ``ValidationFailed`` naming the field.
    """
    code, name = _check_code(code), _check_name(name)
    zone_for(time_zone)
    checked = [] if is_24x7 else validate_intervals(
        intervals, adjusted_workday_weekday=adjusted_workday_weekday
    )
    if Calendar.objects.filter(code=code).exists():
        raise ValidationFailed(_("日历代码已被使用。"), fields={"code": [_("已存在。")]})
    try:
        with transaction.atomic():
            calendar = Calendar.objects.create(
                code=code, name=name, time_zone=time_zone, is_24x7=is_24x7,
                follows_official_holidays=follows_official_holidays and not is_24x7,
                adjusted_workday_weekday=adjusted_workday_weekday,
            )
    except IntegrityError as exc:
        raise ValidationFailed(
            _("日历代码已被使用。"), fields={"code": [_("已存在。")]}
        ) from exc
    _replace_intervals(calendar=calendar, intervals=checked)
    if is_default:
        make_default_calendar(calendar=calendar)
    return calendar


@transaction.atomic
def update_calendar(
    *, calendar: Calendar, name: str | None = None, time_zone: str | None = None,
    is_24x7: bool | None = None, follows_official_holidays: bool | None = None,
    adjusted_workday_weekday: int | None = None,
    intervals: Iterable[tuple[int, time, time]] | None = None, is_default: bool | None = None,
) -> Calendar:
    """Change a calendar's settings (SPEC §3); ``None`` leaves a setting as it is.

    ``intervals`` replaces the weekly working time in the same step, so a calendar can stop
    being 24×7 and get its hours at once. Whatever changes, a calendar other than 24×7 ends with
    valid working time (else ``ValidationFailed`` naming ``intervals``); a 24×7 calendar takes
    no intervals. ``is_default=True`` makes it the default (``False`` alone is refused: there
    must be one default — make another calendar the default instead).
    """
    changed = []
    if name is not None:
        calendar.name = _check_name(name)
        changed.append("name")
    if time_zone is not None:
        zone_for(time_zone)
        calendar.time_zone = time_zone
        changed.append("time_zone")
    if is_24x7 is not None:
        calendar.is_24x7 = is_24x7
        changed.append("is_24x7")
    if follows_official_holidays is not None:
        calendar.follows_official_holidays = follows_official_holidays
        changed.append("follows_official_holidays")
    if adjusted_workday_weekday is not None:
        if adjusted_workday_weekday not in Weekday.values:
            raise ValidationFailed(_("星期应为 0（周一）到 6（周日）。"),
                                   fields={"adjusted_workday_weekday": [_("无效的星期。")]})
        calendar.adjusted_workday_weekday = adjusted_workday_weekday
        changed.append("adjusted_workday_weekday")
    if is_default is False and calendar.is_default:
        raise ValidationFailed(_("必须有一个默认日历：请把另一个日历设为默认。"),
                               fields={"is_default": [_("不能取消默认日历。")]})
    if intervals is not None:
        intervals = list(intervals)
        if calendar.is_24x7 and intervals:
            raise ValidationFailed(_("全天候（7×24）日历没有工作时段。"),
                                   fields={"intervals": [_("全天候日历不需要。")]})
        if not calendar.is_24x7:
            _replace_intervals(calendar=calendar, intervals=validate_intervals(
                intervals, adjusted_workday_weekday=calendar.adjusted_workday_weekday))
    if not calendar.is_24x7:
        validate_intervals(
            _current_intervals(calendar),
            adjusted_workday_weekday=calendar.adjusted_workday_weekday,
        )
    # Saved even without a changed setting: new intervals change the calendar too.
    calendar.save(update_fields=[*changed, "updated_at"])
    if is_default:
        make_default_calendar(calendar=calendar)
    return calendar


@transaction.atomic
def set_working_intervals(
    *, calendar: Calendar, intervals: Iterable[tuple[int, time, time]]
) -> list[WorkingInterval]:
    """Replace a calendar's weekly working intervals (SPEC §3), e.g. Mon–Fri 09:00–12:00 and
    13:00–18:00. Overlaps, inverted intervals or no working time at all → ``ValidationFailed``
    naming ``intervals``."""
    if calendar.is_24x7:
        raise ValidationFailed(
            _("全天候（7×24）日历没有工作时段。"), fields={"intervals": [_("全天候日历不需要。")]}
        )
    checked = validate_intervals(
        intervals, adjusted_workday_weekday=calendar.adjusted_workday_weekday
    )
    rows = _replace_intervals(calendar=calendar, intervals=checked)
    calendar.save(update_fields=["updated_at"])
    return rows


@transaction.atomic
def make_default_calendar(*, calendar: Calendar) -> Calendar:
    """Make ``calendar`` the default (SPEC §3: the working calendar); at most one is."""
    Calendar.objects.filter(is_default=True).exclude(pk=calendar.pk).update(is_default=False)
    bump_sla_cache()  # queryset.update sends no signal
    if not calendar.is_default:
        calendar.is_default = True
        calendar.save(update_fields=["is_default", "updated_at"])
    return calendar


def _check_kind(kind: str) -> str:
    if kind not in OverrideKind.values:
        raise ValidationFailed(
            _("例外类型只能是休息日或工作日。"), fields={"kind": [_("无效的类型。")]}
        )
    return kind


@transaction.atomic
def set_override(
    *, calendar: Calendar, day: date, kind: str, name: str = ""
) -> CalendarOverride:
    """An administrator's holiday or working day on one date (SPEC §3 per-date overrides).

    It is ``manual``: it replaces an official row for that date and no later sync changes it.
    """
    _check_kind(kind)
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValidationFailed(_("日期无效。"), fields={"date": [_("无效的日期。")]})
    override, _created = CalendarOverride.objects.update_or_create(
        calendar=calendar, date=day,
        defaults={"kind": kind, "name": (name or "").strip()[:60],
                  "source": OverrideSource.MANUAL},
    )
    calendar.save(update_fields=["updated_at"])
    return override


@transaction.atomic
def remove_override(*, calendar: Calendar, day: date) -> bool:
    """Remove the override on ``day``; the day follows the week again. True if one existed.

    Removing an official row lasts until the next sync brings it back; to keep a statutory
    day as an ordinary day, set a manual override instead.
    """
    deleted, _rows = CalendarOverride.objects.filter(calendar=calendar, date=day).delete()
    calendar.save(update_fields=["updated_at"])
    return bool(deleted)


@transaction.atomic
def confirm_year(*, calendar: Calendar, year: int, has_data: bool = True) -> CalendarYear:
    """An administrator states that ``year``'s holidays are entered by hand (or are not), which
    silences (or raises) the missing-data warning (SPEC §3)."""
    row, _created = CalendarYear.objects.update_or_create(
        calendar=calendar, year=year, defaults={"has_official_data": has_data}
    )
    return row


@dataclass(frozen=True, slots=True)
class YearSync:
    """What ``sync_official_holidays`` did for one calendar and year."""

    calendar: str
    year: int
    has_data: bool
    created: int = 0
    updated: int = 0
    removed: int = 0
    kept_manual: int = 0


def sync_official_holidays(
    *, calendar: Calendar, year: int, now: datetime | None = None
) -> YearSync:
    """Copy China's statutory holidays and adjusted working days (调休) of ``year`` into
    ``calendar`` as ``official`` overrides (SPEC §3).

    Idempotent. A ``manual`` override on the same date wins and is left alone; official rows the
    data no longer lists are removed. A year the package does not know is recorded with
    ``has_official_data=False`` (and keeps an administrator's confirmation if there is one),
    and ``has_data`` is False in the result so the caller warns: the arithmetic then uses the
    weekly intervals only, and administrators see the year flagged.
    """
    if calendar.is_24x7:
        raise ValidationFailed(
            _("全天候（7×24）日历不使用节假日。"), fields={"calendar": [_("全天候日历。")]}
        )
    now = now or timezone.now()
    days = official.official_days(year)
    with transaction.atomic():
        # One sync per calendar at a time: two workers syncing the same year queue here.
        Calendar.objects.select_for_update().filter(pk=calendar.pk).first()
        if days is None:
            CalendarYear.objects.get_or_create(
                calendar=calendar, year=year, defaults={"has_official_data": False}
            )
            logger.warning("no official holiday data for %s in %s", year, calendar.code)
            return YearSync(calendar=calendar.code, year=year, has_data=False)
        existing = {
            row.date: row for row in CalendarOverride.objects.filter(
                calendar=calendar, date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)
            )
        }
        wanted = {item.day: item for item in days}
        to_create, to_update, kept = [], [], 0
        for day, item in wanted.items():
            row = existing.get(day)
            if row is None:
                to_create.append(CalendarOverride(
                    calendar=calendar, date=day, kind=item.kind, name=item.name,
                    source=OverrideSource.OFFICIAL,
                ))
            elif row.source == OverrideSource.MANUAL:
                kept += 1
            elif (row.kind, row.name) != (item.kind, item.name):
                row.kind, row.name, row.updated_at = item.kind, item.name, now
                to_update.append(row)
        stale = [
            row.pk for day, row in existing.items()
            if day not in wanted and row.source == OverrideSource.OFFICIAL
        ]
        CalendarOverride.objects.bulk_create(to_create)
        CalendarOverride.objects.bulk_update(to_update, ["kind", "name", "updated_at"])
        bump_sla_cache()  # bulk writes send no signal
        if stale:
            CalendarOverride.objects.filter(pk__in=stale).delete()
        CalendarYear.objects.update_or_create(
            calendar=calendar, year=year,
            defaults={"has_official_data": True, "synced_at": now},
        )
        if to_create or to_update or stale:
            calendar.save(update_fields=["updated_at"])
    return YearSync(
        calendar=calendar.code, year=year, has_data=True, created=len(to_create),
        updated=len(to_update), removed=len(stale), kept_manual=kept,
    )


def refresh_official_holidays(*, today: date | None = None) -> dict:
    """The worker's periodic refresh of China's holidays (SPEC §3; ``SlaConfig.ready``
    registers it): copy what the installed ``chinese-calendar`` knows into every calendar that
    follows it, for the years of ``years_to_sync`` — a newer package version brings the next
    year's days, and a new year brings its own turn — then tell the administrators, once per
    year, of the years they must act on (``selectors.holiday_data_gaps``).

    Idempotent (``sync_official_holidays``); a calendar that fails is logged and the others go
    on. Returns how many official rows changed and which years still lack data, per calendar.
    """
    from fivestar.sla.selectors import holiday_data_gaps

    today = today or timezone.localdate()
    changed = 0
    for calendar in calendars_to_sync():
        try:
            for year in years_to_sync(today=today):
                result = sync_official_holidays(calendar=calendar, year=year)
                changed += result.created + result.updated + result.removed
        except DomainError:
            logger.exception("holidays of calendar %s not refreshed", calendar.code)
    gaps = holiday_data_gaps(today=today)
    notify_missing_holiday_data(gaps=gaps)
    return {"changed": changed, "missing": {calendar.code: years for calendar, years in gaps}}


def notify_missing_holiday_data(*, gaps: list[tuple[Calendar, list[int]]]) -> None:
    """One bell notice per administrator and year without holiday data (SPEC §3: flagged to
    administrators), naming the calendars concerned and what to do; a year already announced
    is not announced again."""
    from django.utils import translation

    from fivestar.accounts.selectors import active_administrators
    from fivestar.notifications.inbox import (
        StaffNotice,
        StaffNotificationKind,
        notify_staff_many,
    )
    from fivestar.notifications.selectors import language_of

    by_year: dict[int, list[Calendar]] = {}
    for calendar, years in gaps:
        for year in years:
            by_year.setdefault(year, []).append(calendar)
    if not by_year:
        return
    notices = []
    for person in active_administrators():
        with translation.override(language_of(person)):
            for year, calendars in sorted(by_year.items()):
                notices.append(StaffNotice(
                    person=person, kind=StaffNotificationKind.SLA_WARNING,
                    title=_("%(year)s 年没有法定节假日数据") % {"year": year},
                    body=_("日历%(names)s缺少 %(year)s 年的法定节假日和调休数据：该年的服务时限只"
                           "按每周工作时段计算（节假日当作工作日），并标注“节假日未确认”。"
                           "chinese-calendar 发布新版本后升级即可（worker 会自动同步），"
                           "或在后台“工作日历”中手工录入该年的节假日并确认年份。") % {
                        "names": "、".join(f"“{calendar.name}”" for calendar in calendars),
                        "year": year,
                    },
                    dedupe_key=f"sla:holiday-data:{year}",
                ))
    notify_staff_many(notices=notices)


def years_to_sync(*, today: date | None = None) -> list[int]:
    """The years a plain ``fivestar calendar sync`` covers: every year the official data knows
    from this year on, plus this year and the next even when unknown (so they get flagged)."""
    this_year = (today or timezone.localdate()).year
    known = official.official_years()
    return sorted({*range(max(this_year, known.start), known.stop), this_year, this_year + 1})


def calendars_to_sync() -> list[Calendar]:
    """Calendars that follow China's statutory holidays (the default one among them)."""
    return list(Calendar.objects.filter(follows_official_holidays=True, is_24x7=False))
