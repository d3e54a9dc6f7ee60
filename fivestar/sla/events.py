"""The ticket events the SLA engine writes, declared with the ticket's event registry
(``tickets.events.register_event_type``) in ``SlaConfig.ready``: an extension agreed with the
customer, an arrival on site, open deadlines recomputed after a policy change."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils.translation import gettext_lazy, pgettext_lazy

from fivestar.sla.models import TargetName
from fivestar.tickets.actors import Actor
from fivestar.tickets.events import record_event, register_event_type, shown
from fivestar.tickets.models import Ticket, TicketEvent


class SlaEventKind(StrEnum):
    EXTENDED = "extend"
    ARRIVED = "arrive"
    DEADLINES_RECOMPUTED = "recompute_deadlines"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_DECLINED = "extension_declined"


@dataclass(frozen=True, kw_only=True)
class DeadlineExtended:
    """延期 (SPEC §3): the target whose deadline moved and its new deadline (``before`` keeps
    the old one)."""

    target: str = shown(pgettext_lazy("label", "目标"), default="", choices=TargetName)
    due_at: datetime | None = shown(pgettext_lazy("label", "截止时间"))


@dataclass(frozen=True, kw_only=True)
class ExtensionRequest:
    """An extension beyond the limit, waiting for a supervisor (requested), or refused by one
    (declined): the target and the time the customer agreed. The deadline has not moved."""

    target: str = shown(pgettext_lazy("label", "目标"), default="", choices=TargetName)
    due_at: datetime | None = shown(pgettext_lazy("label", "客户同意的时间"))


@dataclass(frozen=True, kw_only=True)
class Arrived:
    """The technician is on site (the visit target is met)."""


@dataclass(frozen=True, kw_only=True)
class RecomputedDeadline:
    due_at: datetime | None = None
    state: str = ""


@dataclass(frozen=True, kw_only=True)
class DeadlinesRecomputed:
    """The open deadlines a policy change moved, by target (``before`` holds the old ones)."""

    deadlines: dict[str, RecomputedDeadline] = shown(
        pgettext_lazy("label", "截止时间"), default_factory=dict)


def deadline_extended_event(*, ticket: Ticket, actor: Actor, target: str, from_due: datetime,
                            to_due: datetime, reason: str) -> TicketEvent:
    return record_event(ticket=ticket, kind=SlaEventKind.EXTENDED, actor=actor,
                        payload=DeadlineExtended(target=target, due_at=to_due),
                        before={"target": target, "due_at": from_due}, note=reason)


def extension_requested_event(*, ticket: Ticket, actor: Actor, target: str, due_at: datetime,
                              reason: str) -> TicketEvent:
    return record_event(ticket=ticket, kind=SlaEventKind.EXTENSION_REQUESTED, actor=actor,
                        payload=ExtensionRequest(target=target, due_at=due_at), note=reason)


def extension_declined_event(*, ticket: Ticket, actor: Actor, target: str, due_at: datetime,
                             note: str = "") -> TicketEvent:
    return record_event(ticket=ticket, kind=SlaEventKind.EXTENSION_DECLINED, actor=actor,
                        payload=ExtensionRequest(target=target, due_at=due_at), note=note)


def arrived_event(*, ticket: Ticket, actor: Actor, note: str = "") -> TicketEvent:
    return record_event(ticket=ticket, kind=SlaEventKind.ARRIVED, actor=actor, note=note)


def deadlines_recomputed_event(
    *, ticket: Ticket, actor: Actor, before: dict[str, tuple[datetime, str]],
    after: dict[str, tuple[datetime, str]], note: str = "",
) -> TicketEvent:
    """``before``/``after``: target name → (due, state)."""
    return record_event(
        ticket=ticket, kind=SlaEventKind.DEADLINES_RECOMPUTED, actor=actor,
        payload=DeadlinesRecomputed(deadlines={
            name: RecomputedDeadline(due_at=due, state=state)
            for name, (due, state) in after.items()
        }),
        before={name: {"due_at": due.isoformat(), "state": state}
                for name, (due, state) in before.items()},
        note=note,
    )


def declare() -> None:
    register_event_type(SlaEventKind.EXTENDED, payload=DeadlineExtended,
                        label=gettext_lazy("延期"))
    register_event_type(SlaEventKind.ARRIVED, payload=Arrived, label=gettext_lazy("上门到达"),
                        customer_visible=True)
    register_event_type(SlaEventKind.EXTENSION_REQUESTED, payload=ExtensionRequest,
                        label=gettext_lazy("申请延期（待主管批准）"))
    register_event_type(SlaEventKind.EXTENSION_DECLINED, payload=ExtensionRequest,
                        label=gettext_lazy("驳回延期"))
    register_event_type(SlaEventKind.DEADLINES_RECOMPUTED, payload=DeadlinesRecomputed,
                        label=gettext_lazy("重新计算截止时间"))
