"""API v1: the SLA engine (mounted under ``/api/v1/sla/``). Thin: parse the schema, check who
asks, call one service or selector, shape the answer.

Staff (every role but the customer) read calendars and policies and preview deadlines;
administrators change them, recompute open tickets and replay drafts (SPEC §3: the service
standards are data an administrator edits). Anyone else gets 403.
"""

from datetime import date

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja import Status as Answer

from fivestar.accounts.models import RoleCode, User
from fivestar.core.errors import NotFound, PermissionDenied, ValidationFailed
from fivestar.core.responses import answers
from fivestar.products.models import ProductLine
from fivestar.sla import services
from fivestar.sla.errors import SlaErrorCode
from fivestar.sla.models import Calendar, CalendarOverride, SlaPolicy, SlaTarget
from fivestar.sla.policies import PolicySpec, TargetSpec, create_policy, update_policy
from fivestar.sla.policies import validate_policy as check_policy
from fivestar.sla.recompute import recompute_open_deadlines
from fivestar.sla.schemas import (
    CalendarDetail,
    CalendarIn,
    CalendarOut,
    CalendarPatch,
    IntervalIn,
    IntervalOut,
    OverrideIn,
    OverrideOut,
    PolicyIn,
    PolicyOut,
    PreviewOut,
    PreviewQuery,
    RecomputeOut,
    ReplayIn,
    ReplayOut,
    YearIn,
    YearOut,
)
from fivestar.sla.selectors import (
    calendars_missing_holiday_data,
    get_calendar,
    years_missing_holiday_data,
)
from fivestar.sla.simulation import preview_deadlines, replay_draft

router = Router(tags=["sla"])


# --- who may ask ----------------------------------------------------------------------------


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not user.role_codes() - {RoleCode.CUSTOMER}:
        raise PermissionDenied(_("只有员工可以查看服务标准。"), code=SlaErrorCode.STAFF_ONLY)
    return user


def _administrator(request: HttpRequest) -> User:
    user = request.user
    if not user.has_role(RoleCode.ADMINISTRATOR):
        raise PermissionDenied(_("只有系统管理员可以修改服务标准。"),
                               code=SlaErrorCode.ADMINISTRATOR_ONLY)
    return user


# --- calendars ------------------------------------------------------------------------------


def _missing_warning(calendar: Calendar, years: list[int]) -> str:
    return _("日历“%(name)s”缺少 %(years)s 年的官方节假日数据：这些年份只按每周工作时段计算。"
             "请运行 “fivestar calendar sync”，或手工录入节假日后确认该年份。") % {
        "name": calendar.name, "years": "、".join(str(year) for year in years)}


def _calendar_payload(calendar: Calendar, *, missing: list[int]) -> dict:
    return {
        "code": calendar.code, "name": calendar.name, "time_zone": calendar.time_zone,
        "is_24x7": calendar.is_24x7, "is_default": calendar.is_default,
        "follows_official_holidays": calendar.follows_official_holidays,
        "adjusted_workday_weekday": calendar.adjusted_workday_weekday,
        "intervals": [IntervalOut.of(row) for row in calendar.intervals.all()],
        "missing_holiday_years": missing,
        "warnings": [_missing_warning(calendar, missing)] if missing else [],
        "updated_at": calendar.updated_at,
    }


def _calendar_detail(code: str) -> dict:
    calendar = get_calendar(code=code)
    payload = _calendar_payload(calendar, missing=years_missing_holiday_data(calendar=calendar))
    payload["overrides"] = [
        {"date": row.date, "kind": row.kind, "name": row.name, "source": row.source}
        for row in calendar.overrides.order_by("date")
    ]
    payload["years"] = [
        {"year": row.year, "has_official_data": row.has_official_data,
         "synced_at": row.synced_at}
        for row in calendar.years.order_by("year")
    ]
    return payload


def _intervals(items: list[IntervalIn] | None):
    if items is None:
        return None
    return [(item.weekday, item.start, item.end) for item in items]


@router.get("/calendars", response=answers(list[CalendarOut]), summary="List working calendars")
def list_calendars(request: HttpRequest):
    """Every calendar with its weekly working time, and a warning for each one that lacks
    official holiday data for this year or the next (SPEC §3)."""
    _staff(request)
    missing = {calendar.pk: years for calendar, years in calendars_missing_holiday_data()}
    calendars = Calendar.objects.prefetch_related("intervals")
    return [_calendar_payload(c, missing=missing.get(c.pk, [])) for c in calendars]


@router.get("/calendars/{code}", response=answers(CalendarDetail, 404),
            summary="Get a working calendar")
def get_calendar_detail(request: HttpRequest, code: str):
    _staff(request)
    return _calendar_detail(code)


@router.post("/calendars", response=answers({201: CalendarDetail}, 409, 413),
             summary="Create a working calendar")
def create_calendar(request: HttpRequest, payload: CalendarIn):
    _administrator(request)
    calendar = services.create_calendar(
        code=payload.code, name=payload.name, time_zone=payload.time_zone,
        intervals=_intervals(payload.intervals), is_24x7=payload.is_24x7,
        is_default=payload.is_default, follows_official_holidays=payload.follows_official_holidays,
        adjusted_workday_weekday=payload.adjusted_workday_weekday,
    )
    return Answer(201, _calendar_detail(calendar.code))


@router.patch("/calendars/{code}", response=answers(CalendarDetail, 404, 413),
              summary="Change a working calendar")
def update_calendar(request: HttpRequest, code: str, payload: CalendarPatch):
    _administrator(request)
    services.update_calendar(
        calendar=get_calendar(code=code), name=payload.name, time_zone=payload.time_zone,
        is_24x7=payload.is_24x7, follows_official_holidays=payload.follows_official_holidays,
        adjusted_workday_weekday=payload.adjusted_workday_weekday,
        intervals=_intervals(payload.intervals), is_default=payload.is_default,
    )
    return _calendar_detail(code)


@router.put("/calendars/{code}/intervals", response=answers(list[IntervalOut], 404, 413),
            summary="Replace the weekly working intervals")
def set_intervals(request: HttpRequest, code: str, payload: list[IntervalIn]):
    _administrator(request)
    rows = services.set_working_intervals(calendar=get_calendar(code=code),
                                          intervals=_intervals(payload))
    return [IntervalOut.of(row) for row in sorted(rows, key=lambda r: (r.weekday, r.start))]


@router.put("/calendars/{code}/overrides/{day}", response=answers(OverrideOut, 404, 413),
            summary="Set a holiday or working day on one date")
def set_override(request: HttpRequest, code: str, day: date, payload: OverrideIn):
    _administrator(request)
    row = services.set_override(calendar=get_calendar(code=code), day=day, kind=payload.kind,
                                name=payload.name)
    return {"date": row.date, "kind": row.kind, "name": row.name, "source": row.source}


@router.delete("/calendars/{code}/overrides/{day}", response=answers({204: None}, 404),
               summary="Remove the override on one date")
def remove_override(request: HttpRequest, code: str, day: date):
    _administrator(request)
    calendar = get_calendar(code=code)
    if not CalendarOverride.objects.filter(calendar=calendar, date=day).exists():
        raise NotFound(_("这一天没有例外。"), fields={"date": [_("没有例外。")]})
    services.remove_override(calendar=calendar, day=day)
    return Answer(204, None)


@router.put("/calendars/{code}/years/{year}", response=answers(YearOut, 404, 413),
            summary="Confirm (or withdraw) a year's holiday data")
def confirm_year(request: HttpRequest, code: str, year: int, payload: YearIn):
    """An administrator who entered a year's holidays by hand confirms it here, which silences
    the missing-data warning (SPEC §3)."""
    _administrator(request)
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("年份超出范围。"),
                               fields={"year": [_("应在 2000 到 2100 之间。")]})
    row = services.confirm_year(calendar=get_calendar(code=code), year=year,
                                has_data=payload.has_official_data)
    return {"year": row.year, "has_official_data": row.has_official_data,
            "synced_at": row.synced_at}


# --- policies -------------------------------------------------------------------------------


def _policies():
    return SlaPolicy.objects.select_related("product_line").prefetch_related(
        Prefetch("targets", queryset=SlaTarget.objects.select_related("calendar", "hours_calendar")
                 .order_by("id"))
    )


def _policy_payload(policy: SlaPolicy) -> dict:
    return {
        "id": policy.pk, "name": policy.name, "order": policy.order,
        "priority": policy.priority, "ticket_type": policy.ticket_type,
        "channel": policy.channel, "customer_tier": policy.customer_tier,
        "product_line": policy.product_line.code if policy.product_line else None,
        "is_active": policy.is_active, "warn_at_percent": policy.warn_at_percent,
        "escalation_step": policy.escalation_step, "updated_at": policy.updated_at,
        "targets": [
            {
                "name": t.name, "duration": t.duration,
                "outside_hours_duration": t.outside_hours_duration,
                "calendar": t.calendar.code if t.calendar else None,
                "hours_calendar": t.hours_calendar.code if t.hours_calendar else None,
                "start_event": t.start_event, "stop_events": t.stop_events,
                "restart_events": t.restart_events, "pause_statuses": t.pause_statuses,
            }
            for t in policy.targets.all()
        ],
    }


def _policy(policy_id: int) -> SlaPolicy:
    policy = _policies().filter(pk=policy_id).first()
    if policy is None:
        raise NotFound(_("没有这个服务标准策略。"))
    return policy


def _calendar_ref(code: str | None, field: str) -> Calendar | None:
    if not code:
        return None
    calendar = Calendar.objects.filter(code=code).first()
    if calendar is None:
        raise ValidationFailed(_("没有这个日历：%(code)s。") % {"code": code},
                               fields={field: [_("未知的日历。")]})
    return calendar


def _spec(payload: PolicyIn) -> PolicySpec:
    line = None
    if payload.product_line:
        line = ProductLine.objects.filter(code=payload.product_line).first()
        if line is None:
            raise ValidationFailed(_("没有这个产品线。"),
                                   fields={"product_line": [_("未知的产品线。")]})
    targets = [
        TargetSpec(
            name=t.name, duration=t.duration, outside_hours_duration=t.outside_hours_duration,
            calendar=_calendar_ref(t.calendar, f"targets[{i}].calendar"),
            hours_calendar=_calendar_ref(t.hours_calendar, f"targets[{i}].hours_calendar"),
            start_event=t.start_event, stop_events=t.stop_events,
            restart_events=t.restart_events, pause_statuses=t.pause_statuses,
        )
        for i, t in enumerate(payload.targets)
    ]
    return PolicySpec(
        name=payload.name, order=payload.order, targets=targets, priority=payload.priority,
        ticket_type=payload.ticket_type, channel=payload.channel,
        customer_tier=payload.customer_tier, product_line=line, is_active=payload.is_active,
        warn_at_percent=payload.warn_at_percent, escalation_step=payload.escalation_step,
    )


@router.get("/policies", response=answers(list[PolicyOut]),
            summary="List service-standard policies")
def list_policies(request: HttpRequest):
    _staff(request)
    return [_policy_payload(policy) for policy in _policies()]


@router.get("/policies/{policy_id}", response=answers(PolicyOut, 404), summary="Get a policy")
def get_policy(request: HttpRequest, policy_id: int):
    _staff(request)
    return _policy_payload(_policy(policy_id))


@router.post("/policies", response=answers({201: PolicyOut}, 413), summary="Create a policy")
def create_policy_endpoint(request: HttpRequest, payload: PolicyIn):
    """Applies to tickets created from now on (SPEC §3)."""
    _administrator(request)
    spec = _spec(payload)
    policy = create_policy(
        name=spec.name, order=spec.order, targets=spec.targets, priority=spec.priority,
        ticket_type=spec.ticket_type, channel=spec.channel, customer_tier=spec.customer_tier,
        product_line=spec.product_line, is_active=spec.is_active,
        warn_at_percent=spec.warn_at_percent, escalation_step=spec.escalation_step,
    )
    return Answer(201, _policy_payload(_policy(policy.pk)))


@router.put("/policies/{policy_id}", response=answers(PolicyOut, 404, 413),
            summary="Replace a policy")
def update_policy_endpoint(request: HttpRequest, policy_id: int, payload: PolicyIn):
    """Applies to new clocks at once; open tickets keep their deadlines until
    ``POST /sla/policies/{id}/recompute``."""
    _administrator(request)
    update_policy(policy=_policy(policy_id), spec=_spec(payload))
    return _policy_payload(_policy(policy_id))


@router.post("/policies/{policy_id}/recompute", response=answers(RecomputeOut, 404),
             summary="Recompute the open tickets' deadlines under this policy")
def recompute_policy(request: HttpRequest, policy_id: int):
    """Each open ticket the policy governs gets its current targets' deadlines, and one
    ``recompute_deadlines`` event when they changed."""
    user = _administrator(request)
    result = recompute_open_deadlines(policy=_policy(policy_id), actor=user)
    return {"tickets_checked": result.tickets_checked,
            "tickets_changed": result.tickets_changed,
            "clocks_changed": result.clocks_changed}


# --- preview and replay ---------------------------------------------------------------------


@router.get("/preview", response=answers(PreviewOut),
            summary="The deadlines a new ticket would get")
def preview(request: HttpRequest, query: Query[PreviewQuery]):
    """The deadlines of a ticket of this priority, type and channel received at
    ``received_at`` (default now), under the policies in force — the ticket's ``deadlines``
    without ``met_at``, for the targets that start on receipt."""
    _staff(request)
    result = preview_deadlines(priority=query.priority, ticket_type=query.type or "",
                               channel=query.channel or "", received_at=query.received_at)
    policy = result.policy
    return {"policy": {"id": policy.pk, "name": policy.name} if policy else None,
            "received_at": result.received_at, "deadlines": result.deadlines}


@router.post("/replay", response=answers(ReplayOut, 413),
             summary="Replay a period under a draft policy")
def replay(request: HttpRequest, payload: ReplayIn):
    """Every ticket received in [``from``, ``to``) that the draft would match, replayed from its
    events under the draft; per target, how many clocks were met, breached, still open or
    cancelled under the draft and in reality. Changes nothing."""
    _administrator(request)
    try:
        spec = check_policy(_spec(payload.policy))
    except ValidationFailed as exc:
        # The draft sits under ``policy`` in this body: name its fields from there.
        raise ValidationFailed(exc.message, fields={
            f"policy.{name}": messages for name, messages in exc.fields.items()}) from exc
    result = replay_draft(spec=spec, period_from=payload.period_from,
                          period_to=payload.period_to)
    return result.as_dict()
