"""Working calendars (SPEC §3): time zone, weekly working intervals, per-date overrides.

A calendar is data. The default one is Monday–Friday 09:00–18:00 Asia/Shanghai with China's
statutory holidays off and the adjusted working days (调休) on, copied in as overrides by
``fivestar calendar sync``; the built-in ``24x7`` calendar counts every second. The arithmetic
over a calendar lives in ``fivestar.sla.worktime``; the rules that keep a calendar valid live in
``fivestar.sla.services``.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fivestar.sla.worktime import END_OF_DAY, time_zone_or_none


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("周一")
    TUESDAY = 1, _("周二")
    WEDNESDAY = 2, _("周三")
    THURSDAY = 3, _("周四")
    FRIDAY = 4, _("周五")
    SATURDAY = 5, _("周六")
    SUNDAY = 6, _("周日")


class OverrideKind(models.TextChoices):
    HOLIDAY = "holiday", _("休息日")
    WORKDAY = "workday", _("工作日")


class OverrideSource(models.TextChoices):
    MANUAL = "manual", _("手工录入")
    OFFICIAL = "official", _("官方数据")


def validate_time_zone_name(value: str) -> None:
    """Model/form validator: ``value`` must be an IANA time zone name such as Asia/Shanghai."""
    if time_zone_or_none(value) is None:
        raise ValidationError(
            _("未知的时区：%(value)s（应为 IANA 时区名，如 Asia/Shanghai）。"),
            code="invalid_time_zone", params={"value": value},
        )


class Calendar(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    time_zone = models.CharField(
        _("时区"), max_length=64, default="Asia/Shanghai",
        validators=[validate_time_zone_name], help_text=_("IANA 时区名，如 Asia/Shanghai。"),
    )
    is_24x7 = models.BooleanField(
        _("全天候（7×24）"), default=False,
        help_text=_("每一秒都计时：不看工作时段，也不看节假日。"),
    )
    is_default = models.BooleanField(_("默认日历"), default=False)
    follows_official_holidays = models.BooleanField(
        _("同步国家法定节假日"), default=True,
        help_text=_("“fivestar calendar sync” 把中国法定节假日和调休上班日写入本日历。"),
    )
    adjusted_workday_weekday = models.PositiveSmallIntegerField(
        _("调休上班按"), choices=Weekday.choices, default=Weekday.MONDAY,
        help_text=_("调休上班日使用这一天的工作时段。"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["-is_default", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True),
                name="sla_calendar_one_default",
                violation_error_message=_("只能有一个默认日历。"),
            ),
            models.CheckConstraint(
                condition=Q(adjusted_workday_weekday__lte=6),
                name="sla_calendar_adjusted_weekday_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class WorkingInterval(models.Model):
    """One stretch of working time on a weekday, in the calendar's wall-clock time.

    Several per day are allowed (09:00–12:00 and 13:00–18:00 around lunch); they may not
    overlap. An end of 00:00 means 24:00, the end of the day.
    """

    calendar = models.ForeignKey(
        Calendar, verbose_name=_("日历"), on_delete=models.CASCADE, related_name="intervals"
    )
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"), help_text=_("00:00 表示 24:00（当天结束）。"))

    class Meta:
        verbose_name = _("工作时段")
        verbose_name_plural = _("工作时段")
        ordering = ["calendar", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")) | Q(end=END_OF_DAY),
                name="sla_interval_start_before_end",
                violation_error_message=_("开始时间必须早于结束时间。"),
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="sla_interval_weekday"),
        ]

    def __str__(self) -> str:
        end = "24:00" if self.end == END_OF_DAY else f"{self.end:%H:%M}"
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{end}"


class CalendarOverride(models.Model):
    """One date that differs from the week: a holiday off, or a working day on (调休上班).

    A ``workday`` uses the intervals of the calendar's ``adjusted_workday_weekday`` (Monday by
    default). ``official`` rows come from ``fivestar calendar sync``; an administrator's
    ``manual`` row is never overwritten by a sync.
    """

    calendar = models.ForeignKey(
        Calendar, verbose_name=_("日历"), on_delete=models.CASCADE, related_name="overrides"
    )
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=OverrideKind.choices)
    name = models.CharField(_("名称"), max_length=60, blank=True)
    source = models.CharField(
        _("来源"), max_length=10, choices=OverrideSource.choices, default=OverrideSource.MANUAL
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("日期例外")
        verbose_name_plural = _("日期例外")
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"], name="sla_override_one_per_date",
                violation_error_message=_("同一日历的同一天只能有一条例外。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(models.Model):
    """Which years of a calendar have holiday data (SPEC §3: a year without it is flagged)."""

    calendar = models.ForeignKey(
        Calendar, verbose_name=_("日历"), on_delete=models.CASCADE, related_name="years"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    has_official_data = models.BooleanField(
        _("已有节假日数据"), default=False,
        help_text=_("已从官方数据同步，或管理员已手工录入并确认该年的节假日和调休。"),
    )
    synced_at = models.DateTimeField(_("同步时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("日历年份")
        verbose_name_plural = _("日历年份")
        ordering = ["calendar", "year"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "year"], name="sla_calendar_year_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.calendar_id} {self.year}"
