"""Satisfaction surveys in the demo (SPEC §6): the history's closed tickets get their survey
invitations, answers on every channel, reminders and expiries — each at its historical moment,
through the surveys' services (the clock moved with time-machine, like the rest of the history)
— and every past month is closed, opening the improvement list.

About 60% of the customers answer (link, portal, SMS reply code, phone callback); a few answers
are invalid (straight-lining, abuse) so the cleaning shows; the first team is weaker in response
timeliness (about 6 of 10), so it gets an item on the improvement list. The demo's settings take
a team into account from 5 valid responses (the default, 20, suits a real service centre, not
a demo of 300 tickets).

Idempotent: once any demo invitation was sent, nothing is added. Not wired in by itself: the
demo's ``seed_demo`` calls ``ensure_surveys`` after the quotes (one line), before the messages
are settled.
"""

import random
from datetime import datetime, timedelta

import time_machine
from django.db import transaction

from fivestar.accounts.models import Department, RoleCode, User
from fivestar.customers.models import Customer
from fivestar.surveys import services
from fivestar.surveys.analysis import month_period
from fivestar.surveys.improvements import open_items
from fivestar.surveys.models import (
    DIMENSIONS,
    Invitation,
    InvitationStatus,
    ResponseChannel,
)

SEED = 20260213
ANSWERED = 0.6
INVALID = 0.08
COMMENTS = ["师傅很专业，问题一次就解决了，谢谢！", "响应有点慢，等了两天才上门。",
            "客服态度很好，解释得很清楚。", "", "", "维修后运行正常，满意。",
            "希望能提前电话通知上门时间。"]


def ensure_surveys(*, customers: list[Customer], now: datetime, counter) -> None:
    invitations = list(Invitation.objects.filter(customer__in=customers)
                       .select_related("ticket", "customer").order_by("due_at", "pk"))
    if not invitations or any(i.status != InvitationStatus.SCHEDULED for i in invitations):
        return
    settings = services.survey_settings()
    settings.min_scope_responses = 5
    settings.save(update_fields=["min_scope_responses"])
    rng = random.Random(SEED)
    weak = Department.objects.order_by("pk").values_list("pk", flat=True).first()
    agent = (User.objects.filter(roles__code=RoleCode.AGENT, is_active=True)
             .order_by("pk").first())
    answered = 0
    for invitation in invitations:
        if invitation.due_at > now:
            continue  # the worker sends it when due
        with time_machine.travel(invitation.due_at, tick=False), transaction.atomic():
            row = Invitation.objects.select_for_update().get(pk=invitation.pk)
            services.send_invitation(invitation=row, now=invitation.due_at)
        if row.status != InvitationStatus.SENT:
            continue
        if rng.random() < ANSWERED:
            at = row.sent_at + timedelta(hours=rng.uniform(0.5, 60))
            if at < min(row.expires_at, now):
                _answer(row, at=at, rng=rng, weak=row.ticket.department_id == weak,
                        agent=agent)
                answered += 1
                continue
        if row.reminder_at and row.reminder_at <= now:
            with time_machine.travel(row.reminder_at, tick=False):
                services.remind(invitation=row, now=row.reminder_at)
        if row.expires_at <= now:
            with time_machine.travel(row.expires_at, tick=False):
                services.expire(invitation=row, now=row.expires_at)
    _close_months(invitations[0].due_at, now)
    counter.add("survey responses", answered)


def _scores(rng: random.Random, *, weak: bool) -> dict[str, int]:
    scores = {d: min(10, max(1, round(rng.gauss(8.6, 1.1)))) for d in DIMENSIONS}
    if weak:
        scores["timeliness"] = min(10, max(1, round(rng.gauss(5.8, 1.0))))
    return scores


def _answer(invitation: Invitation, *, at: datetime, rng: random.Random, weak: bool,
            agent: User | None) -> None:
    channel = rng.choice([ResponseChannel.LINK] * 5 + [ResponseChannel.PORTAL,
                          ResponseChannel.SMS, ResponseChannel.PHONE])
    scores = _scores(rng, weak=weak)
    comment = rng.choice(COMMENTS) if channel != ResponseChannel.SMS else ""
    if rng.random() < INVALID:
        if rng.random() < 0.7:
            scores = dict.fromkeys(DIMENSIONS, rng.choice([1, 10]))
        else:
            comment = "垃 圾服务，太慢了"
    with time_machine.travel(at, tick=False):
        if channel == ResponseChannel.PHONE and agent is not None:
            services.submit_response(invitation=invitation, scores=scores, solved=True,
                                     comment=comment, channel=channel, entered_by=agent,
                                     now=at)
        else:
            services.submit_response(invitation=invitation, scores=scores,
                                     solved=rng.random() < 0.88, comment=comment,
                                     channel=channel, now=at)


def _close_months(first: datetime, now: datetime) -> None:
    """Every month that ended before ``now`` is closed on the 1st of the next (the list)."""
    year, month = first.year, first.month
    while True:
        period = month_period(year, month)
        if period.end > now.date():
            return
        with time_machine.travel(datetime.combine(period.end, datetime.min.time(),
                                                  tzinfo=now.tzinfo), tick=False):
            open_items(period=period, today=period.end)
        year, month = (year + (month == 12), month % 12 + 1)
