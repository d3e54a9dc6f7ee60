"""Working calendars (SPEC §3): time zone, weekly working intervals, per-date overrides.

A calendar is data. The default one is Monday–Friday 09:00–18:00 Asia/Shanghai with China's
statutory holidays off and the adjusted working days (调休) on, copied in as overrides by the
``0009_official_holidays`` migration, the worker's periodic refresh and ``fivestar calendar
sync``; the built-in ``24x7`` calendar counts every second. The arithmetic
over a calendar lives in ``fivestar.sla.worktime``; the rules that keep a calendar valid live in
``fivestar.sla.services``.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
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


# --- policies and targets (SPEC §3 service standards) ----------------------------------------


class TargetName(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("首次响应")
    CONTACT = "contact", _("联系客户")
    ACCEPTANCE = "acceptance", _("受理评估")
    RESPOND = "respond", _("开始处理")
    RESOLVE = "resolve", _("解决")
    VISIT = "visit", _("上门")
    UPDATE = "update", _("进度更新")


def default_warn_percent() -> int:
    """SPEC §3: warn at 80 % of the allowed time. ``SLA_WARN_RATIO`` in the settings (0.8)
    changes the default a new policy starts with; each policy keeps its own value."""
    return round(float(getattr(settings, "SLA_WARN_RATIO", 0.8)) * 100)


def default_escalation_step() -> timedelta:
    """How long a breach waits before it goes one level up (assignee → supervisor → manager).
    ``SLA_ESCALATION_STEP`` in the settings changes the default of a new policy (30 min)."""
    return getattr(settings, "SLA_ESCALATION_STEP", timedelta(minutes=30))


class SlaPolicy(models.Model):
    """Which tickets a set of targets applies to (SPEC §3). Each blank matcher means "any";
    the policy with the most matchers set wins, ties go to the lower ``order``.

    ``warn_at_percent`` and ``escalation_step`` are the policy's warning point and escalation
    pace (SPEC §3 defaults: 80 %, then the assignee, the supervisor and the manager): data an
    administrator edits, read by new clocks and by the sweep.
    """

    name = models.CharField(_("名称"), max_length=100)
    order = models.PositiveIntegerField(_("顺序"), help_text=_("同样具体时，数字小的优先。"))
    priority = models.CharField(_("优先级"), max_length=2, blank=True)
    ticket_type = models.CharField(_("请求类型"), max_length=20, blank=True)
    channel = models.CharField(_("渠道"), max_length=10, blank=True)
    customer_tier = models.CharField(_("客户等级"), max_length=10, blank=True)
    product_line = models.ForeignKey(
        "products.ProductLine", verbose_name=_("产品线"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    warn_at_percent = models.PositiveSmallIntegerField(
        _("预警点（%）"), default=default_warn_percent,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("时限用去这一比例时提醒处理人（1–99）。"),
    )
    escalation_step = models.DurationField(
        _("升级间隔"), default=default_escalation_step,
        help_text=_("超时后仍无人处理，每隔这么久升级一级：处理人 → 主管 → 经理。"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    MATCHERS = ("priority", "ticket_type", "channel", "customer_tier", "product_line_id")

    class Meta:
        verbose_name = _("服务标准策略")
        verbose_name_plural = _("服务标准策略")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(warn_at_percent__gte=1) & Q(warn_at_percent__lte=99),
                name="sla_policy_warn_percent_range",
                violation_error_message=_("预警点应为 1 到 99 之间的百分数。"),
            ),
            models.CheckConstraint(
                condition=Q(escalation_step__gt=timedelta(0)),
                name="sla_policy_escalation_step_positive",
                violation_error_message=_("升级间隔必须大于零。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def specificity(self) -> int:
        return sum(1 for name in self.MATCHERS if getattr(self, name))


class SlaTarget(models.Model):
    """One deadline of a policy: how long, on which clock, started/stopped/paused by what.

    ``calendar`` null means the wall clock (24×7). ``outside_hours_duration`` (first response)
    replaces ``duration`` when the clock starts outside the working time of ``hours_calendar``
    (null: the default working calendar) — 10 min in working hours, 30 min otherwise.
    """

    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("策略"), on_delete=models.CASCADE, related_name="targets"
    )
    name = models.CharField(_("目标"), max_length=20, choices=TargetName.choices)
    duration = models.DurationField(_("时限"))
    outside_hours_duration = models.DurationField(_("非工作时间时限"), null=True, blank=True)
    hours_calendar = models.ForeignKey(
        Calendar, verbose_name=_("判断工作时间的日历"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("留空：默认工作日历。仅在设置了非工作时间时限时使用。"),
    )
    calendar = models.ForeignKey(
        Calendar, verbose_name=_("计时日历"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("留空：全天候（7×24）自然时间。"),
    )
    start_event = models.CharField(_("开始事件"), max_length=40)
    stop_events = models.JSONField(_("结束事件"), default=list)
    restart_events = models.JSONField(_("重新计时事件"), default=list, blank=True)
    pause_statuses = models.JSONField(_("暂停状态"), default=list, blank=True)

    class Meta:
        verbose_name = _("服务目标")
        verbose_name_plural = _("服务目标")
        ordering = ["policy", "name"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "name"], name="sla_target_one_per_name"),
            models.CheckConstraint(
                condition=Q(duration__gte=timedelta(0)), name="sla_target_duration_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.name}"


class ClockState(models.TextChoices):
    RUNNING = "running", _("计时中")
    PAUSED = "paused", _("已暂停")
    MET = "met", _("已达成")
    BREACHED = "breached", _("已超时")
    CANCELLED = "cancelled", _("已取消")


class SlaClock(models.Model):
    """One target's clock on one ticket. ``allowed`` is the time granted on the clock's
    ``calendar`` (null: wall clock) and ``extended`` the time added by agreed extensions;
    ``due_at = add(started_at, allowed + extended + paused_working)``, and the warning falls at
    ``warn_percent`` of ``allowed + extended``. ``original_due_at`` is the deadline before any
    extension (SPEC §3: kept for reporting). A clock is open until it is met (``met_at``) or
    cancelled; at most one open per target."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla_clocks"
    )
    name = models.CharField(_("目标"), max_length=20, choices=TargetName.choices)
    target = models.ForeignKey(
        SlaTarget, null=True, blank=True, on_delete=models.SET_NULL, related_name="clocks"
    )
    calendar = models.ForeignKey(
        Calendar, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    allowed = models.DurationField(_("时限"))
    started_at = models.DateTimeField(_("开始时间"))
    due_at = models.DateTimeField(_("截止时间"))
    original_due_at = models.DateTimeField(_("原截止时间"))
    # Working time (on the clock's calendar) granted by extensions agreed with the customer.
    extended = models.DurationField(_("延期增加的时间"), default=timedelta(0))
    warn_at = models.DateTimeField(_("预警时间"))
    # Computed over a year of its calendar without confirmed holiday data (or, for a target
    # with an outside-hours time, its working hours judged on such a day): the deadline may be
    # wrong and says so (SPEC §3). Kept with the deadline it describes, so data synced later
    # does not make an old deadline look confirmed.
    calendar_unconfirmed = models.BooleanField(_("节假日未确认"), default=False)
    # Copied from the policy when the clock starts: a later edit applies to new work only.
    warn_percent = models.PositiveSmallIntegerField(_("预警点（%）"),
                                                    default=default_warn_percent)
    paused_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    # Working time (on the clock's calendar) spent paused, and the pauses themselves.
    paused_working = models.DurationField(_("暂停的工作时间"), default=timedelta(0))
    pauses = models.JSONField(default=list, blank=True)
    met_at = models.DateTimeField(_("达成时间"), null=True, blank=True)
    breached_at = models.DateTimeField(_("超时时间"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    warned_at = models.DateTimeField(_("预警发送时间"), null=True, blank=True)
    # 1 = the assignee was told of the breach, 2 = the supervisor, 3 = the manager.
    escalation_level = models.PositiveSmallIntegerField(_("升级级别"), default=0)
    # When the breach goes one level up if the clock is still not met.
    escalate_at = models.DateTimeField(_("下次升级时间"), null=True, blank=True)
    # Recomputations (priority change): [{"at", "reason", "from_due", "to_due"}].
    changes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("服务计时")
        verbose_name_plural = _("服务计时")
        ordering = ["ticket", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "name"], name="sla_clock_one_open_per_target",
                condition=Q(met_at__isnull=True) & ~Q(state="cancelled"),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="sla_clock_state_due"),
            models.Index(fields=["state", "warn_at"], name="sla_clock_state_warn",
                         condition=Q(warned_at__isnull=True)),
            models.Index(fields=["escalate_at"], name="sla_clock_escalate_at",
                         condition=Q(escalate_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.name} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.state != ClockState.CANCELLED


class ExtensionStatus(models.TextChoices):
    APPLIED = "applied", _("已生效")
    PENDING = "pending", _("待主管批准")
    DECLINED = "declined", _("已驳回")


class SlaExtension(models.Model):
    """A deadline moved with the customer's agreement (SPEC §3 延期): the reason, the time the
    customer agreed, the deadline before and after, who recorded it and when.

    An extension beyond the limit (``sla.extensions.needs_approval``) asked for by someone who
    may not approve it waits ``pending`` — the deadline does not move — until a supervisor or
    manager of the ticket's department approves it (``applied``) or declines it."""

    clock = models.ForeignKey(
        SlaClock, verbose_name=_("服务计时"), on_delete=models.CASCADE, related_name="extensions"
    )
    from_due_at = models.DateTimeField(_("原截止时间"))
    agreed_due_at = models.DateTimeField(_("客户同意的时间"))
    # The deadline that results: ``agreed_due_at`` itself, or the end of the last working
    # stretch before it when the clock counts working time and the agreed time falls outside.
    to_due_at = models.DateTimeField(_("新截止时间"))
    reason = models.TextField(_("原因"))
    customer_agreed = models.BooleanField(_("客户已同意"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    status = models.CharField(_("状态"), max_length=10, choices=ExtensionStatus.choices,
                              default=ExtensionStatus.APPLIED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期记录")
        verbose_name_plural = _("延期记录")
        ordering = ["clock", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_due_at__gt=F("from_due_at")), name="sla_extension_moves_later",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.from_due_at:%Y-%m-%d %H:%M} → {self.to_due_at:%H:%M}"
