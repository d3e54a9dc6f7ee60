"""API v1 schemas of the SLA engine: the bodies of the ticket actions it adds, calendars,
policies, the deadline preview and the replay of a draft policy (DESIGN.md "API v1 contract":
times ISO 8601 with offset; durations ISO 8601, e.g. ``PT4H``, or seconds)."""

from datetime import date, datetime, time, timedelta
from typing import Literal

from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict, field_validator

from fivestar.sla.worktime import END_OF_DAY
from fivestar.tickets.models import Channel, Priority, TicketType
from fivestar.tickets.schemas import ChannelCode, PriorityCode, TypeCode

# A policy's matchers: one of the codes, or "" for any.
AnyPriority = Literal[("", *Priority.values)]  # type: ignore[valid-type]
AnyType = Literal[("", *TicketType.values)]  # type: ignore[valid-type]
AnyChannel = Literal[("", *Channel.values)]  # type: ignore[valid-type]

# --- ticket actions -------------------------------------------------------------------------


class ExtendIn(Schema):
    """延期 (SPEC §3): ``target`` (a running deadline, e.g. ``resolve``), ``due_at`` (the new
    time agreed with the customer, ISO 8601 with offset), ``reason`` (required),
    ``customer_agreed`` (must be true)."""

    target: str = Field(..., max_length=20)
    due_at: AwareDatetime
    reason: str = Field(..., max_length=5000)
    customer_agreed: bool


class DecideExtensionIn(Schema):
    """审批延期: ``decision`` (required: ``approve`` moves the deadline to the time the customer
    agreed; ``decline`` leaves it), ``note``."""

    decision: Literal["approve", "decline"] | None = None
    note: str = Field("", max_length=5000)


class ArriveIn(Schema):
    """上门到达: the technician is on site, which meets the visit deadline; ``note``."""

    note: str = Field("", max_length=5000)


# --- calendars ------------------------------------------------------------------------------


def _clock_text(value: time, *, end: bool = False) -> str:
    if end and value == END_OF_DAY:
        return "24:00"
    return f"{value:%H:%M}" if not value.second else f"{value:%H:%M:%S}"


class IntervalIn(Schema):
    weekday: int = Field(..., description="0 = 周一 … 6 = 周日")
    start: time
    end: time = Field(..., description="24:00（或 00:00）表示当天结束")

    @field_validator("end", mode="before")
    @classmethod
    def _midnight(cls, value):
        # 24:00 is how people write the end of the day; the model stores it as 00:00.
        return "00:00" if value in ("24:00", "24:00:00") else value


class IntervalOut(Schema):
    weekday: int
    start: str
    end: str

    @staticmethod
    def of(row) -> dict:
        return {"weekday": row.weekday, "start": _clock_text(row.start),
                "end": _clock_text(row.end, end=True)}


class OverrideIn(Schema):
    kind: Literal["holiday", "workday"]
    name: str = Field("", max_length=60)


class OverrideOut(Schema):
    date: date
    kind: str
    name: str
    source: str


class YearIn(Schema):
    has_official_data: bool


class YearOut(Schema):
    year: int
    has_official_data: bool
    synced_at: datetime | None


class CalendarIn(Schema):
    code: str = Field(..., max_length=40)
    name: str = Field(..., max_length=100)
    time_zone: str = Field("Asia/Shanghai", max_length=64)
    is_24x7: bool = False
    is_default: bool = False
    follows_official_holidays: bool = True
    adjusted_workday_weekday: int = Field(0, ge=0, le=6)
    intervals: list[IntervalIn] = Field(default_factory=list, max_length=200)


class CalendarPatch(Schema):
    """Only the fields given change; ``intervals`` replaces the weekly working time."""

    name: str | None = Field(None, max_length=100)
    time_zone: str | None = Field(None, max_length=64)
    is_24x7: bool | None = None
    is_default: bool | None = None
    follows_official_holidays: bool | None = None
    adjusted_workday_weekday: int | None = Field(None, ge=0, le=6)
    intervals: list[IntervalIn] | None = Field(None, max_length=200)


class CalendarOut(Schema):
    code: str
    name: str
    time_zone: str
    is_24x7: bool
    is_default: bool
    follows_official_holidays: bool
    adjusted_workday_weekday: int
    intervals: list[IntervalOut]
    missing_holiday_years: list[int] = Field(
        description="今明两年中缺少官方节假日数据的年份：这些年份只按每周工作时段计算")
    warnings: list[str]
    updated_at: datetime


class CalendarDetail(CalendarOut):
    overrides: list[OverrideOut]
    years: list[YearOut]


# --- policies -------------------------------------------------------------------------------


class TargetIn(Schema):
    name: str = Field(..., max_length=20)
    duration: timedelta
    outside_hours_duration: timedelta | None = None
    calendar: str | None = Field(None, max_length=40, description="日历代码；空：7×24 自然时间")
    hours_calendar: str | None = Field(None, max_length=40)
    start_event: str = Field(..., max_length=40)
    stop_events: list[str] = Field(..., max_length=20)
    restart_events: list[str] = Field(default_factory=list, max_length=20)
    pause_statuses: list[str] = Field(default_factory=lambda: ["waiting_customer"],
                                      max_length=20)


class PolicyIn(Schema):
    name: str = Field(..., max_length=100)
    order: int = Field(100, ge=0, le=1_000_000)
    priority: AnyPriority = ""
    ticket_type: AnyType = ""
    channel: AnyChannel = ""
    customer_tier: str = Field("", max_length=10)
    product_line: str | None = Field(None, max_length=40, description="产品线代码")
    is_active: bool = True
    warn_at_percent: int | None = Field(None, description="省略：默认 80")
    escalation_step: timedelta | None = Field(None, description="省略：默认 30 分钟")
    targets: list[TargetIn] = Field(..., max_length=20)


class TargetOut(Schema):
    name: str
    duration: timedelta
    outside_hours_duration: timedelta | None
    calendar: str | None
    hours_calendar: str | None
    start_event: str
    stop_events: list[str]
    restart_events: list[str]
    pause_statuses: list[str]


class PolicyOut(Schema):
    id: int
    name: str
    order: int
    priority: str
    ticket_type: str
    channel: str
    customer_tier: str
    product_line: str | None
    is_active: bool
    warn_at_percent: int
    escalation_step: timedelta
    targets: list[TargetOut]
    updated_at: datetime


class RecomputeOut(Schema):
    tickets_checked: int
    tickets_changed: int
    clocks_changed: int


# --- preview and replay ---------------------------------------------------------------------


class PreviewQuery(Schema):
    priority: PriorityCode
    type: TypeCode | None = None
    channel: ChannelCode | None = None
    received_at: AwareDatetime | None = Field(None, description="默认为现在")


class PreviewDeadline(Schema):
    due_at: datetime
    state: Literal["running", "paused"]
    breached: bool
    calendar_unconfirmed: bool = Field(
        description="计算跨越了没有确认节假日数据的年份：截止时间可能不准"
    )


class PolicyRef(Schema):
    id: int
    name: str


class PreviewOut(Schema):
    policy: PolicyRef | None
    received_at: datetime
    deadlines: dict[str, PreviewDeadline]


class DraftIn(PolicyIn):
    """A policy as it would be: only ``targets`` is required."""

    name: str = Field("draft", max_length=100)


class ReplayIn(Schema):
    model_config = ConfigDict(populate_by_name=True)

    policy: DraftIn
    period_from: AwareDatetime = Field(..., alias="from")
    period_to: AwareDatetime = Field(..., alias="to")


class OutcomeCounts(Schema):
    met: int
    breached: int
    open: int
    cancelled: int


class TargetReplay(Schema):
    draft: OutcomeCounts
    actual: OutcomeCounts


class ReplayOut(Schema):
    tickets: int
    targets: dict[str, TargetReplay]
