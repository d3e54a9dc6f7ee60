"""Commands on service-standard policies (SPEC §3): create a policy with its targets.

A policy lists targets (first_response, contact, acceptance, respond, resolve, visit, update),
each with a duration, a clock (a calendar, or the wall clock when none), the trigger that starts
it, the triggers that stop it and the ticket states that pause it. Triggers are derived from
ticket events by ``fivestar.sla.clocks.triggers_for``.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from fivestar.core.errors import ValidationFailed
from fivestar.sla.models import Calendar, SlaPolicy, SlaTarget, TargetName
from fivestar.tickets.models import Channel, Priority, Status, TicketType

#: Trigger names a target can start or stop on (see ``clocks.triggers_for``).
TRIGGERS = frozenset({
    "created", "assigned", "staff_reply", "reopened", "accept", "assign", "approve", "start",
    "wait_customer", "resume", "resolve", "confirm", "close", "reopen", "cancel",
    "set_priority", "reply", "note", "attachment", "edited",
})
MAX_TARGET_DURATION = timedelta(days=366)


@dataclass(frozen=True)
class TargetSpec:
    name: str
    duration: timedelta
    start_event: str
    stop_events: Sequence[str]
    calendar: Calendar | None = None
    outside_hours_duration: timedelta | None = None
    hours_calendar: Calendar | None = None
    restart_events: Sequence[str] = ()
    pause_statuses: Sequence[str] = field(default_factory=lambda: [Status.WAITING_CUSTOMER])


def _fail(field_name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field_name: [message]})


def validate_targets(targets: Iterable[TargetSpec]) -> list[TargetSpec]:
    """Check a policy's targets: known names, once each, durations positive and sane, known
    triggers and states, and a ``resolve`` target present (SPEC §3)."""
    checked: list[TargetSpec] = []
    seen: set[str] = set()
    for index, spec in enumerate(targets):
        where = f"targets[{index}]"
        if spec.name not in TargetName.values:
            raise _fail(f"{where}.name", _("未知的服务目标：%(name)s。") % {"name": spec.name})
        if spec.name in seen:
            raise _fail(f"{where}.name", _("服务目标重复：%(name)s。") % {"name": spec.name})
        seen.add(spec.name)
        for name in ("duration", "outside_hours_duration"):
            value = getattr(spec, name)
            if value is None and name == "outside_hours_duration":
                continue
            if not isinstance(value, timedelta) or value <= timedelta(0):
                raise _fail(f"{where}.{name}", _("时限必须大于零。"))
            if value > MAX_TARGET_DURATION:
                raise _fail(f"{where}.{name}", _("时限不能超过一年。"))
        if spec.start_event not in TRIGGERS:
            raise _fail(f"{where}.start_event", _("未知的事件：%(e)s。") % {"e": spec.start_event})
        for name in ("stop_events", "restart_events"):
            unknown = [e for e in getattr(spec, name) if e not in TRIGGERS]
            if unknown:
                raise _fail(f"{where}.{name}", _("未知的事件：%(e)s。") % {"e": unknown[0]})
        if not spec.stop_events:
            raise _fail(f"{where}.stop_events", _("请指定结束事件。"))
        unknown = [s for s in spec.pause_statuses if s not in Status.values]
        if unknown:
            raise _fail(f"{where}.pause_statuses", _("未知的状态：%(s)s。") % {"s": unknown[0]})
        checked.append(spec)
    if TargetName.RESOLVE not in seen:
        raise _fail("targets", _("策略必须包含“解决”（resolve）目标。"))
    return checked


def _check_matchers(*, priority: str, ticket_type: str, channel: str, customer_tier: str) -> None:
    from fivestar.customers.models import CustomerTier

    for name, value, allowed in (
        ("priority", priority, Priority.values), ("ticket_type", ticket_type, TicketType.values),
        ("channel", channel, Channel.values), ("customer_tier", customer_tier,
                                               CustomerTier.values),
    ):
        if value and value not in allowed:
            raise _fail(name, _("未知的取值：%(value)s。") % {"value": value})


@transaction.atomic
def create_policy(
    *, name: str, order: int, targets: Iterable[TargetSpec], priority: str = "",
    ticket_type: str = "", channel: str = "", customer_tier: str = "",
    product_line=None, is_active: bool = True,
) -> SlaPolicy:
    """A new policy with its targets (SPEC §3). Applies to tickets created from now on;
    existing tickets keep the deadlines they were given. Bad input → ``ValidationFailed``
    naming the field (a policy without a ``resolve`` target names ``targets``)."""
    name = (name or "").strip()
    if not name:
        raise _fail("name", _("必填。"))
    if not isinstance(order, int) or order < 0:
        raise _fail("order", _("顺序应为非负整数。"))
    _check_matchers(priority=priority, ticket_type=ticket_type, channel=channel,
                    customer_tier=customer_tier)
    checked = validate_targets(targets)
    policy = SlaPolicy.objects.create(
        name=name[:100], order=order, priority=priority, ticket_type=ticket_type,
        channel=channel, customer_tier=customer_tier, product_line=product_line,
        is_active=is_active,
    )
    SlaTarget.objects.bulk_create(
        SlaTarget(
            policy=policy, name=spec.name, duration=spec.duration,
            outside_hours_duration=spec.outside_hours_duration,
            hours_calendar=spec.hours_calendar, calendar=spec.calendar,
            start_event=spec.start_event, stop_events=list(spec.stop_events),
            restart_events=list(spec.restart_events), pause_statuses=list(spec.pause_statuses),
        )
        for spec in checked
    )
    return policy
