"""Commands of satisfaction measurement (SPEC §6): templates, invitations and their schedule,
responses on every channel, opt-outs and points.

Invitations are scheduled when a ticket closes (``handlers``) and sent, reminded and expired by
the worker's sweep (``tasks.survey_sweep``), each claiming its rows with row locks so several
workers never do one twice. Messages go through the notifications outbox after commit.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fivestar.accounts.models import RoleCode, User
from fivestar.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fivestar.customers.models import Customer
from fivestar.notifications.models import Channel as MessageChannel
from fivestar.notifications.selectors import language_of
from fivestar.notifications.services import queue_message
from fivestar.sla.selectors import load_calendar
from fivestar.sla.worktime import CalendarSnapshot, add_working_time
from fivestar.surveys import cleaning, links
from fivestar.surveys.errors import SurveyErrorCode
from fivestar.surveys.events import survey_answered_event, survey_sent_event
from fivestar.surveys.models import (
    DIMENSIONS,
    Invitation,
    InvitationKind,
    InvitationStatus,
    PointsEntry,
    ResponseChannel,
    SkipReason,
    SurveyOptOut,
    SurveyResponse,
    SurveySettings,
    SurveyTemplate,
    analysis_fields,
)
from fivestar.tickets.actors import Actor
from fivestar.tickets.models import Status as TicketStatus
from fivestar.tickets.models import Ticket

DEFAULT_TEMPLATE = "default"
#: SPEC §6: the invitation expires 7 days after it was sent ...
EXPIRY = timedelta(days=7)
#: ... one reminder after 3 working days without an answer ...
REMINDER_WORKING_DAYS = 3
#: ... moved to 24 hours before the expiry when it would fall at or after it.
REMINDER_BEFORE_EXPIRY = timedelta(hours=24)
#: The latest a routine invitation may go after the ticket closes (SPEC §6: within 24 hours).
ROUTINE_LATEST = timedelta(hours=24)

INVITATION_MESSAGE = "survey_invitation"
REMINDER_MESSAGE = "survey_reminder"
REPLY_MESSAGE = "survey_sms_reply"

STAFF_ROLES = (RoleCode.AGENT, RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.QUALITY_AUDITOR,
               RoleCode.ADMINISTRATOR, RoleCode.SENIOR_TECHNICIAN, RoleCode.TECHNICIAN)
#: Who may enter a customer's answers during a phone callback.
CALLBACK_ROLES = (RoleCode.AGENT, RoleCode.SUPERVISOR, RoleCode.MANAGER,
                  RoleCode.QUALITY_AUDITOR, RoleCode.ADMINISTRATOR)


# --- configuration ------------------------------------------------------------------------


def survey_settings() -> SurveySettings:
    """The one settings row (created with the defaults on first use)."""
    row = SurveySettings.objects.order_by("pk").first()
    if row is None:
        row, _created = SurveySettings.objects.get_or_create(pk=1)
    return row


def current_template(*, code: str = DEFAULT_TEMPLATE) -> SurveyTemplate:
    template = SurveyTemplate.objects.filter(code=code, is_current=True).first()
    if template is None:
        raise NotFound(_("没有这个测评模板：%(code)s。") % {"code": code},
                       fields={"template": [_("未知的模板。")]})
    return template


TEMPLATE_FIELDS = ("title_zh", "title_en", "intro_zh", "intro_en", "questions", "solved_zh",
                   "solved_en", "comment_zh", "comment_en", "comment_required")


@transaction.atomic
def publish_template(*, code: str = DEFAULT_TEMPLATE, **changes: Any) -> SurveyTemplate:
    """Publish a new version of template ``code`` (SPEC §6): the current version with
    ``changes`` applied becomes version n+1 and the current one; earlier versions stay as they
    were, so every response keeps the wording it answered."""
    unknown = set(changes) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ValidationFailed(_("未知的模板字段。"),
                               fields={name: [_("未知字段。")] for name in sorted(unknown)})
    latest = (SurveyTemplate.objects.select_for_update().filter(code=code)
              .order_by("-version").first())
    values = {name: getattr(latest, name) for name in TEMPLATE_FIELDS} if latest else {}
    values.update(changes)
    questions = values.get("questions") or {}
    missing = [d for d in DIMENSIONS if not (questions.get(d) or {}).get("zh")]
    if missing:
        raise ValidationFailed(_("五个评分维度都要有中文问题。"),
                               fields={"questions": [_("缺少：%(names)s。") % {
                                   "names": ", ".join(missing)}]})
    SurveyTemplate.objects.filter(code=code, is_current=True).update(is_current=False)
    return SurveyTemplate.objects.create(
        code=code, version=(latest.version + 1) if latest else 1, is_current=True, **values)


# --- the schedule -----------------------------------------------------------------------------


def invitation_schedule(*, sent_at: datetime,
                        calendar: CalendarSnapshot | None = None) -> tuple[datetime, datetime]:
    """(expires_at, reminder_at) of an invitation sent at ``sent_at`` (SPEC §6): it expires 7
    days later; the one reminder goes after 3 working days of the working calendar (3 standard
    working days of working time, as SPEC §3 counts them), or 24 hours before the expiry when
    that would be at or after it.

    Sent Friday 2026-02-13 10:00 (+08:00): expires 2026-02-20 10:00; 3 working days later is
    2026-02-25 10:00 (Spring Festival), after the expiry, so the reminder goes 2026-02-19
    10:00."""
    if timezone.is_naive(sent_at):
        raise ValidationFailed(_("时间须带时区。"), fields={"sent_at": [_("须带时区。")]})
    calendar = calendar or load_calendar()
    expires_at = sent_at + EXPIRY
    reminder_at = add_working_time(sent_at, calendar.working_days(REMINDER_WORKING_DAYS),
                                   calendar)
    if reminder_at >= expires_at:
        reminder_at = expires_at - REMINDER_BEFORE_EXPIRY
    return expires_at, reminder_at


# --- scheduling from ticket events -------------------------------------------------------


def schedule_invitation(*, ticket: Ticket, kind: str, due_at: datetime,
                        rule_id: int | None = None) -> Invitation | None:
    """Schedule the one invitation of ``kind`` for ``ticket`` (routine, special): created once;
    one cancelled before it was sent (the ticket was reopened) is scheduled again. Runs inside
    the transaction that closed the ticket."""
    existing = Invitation.objects.select_for_update().filter(ticket=ticket, kind=kind).first()
    if existing is not None:
        if existing.status == InvitationStatus.CANCELLED and existing.sent_at is None:
            existing.status = InvitationStatus.SCHEDULED
            existing.due_at = due_at
            existing.save(update_fields=["status", "due_at"])
        return existing
    try:
        with transaction.atomic():
            return Invitation.objects.create(ticket=ticket, customer_id=ticket.customer_id,
                                             kind=kind, due_at=due_at, rule_id=rule_id,
                                             **analysis_fields(ticket))
    except IntegrityError:
        return Invitation.objects.filter(ticket=ticket, kind=kind).first()


def cancel_unsent(*, ticket: Ticket) -> int:
    """A reopened ticket's invitations that were not sent yet are cancelled (rescheduled when it
    closes again)."""
    return Invitation.objects.filter(
        ticket=ticket, status=InvitationStatus.SCHEDULED,
        kind__in=[InvitationKind.ROUTINE, InvitationKind.SPECIAL],
    ).update(status=InvitationStatus.CANCELLED)


# --- sending, reminding, expiring ------------------------------------------------------------


def has_pending_survey(*, customer_id: int, now: datetime, exclude: int | None = None) -> bool:
    return (Invitation.objects.filter(customer_id=customer_id, status=InvitationStatus.SENT,
                                      expires_at__gt=now)
            .exclude(pk=exclude).exists())


def exclusion(*, invitation: Invitation, now: datetime) -> str:
    """Why this customer gets no invitation now (SPEC §6), or "" when they may: anonymised,
    a routine invitation more than 24 hours after the closure, opted out, a survey pending,
    no way to reach them."""
    customer = invitation.customer
    if customer.anonymised_at is not None:
        return SkipReason.ANONYMISED
    if invitation.kind == InvitationKind.ROUTINE and (
        invitation.ticket.closed_at is None
        or now > invitation.ticket.closed_at + ROUTINE_LATEST
    ):
        # SPEC §6: within 24 hours of the closure, or not at all (a worker that was down for
        # a day does not send last week's surveys today).
        return SkipReason.LATE
    if SurveyOptOut.objects.filter(customer=customer).exists():
        return SkipReason.OPTED_OUT
    if has_pending_survey(customer_id=customer.pk, now=now, exclude=invitation.pk):
        return SkipReason.PENDING
    if not (customer.phone or customer.email or customer.user_id):
        return SkipReason.NO_CONTACT
    return ""


def _open(invitation: Invitation, *, now: datetime) -> None:
    """Mark the invitation sent at ``now`` with its expiry and reminder (no message)."""
    invitation.template = invitation.template or current_template()
    invitation.status = InvitationStatus.SENT
    invitation.sent_at = now
    invitation.expires_at, invitation.reminder_at = invitation_schedule(sent_at=now)
    invitation.nonce = secrets.token_hex(8)
    invitation.save(update_fields=["template", "status", "sent_at", "expires_at",
                                   "reminder_at", "nonce"])
    survey_sent_event(invitation=invitation)


def message_context(invitation: Invitation) -> dict[str, Any]:
    ticket = invitation.ticket
    return {
        "customer_name": invitation.customer.name,
        "number": ticket.number,
        "title": ticket.title,
        "kind": str(InvitationKind(invitation.kind).label),
        "survey_url": links.survey_url(invitation=invitation),
        "expires_at": timezone.localtime(invitation.expires_at) if invitation.expires_at
        else None,
    }


def _message(invitation: Invitation, code: str) -> None:
    customer = invitation.customer
    context = message_context(invitation)
    language = language_of(customer)
    for channel, address in ((MessageChannel.SMS, customer.phone),
                             (MessageChannel.EMAIL, customer.email)):
        if address:
            queue_message(channel=channel, recipient=address, template_code=code,
                          context=context, language=language, about=invitation,
                          dedupe_key=f"survey:{invitation.pk}:{code}:{channel}")


def send_invitation(*, invitation: Invitation, now: datetime) -> Invitation:
    """Send one scheduled invitation (the row locked by the caller): skipped, with the reason,
    when the customer opted out, has a survey pending, or cannot be reached; otherwise opened
    and the invitation queued by SMS and e-mail. A special survey first expires the same
    ticket's routine invitation if it is still unanswered (it would expire within the hour)."""
    if invitation.kind == InvitationKind.SPECIAL:
        # The special survey supersedes the same ticket's routine one still unanswered.
        Invitation.objects.filter(ticket_id=invitation.ticket_id,
                                  status=InvitationStatus.SENT).update(
            status=InvitationStatus.EXPIRED)
    reason = exclusion(invitation=invitation, now=now)
    if reason:
        invitation.status = InvitationStatus.SKIPPED
        invitation.skip_reason = reason
        invitation.save(update_fields=["status", "skip_reason"])
        return invitation
    _open(invitation, now=now)
    _message(invitation, INVITATION_MESSAGE)
    return invitation


def remind(*, invitation: Invitation, now: datetime) -> Invitation:
    """The one polite reminder (never a second: ``reminded_at`` is set once)."""
    invitation.reminded_at = now
    invitation.save(update_fields=["reminded_at"])
    _message(invitation, REMINDER_MESSAGE)
    return invitation


def expire(*, invitation: Invitation, now: datetime) -> Invitation:
    invitation.status = InvitationStatus.EXPIRED
    invitation.save(update_fields=["status"])
    return invitation


# --- responses ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    scores: dict[str, int]
    solved: bool
    comment: str


def clean_answers(*, scores: Any, solved: Any, comment: Any = "") -> Answers:
    """The answers, or ``ValidationFailed`` naming each bad field: all five scores present,
    whole numbers 1–10, ``solved`` yes or no. Nothing is recorded for bad input."""
    fields: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    scores = scores if isinstance(scores, dict) else {}
    for dimension in DIMENSIONS:
        value = scores.get(dimension)
        if value in (None, ""):
            fields[dimension] = [_("请打分（1–10 分）。")]
            continue
        try:
            number = int(value)
            if isinstance(value, float) and value != number:
                raise ValueError
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 10 or isinstance(value, bool):
            fields[dimension] = [_("分数须是 1 到 10 的整数。")]
        else:
            clean[dimension] = number
    if solved in ("true", "yes", "1", 1, True):
        solved_value = True
    elif solved in ("false", "no", "0", 0, False):
        solved_value = False
    else:
        fields["solved"] = [_("请回答问题是否已解决。")]
        solved_value = False
    if fields:
        raise ValidationFailed(_("测评答卷不完整或有误。"), fields=fields)
    return Answers(scores=clean, solved=solved_value, comment=str(comment or "").strip())


def check_response(*, scores: Any, solved: Any, comment: Any = "",
                   comment_required: bool | None = None) -> dict[str, Any]:
    """Whether a response would be valid by the cleaning rules (SPEC §6), recording nothing."""
    answers = clean_answers(scores=scores, solved=solved, comment=comment)
    if comment_required is None:
        comment_required = current_template().comment_required
    reasons = cleaning.invalid_reasons(scores=answers.scores, comment=answers.comment,
                                       comment_required=comment_required)
    return {"valid": not reasons, "reasons": [str(r) for r in reasons]}


def _check_open(invitation: Invitation, *, now: datetime) -> None:
    if invitation.status == InvitationStatus.ANSWERED:
        raise Conflict(_("这份测评已经答复过了，谢谢！"), code=SurveyErrorCode.ALREADY_ANSWERED)
    if invitation.status == InvitationStatus.EXPIRED or (
        invitation.status == InvitationStatus.SENT and invitation.expires_at
        and invitation.expires_at <= now
    ):
        raise Conflict(_("这份测评邀请已过期。"), code=SurveyErrorCode.INVITATION_EXPIRED)
    if invitation.status != InvitationStatus.SENT:
        raise Conflict(_("这份测评邀请不能答复。"), code=SurveyErrorCode.INVITATION_NOT_OPEN)
    if invitation.ticket.status != TicketStatus.CLOSED:
        raise Conflict(_("工单尚未关闭，不能测评。"), code=SurveyErrorCode.TICKET_NOT_CLOSED)


def _credit(response: SurveyResponse) -> PointsEntry | None:
    amount = survey_settings().points_per_response
    if not response.valid or amount <= 0:
        return None
    return PointsEntry.objects.create(
        customer_id=response.customer_id, amount=amount, response=response,
        reason=_("完成工单 %(number)s 的满意度测评") % {"number": response.ticket.number})


def submit_response(*, invitation: Invitation, scores: Any, solved: Any, comment: Any = "",
                    channel: str, entered_by: User | None = None,
                    now: datetime | None = None) -> SurveyResponse:
    """Record the answers to an open invitation (SPEC §6), once: bad input →
    ``ValidationFailed`` and nothing recorded; answered, expired or not open → ``Conflict``;
    a ticket not closed → 409. The response refers to the template version the invitation
    carries, is cleaned (invalid ones are kept with their reasons) and, when valid, credits the
    customer's points."""
    answers = clean_answers(scores=scores, solved=solved, comment=comment)
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (Invitation.objects.select_for_update(of=("self",))
                      .select_related("ticket", "template", "ticket__product_model")
                      .get(pk=invitation.pk))
        _check_open(invitation, now=now)
        template = invitation.template or current_template()
        reasons = cleaning.invalid_reasons(scores=answers.scores, comment=answers.comment,
                                           comment_required=template.comment_required)
        ticket = invitation.ticket
        response = SurveyResponse.objects.create(
            invitation=invitation, template=template, customer_id=invitation.customer_id,
            ticket=ticket, channel=channel, **answers.scores, solved=answers.solved,
            comment=answers.comment, valid=not reasons, invalid_reasons=list(reasons),
            entered_by=entered_by, submitted_at=now, kind=invitation.kind,
            **analysis_fields(ticket),
        )
        invitation.status = InvitationStatus.ANSWERED
        invitation.answered_at = now
        invitation.save(update_fields=["status", "answered_at"])
        _credit(response)
        survey_answered_event(response=response, actor=Actor(user=entered_by) if entered_by
                              else Actor.customer())
    return response


def callback_invitation(*, ticket: Ticket, user: User, now: datetime | None = None) -> Invitation:
    """The invitation an agent answers during a phone callback: the ticket's open one, else its
    routine invitation opened now (without a message — the customer is on the phone)."""
    now = now or timezone.now()
    if not user.has_role(*CALLBACK_ROLES):
        raise PermissionDenied(_("您的角色不能录入电话回访测评。"))
    if ticket.status != TicketStatus.CLOSED:
        raise Conflict(_("工单尚未关闭，不能测评。"), code=SurveyErrorCode.TICKET_NOT_CLOSED)
    with transaction.atomic():
        open_one = (Invitation.objects.select_for_update()
                    .filter(ticket=ticket, status=InvitationStatus.SENT, expires_at__gt=now)
                    .order_by("-sent_at").first())
        if open_one is not None:
            return open_one
        routine = schedule_invitation(ticket=ticket, kind=InvitationKind.ROUTINE, due_at=now)
        routine = Invitation.objects.select_for_update().get(pk=routine.pk)
        if routine.status in (InvitationStatus.SCHEDULED, InvitationStatus.CANCELLED,
                              InvitationStatus.SKIPPED):
            # The customer answers on the phone: the callback is the invitation.
            _open(routine, now=now)
        return routine


def record_phone_response(*, ticket: Ticket, user: User, scores: Any, solved: Any,
                          comment: Any = "", now: datetime | None = None) -> SurveyResponse:
    """An agent enters the customer's answers during a phone callback (SPEC §6): recorded as
    channel "phone" with who entered them."""
    clean_answers(scores=scores, solved=solved, comment=comment)  # nothing opened on bad input
    invitation = callback_invitation(ticket=ticket, user=user, now=now)
    return submit_response(invitation=invitation, scores=scores, solved=solved,
                           comment=comment, channel=ResponseChannel.PHONE, entered_by=user,
                           now=now)


def opt_out(*, customer: Customer, note: str = "") -> SurveyOptOut:
    """The customer gets no more invitations; scheduled ones are skipped when due."""
    row, _created = SurveyOptOut.objects.get_or_create(customer=customer,
                                                       defaults={"note": note})
    return row


def opt_in(*, customer: Customer) -> None:
    SurveyOptOut.objects.filter(customer=customer).delete()


def pending_for_customer(*, customer_id: int, now: datetime | None = None):
    now = now or timezone.now()
    return (Invitation.objects.filter(customer_id=customer_id, status=InvitationStatus.SENT,
                                      expires_at__gt=now)
            .select_related("ticket", "template").order_by("-sent_at"))


def open_invitations_q(now: datetime) -> Q:
    return Q(status=InvitationStatus.SENT, expires_at__gt=now)


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")
