"""How a ticket's progress reads to its customer: four steps and the next promise (SPEC §2
expectation management — what happens next and by when — from the ticket's real deadlines)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from fivestar.tickets import hooks
from fivestar.tickets.models import OPEN_STATUSES, Status, Ticket

STEP_LABELS = (
    ("received", gettext_lazy("受理")),
    ("working", gettext_lazy("处理中")),
    ("resolved", gettext_lazy("已解决")),
    ("closed", gettext_lazy("已关闭")),
)
_STEP_OF_STATUS = {
    Status.NEW: 0, Status.ACCEPTED: 0, Status.AWAITING_APPROVAL: 0,
    Status.ASSIGNED: 1, Status.IN_PROGRESS: 1, Status.WAITING_CUSTOMER: 1,
    Status.RESOLVED: 2, Status.CLOSED: 3,
}


# A status in the customer's words: the staff's internal stages (approval, dispatch) are not
# the customer's concern; what they should do next is.
_CUSTOMER_STATUS = {
    Status.NEW: gettext_lazy("已提交"),
    Status.ACCEPTED: gettext_lazy("已受理"),
    Status.AWAITING_APPROVAL: gettext_lazy("已受理"),
    Status.ASSIGNED: gettext_lazy("已安排工程师"),
    Status.IN_PROGRESS: gettext_lazy("处理中"),
    Status.WAITING_CUSTOMER: gettext_lazy("等待您回复"),
    Status.RESOLVED: gettext_lazy("待您确认"),
    Status.CLOSED: gettext_lazy("已关闭"),
    Status.CANCELLED: gettext_lazy("已取消"),
}


def customer_status_label(status: str) -> str:
    return str(_CUSTOMER_STATUS.get(status, status))


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    state: str  # "done" | "current" | "todo"
    waiting_for_you: bool = False


def status_steps(*, status: str) -> list[Step]:
    """受理 → 处理中 → 已解决 → 已关闭, with the current one marked; a ticket waiting for the
    customer marks its step "waiting for you". A cancelled ticket has no steps."""
    current = _STEP_OF_STATUS.get(status)
    if current is None:
        return []
    steps = []
    for index, (code, label) in enumerate(STEP_LABELS):
        if index < current or (status == Status.CLOSED and index == current):
            state = "done"
        elif index == current:
            state = "current"
        else:
            state = "todo"
        steps.append(Step(code=code, label=str(label), state=state,
                          waiting_for_you=state == "current" and status == Status.WAITING_CUSTOMER))
    return steps


def day_text(moment: datetime | date, *, now: datetime | None = None) -> str:
    """A day as a customer reads it: "今天", "明天", "昨天", "11月26日", "2025年1月5日"."""
    day = timezone.localtime(moment).date() if isinstance(moment, datetime) else moment
    today = timezone.localtime(now or timezone.now()).date()
    if day == today:
        return _("今天")
    if day == today + timedelta(days=1):
        return _("明天")
    if day == today - timedelta(days=1):
        return _("昨天")
    if day.year == today.year:
        # Translators: Django date-format syntax, month and day: "11月26日" (English "M j").
        return formats.date_format(day, pgettext("portal date", "n月j日"))
    # Translators: Django date-format syntax with the year: "2027年1月5日" (English "M j, Y").
    return formats.date_format(day, pgettext("portal date", "Y年n月j日"))


def when_text(moment: datetime, *, now: datetime | None = None) -> str:
    """A time as a customer reads it: "今天 15:30", "明天 09:00", "11月26日 10:00"."""
    clock = formats.date_format(timezone.localtime(moment), "H:i")
    return f"{day_text(moment, now=now)} {clock}"


# What the customer is promised by each service target (SLA target names, DESIGN.md).
_PROMISES = {
    "first_response": gettext_lazy("我们将在 %(when)s 前联系您"),
    "contact": gettext_lazy("工程师将在 %(when)s 前与您联系"),
    "acceptance": gettext_lazy("我们将在 %(when)s 前完成受理评估"),
    "respond": gettext_lazy("我们将在 %(when)s 前开始处理"),
    "visit": gettext_lazy("工程师将在 %(when)s 前上门"),
    "update": gettext_lazy("我们将在 %(when)s 前告诉您最新进展"),
    "resolve": gettext_lazy("我们争取在 %(when)s 前为您解决问题"),
}
_LATE = {
    "first_response": gettext_lazy("我们原定 %(when)s 前联系您，已经晚了，非常抱歉"),
    "contact": gettext_lazy("工程师原定 %(when)s 前与您联系，已经晚了，非常抱歉"),
    "acceptance": gettext_lazy("受理评估原定 %(when)s 前完成，已经晚了，非常抱歉"),
    "respond": gettext_lazy("我们原定 %(when)s 前开始处理，已经晚了，非常抱歉"),
    "visit": gettext_lazy("工程师原定 %(when)s 前上门，已经晚了，非常抱歉"),
    "update": gettext_lazy("我们原定 %(when)s 前告诉您最新进展，已经晚了，非常抱歉"),
    "resolve": gettext_lazy("我们原定 %(when)s 前解决问题，已经晚了，非常抱歉"),
}


@dataclass(frozen=True)
class Promise:
    target: str
    due_at: datetime
    late: bool
    text: str


def _counting(deadlines: dict[str, dict]) -> list[tuple[str, dict]]:
    return sorted(
        ((name, d) for name, d in deadlines.items()
         if d.get("due_at") and d.get("met_at") is None
         and d.get("state") in ("running", "breached")),
        key=lambda item: item[1]["due_at"],
    )


def next_promises(*, ticket: Ticket, now: datetime | None = None) -> list[Promise]:
    """What we promised next: the earliest deadline still counting and, when it is another,
    the resolve deadline. Empty when the ticket is not open, waits for the customer (the clocks
    are paused) or has no running deadline. Uses ``ticket.sla_clocks`` when prefetched."""
    if ticket.status not in OPEN_STATUSES or ticket.status == Status.WAITING_CUSTOMER:
        return []
    counting = _counting(hooks.deadlines(ticket))
    if not counting:
        return []
    now = now or timezone.now()
    chosen = [counting[0]]
    resolve = next((item for item in counting if item[0] == "resolve"), None)
    if resolve is not None and resolve[0] != counting[0][0]:
        chosen.append(resolve)
    promises = []
    for name, deadline in chosen:
        late = bool(deadline.get("breached")) or deadline["due_at"] <= now
        wording = (_LATE if late else _PROMISES).get(name)
        if wording is None:
            continue
        promises.append(Promise(
            target=name, due_at=deadline["due_at"], late=late,
            text=str(wording) % {"when": when_text(deadline["due_at"], now=now)},
        ))
    return promises


def next_promise(*, ticket: Ticket, now: datetime | None = None) -> Promise | None:
    promises = next_promises(ticket=ticket, now=now)
    return promises[0] if promises else None
