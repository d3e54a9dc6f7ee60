"""Commands on service-standard policies (SPEC §3): create and change a policy with its
targets, and recompute the open tickets' deadlines under a changed policy.

A policy lists targets (first_response, contact, acceptance, respond, resolve, visit, update),
each with a duration, a clock (a calendar, or the wall clock when none), the trigger that starts
it, the triggers that stop it and the ticket states that pause it. Triggers are derived from
ticket events by ``fivestar.sla.clocks.triggers_for``.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from fivestar.core.errors import ValidationFailed
from fivestar.products.models import ProductLine
from fivestar.sla.models import (
    Calendar,
    SlaPolicy,
    SlaTarget,
    TargetName,
    default_escalation_step,
    default_warn_percent,
)
from fivestar.tickets.models import Channel, Priority, Status, TicketType

#: Trigger names a target can start or stop on (see ``clocks.triggers_for``).
TRIGGERS = frozenset({
    "created", "assigned", "staff_reply", "reopened", "visit_planned", "accept", "assign",
    "approve", "start", "wait_customer", "resume", "resolve", "confirm", "close", "reopen",
    "cancel", "set_priority", "reply", "arrive", "contact", "customer_contacted", "live_intake",
})
MAX_TARGET_DURATION = timedelta(days=366)
MAX_ESCALATION_STEP = timedelta(days=30)


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


def validate_pace(*, warn_at_percent: int | None,
                  escalation_step: timedelta | None) -> tuple[int, timedelta]:
    """The policy's warning point (1–99 % of the allowed time) and escalation step (more than
    zero, at most 30 days); None takes the default (SPEC §3: 80 %; 30 min)."""
    if warn_at_percent is None:
        warn_at_percent = default_warn_percent()
    if isinstance(warn_at_percent, bool) or not isinstance(warn_at_percent, int) or not (
        1 <= warn_at_percent <= 99
    ):
        raise _fail("warn_at_percent", _("预警点应为 1 到 99 之间的百分数。"))
    if escalation_step is None:
        escalation_step = default_escalation_step()
    if not isinstance(escalation_step, timedelta) or escalation_step <= timedelta(0):
        raise _fail("escalation_step", _("升级间隔必须大于零。"))
    if escalation_step > MAX_ESCALATION_STEP:
        raise _fail("escalation_step", _("升级间隔不能超过 30 天。"))
    return warn_at_percent, escalation_step


@dataclass(frozen=True)
class PolicySpec:
    """Everything a policy says, checked by ``validate_policy`` before it is written (or, for
    a draft, replayed)."""

    name: str
    order: int
    targets: Sequence[TargetSpec]
    priority: str = ""
    ticket_type: str = ""
    channel: str = ""
    customer_tier: str = ""
    product_line: ProductLine | None = None
    is_active: bool = True
    warn_at_percent: int | None = None
    escalation_step: timedelta | None = None


def validate_policy(spec: PolicySpec) -> PolicySpec:
    """Check a whole policy (SPEC §3) and return it with defaults filled in: a name, an order
    ≥ 0, known matcher values, sane pace, valid targets with a ``resolve`` among them."""
    name = (spec.name or "").strip()
    if not name:
        raise _fail("name", _("必填。"))
    if isinstance(spec.order, bool) or not isinstance(spec.order, int) or spec.order < 0:
        raise _fail("order", _("顺序应为非负整数。"))
    _check_matchers(priority=spec.priority, ticket_type=spec.ticket_type, channel=spec.channel,
                    customer_tier=spec.customer_tier)
    warn, step = validate_pace(warn_at_percent=spec.warn_at_percent,
                               escalation_step=spec.escalation_step)
    targets = validate_targets(spec.targets)
    return replace(spec, name=name[:100], targets=targets, warn_at_percent=warn,
                   escalation_step=step)


def _policy_fields(spec: PolicySpec) -> dict:
    return {
        "name": spec.name, "order": spec.order, "priority": spec.priority,
        "ticket_type": spec.ticket_type, "channel": spec.channel,
        "customer_tier": spec.customer_tier, "product_line": spec.product_line,
        "is_active": spec.is_active, "warn_at_percent": spec.warn_at_percent,
        "escalation_step": spec.escalation_step,
    }


def _target_fields(spec: TargetSpec) -> dict:
    return {
        "duration": spec.duration, "outside_hours_duration": spec.outside_hours_duration,
        "hours_calendar": spec.hours_calendar, "calendar": spec.calendar,
        "start_event": spec.start_event, "stop_events": list(spec.stop_events),
        "restart_events": list(spec.restart_events),
        "pause_statuses": list(spec.pause_statuses),
    }


def draft_targets(spec: PolicySpec) -> dict[str, SlaTarget]:
    """The targets of a checked draft as unsaved rows, by name (for previews and replays)."""
    policy = SlaPolicy(**_policy_fields(spec))
    return {t.name: SlaTarget(policy=policy, name=t.name, **_target_fields(t))
            for t in spec.targets}


@transaction.atomic
def create_policy(
    *, name: str, order: int, targets: Iterable[TargetSpec], priority: str = "",
    ticket_type: str = "", channel: str = "", customer_tier: str = "",
    product_line: ProductLine | None = None, is_active: bool = True,
    warn_at_percent: int | None = None, escalation_step: timedelta | None = None,
) -> SlaPolicy:
    """A new policy with its targets (SPEC §3). Applies to tickets created from now on;
    existing tickets keep the deadlines they were given (``recompute_open_deadlines`` moves
    them when an administrator asks). Bad input → ``ValidationFailed`` naming the field (a
    policy without a ``resolve`` target names ``targets``)."""
    spec = validate_policy(PolicySpec(
        name=name, order=order, targets=list(targets), priority=priority,
        ticket_type=ticket_type, channel=channel, customer_tier=customer_tier,
        product_line=product_line, is_active=is_active, warn_at_percent=warn_at_percent,
        escalation_step=escalation_step,
    ))
    policy = SlaPolicy.objects.create(**_policy_fields(spec))
    for target in spec.targets:
        SlaTarget.objects.create(policy=policy, name=target.name, **_target_fields(target))
    return policy


@transaction.atomic
def update_policy(*, policy: SlaPolicy, spec: PolicySpec) -> SlaPolicy:
    """Replace what ``policy`` says with ``spec`` (SPEC §3: every number is a default an
    administrator can change). Targets are matched by name: a kept target is changed in place
    (the clocks started from it stay linked to it), a new one is added, a missing one removed.
    New clocks follow at once; the open tickets keep their deadlines until an administrator
    recomputes them (``recompute_open_deadlines``)."""
    spec = validate_policy(spec)
    for name, value in _policy_fields(spec).items():
        setattr(policy, name, value)
    policy.save()
    existing = {t.name: t for t in SlaTarget.objects.select_for_update().filter(policy=policy)}
    for target in spec.targets:
        row = existing.pop(target.name, None) or SlaTarget(policy=policy, name=target.name)
        for name, value in _target_fields(target).items():
            setattr(row, name, value)
        row.save()
    for row in existing.values():
        row.delete()
    return policy
