"""API v1: satisfaction surveys (mounted under ``/api/v1/surveys/``). Thin: parse the schema,
check who asks, call one service or selector, shape the answer.

Staff read templates, invitations and responses, check the schedule and the cleaning rules,
and enter a customer's answers during a phone callback; a customer with a portal account reads
and answers their own invitations.
"""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja import Status as Answer

from fivestar.accounts.models import Department, User
from fivestar.core.errors import NotFound, ValidationFailed
from fivestar.core.responses import answers
from fivestar.surveys import selectors, services, sms
from fivestar.surveys.analysis import analyse, parse_period
from fivestar.surveys.improvements import update_item
from fivestar.surveys.models import (
    DIMENSIONS,
    ImprovementItem,
    Invitation,
    ResponseChannel,
    SurveyResponse,
    SurveyTemplate,
)
from fivestar.surveys.schemas import (
    CheckIn,
    CheckOut,
    ImprovementOut,
    ImprovementPatch,
    InvitationOut,
    InvitationPage,
    PageQuery,
    ResponseIn,
    ResponseOut,
    ResponsePage,
    ScheduleOut,
    ScheduleQuery,
    SmsIn,
    SmsOut,
    TemplateOut,
)
from fivestar.tickets.selectors import ticket_for_user

router = Router(tags=["surveys"])


def _template_ref(template: SurveyTemplate | None) -> dict | None:
    if template is None:
        return None
    return {"id": template.pk, "code": template.code, "version": template.version}


def template_payload(template: SurveyTemplate) -> dict:
    return {
        **{name: getattr(template, name) for name in (
            "id", "code", "version", "is_current", "title_zh", "title_en", "intro_zh",
            "intro_en", "solved_zh", "solved_en", "comment_zh", "comment_en",
            "comment_required", "created_at")},
        "questions": [{"dimension": d, "zh": template.question(d, "zh"),
                       "en": template.question(d, "en")} for d in DIMENSIONS],
    }


def invitation_payload(invitation: Invitation) -> dict:
    response = getattr(invitation, "response", None)
    return {
        "id": invitation.pk, "kind": invitation.kind, "status": invitation.status,
        "skip_reason": invitation.skip_reason, "ticket": invitation.ticket.number,
        "customer": invitation.customer_id, "template": _template_ref(invitation.template),
        "period": invitation.period.strftime("%Y-%m") if invitation.period else None,
        "due_at": invitation.due_at, "sent_at": invitation.sent_at,
        "reminder_at": invitation.reminder_at, "reminded_at": invitation.reminded_at,
        "expires_at": invitation.expires_at, "answered_at": invitation.answered_at,
        "response": response.pk if response is not None else None,
    }


def response_payload(response: SurveyResponse) -> dict:
    return {
        "id": response.pk, "invitation": response.invitation_id,
        "ticket": response.ticket.number, "template": _template_ref(response.template),
        "channel": response.channel, "scores": response.scores, "solved": response.solved,
        "comment": response.comment, "valid": response.valid,
        "invalid_reasons": list(response.invalid_reasons),
        "entered_by": response.entered_by.username if response.entered_by else None,
        "submitted_at": response.submitted_at,
    }


def _page(rows: QuerySet, query: PageQuery, shape) -> dict:
    count = rows.count()
    start = (query.page - 1) * query.page_size
    return {"count": count, "page": query.page, "page_size": query.page_size,
            "items": [shape(row) for row in rows[start:start + query.page_size]]}


@router.get("/schedule", response=answers(ScheduleOut),
            summary="When an invitation sent then expires and is reminded")
def schedule(request: HttpRequest, query: Query[ScheduleQuery]):
    """``expires_at`` (7 days after ``sent_at``) and ``reminder_at`` (3 working days after it
    on the default working calendar, or 24 hours before the expiry when that would be at or
    after it) — SPEC §6; administrators check the calendar with it."""
    selectors.require_staff(request.user)
    expires_at, reminder_at = services.invitation_schedule(sent_at=query.sent_at)
    return {"sent_at": query.sent_at, "expires_at": expires_at, "reminder_at": reminder_at}


@router.post("/check", response=answers(CheckOut),
             summary="Whether a response would be valid (records nothing)")
def check(request: HttpRequest, payload: CheckIn):
    """The cleaning rules of SPEC §6 applied to a response: ``valid`` and the ``reasons``
    (``straight_lining``, ``comment_too_short``, ``abusive``). ``comment_required`` defaults to
    the current template's. Bad scores → 422, as when answering."""
    selectors.require_staff(request.user)
    return services.check_response(scores=payload.scores, solved=payload.solved,
                                   comment=payload.comment,
                                   comment_required=payload.comment_required)


@router.post("/sms/inbound", auth=None, response=answers(SmsOut, 403),
             summary="Inbound SMS webhook (survey reply codes)")
def sms_inbound(request: HttpRequest, payload: SmsIn):
    """An SMS gateway posts each inbound message here, signed with the shared secret:
    header ``X-Fivestar-Signature: sha256=<hex HMAC-SHA256 of the raw body>``. A reply like
    ``8 9 9 7 8 1`` (five scores, 1 = solved) answers the sender's pending invitation and is
    confirmed back by SMS; a malformed one records nothing and the sender gets the format.
    A missing or wrong signature → 403."""
    sms.check_signature(body=request.body, given=request.headers.get(sms.SIGNATURE_HEADER, ""))
    response = sms.receive_reply(sender=payload.sender, text=payload.text)
    return {"recorded": response is not None,
            "response": response.pk if response is not None else None}


@router.get("/analysis", response=answers(dict), summary="Analysis of a month or a quarter")
def analysis(request: HttpRequest, period: str = "", by: str = ""):
    """``period``: ``2026-11`` (a month) or ``2026-Q4`` (a quarter), default this month;
    ``by``: ``team``, ``agent``, ``outlet``, ``product_line``, ``channel`` or ``problem_type``.
    Response rate, valid rate, mean per dimension, CSAT, solved rate, overall and per group,
    and the trend against the previous month and quarter. Under 80% valid: ``fit`` false, a
    ``message``, and no means."""
    selectors.require_staff(request.user)
    return analyse(period=parse_period(period), group=by or None).as_dict()


def improvement_payload(item: ImprovementItem) -> dict:
    return {
        "id": item.pk, "period": item.period, "dimension": item.dimension,
        "scope": {"kind": item.scope_kind, "id": item.scope_id or None,
                  "name": item.scope_label},
        "score": float(item.score), "responses": item.responses,
        "root_cause": item.root_cause,
        "department": item.department.code if item.department else None,
        "owner": item.owner.username if item.owner else None,
        "deadline": item.deadline, "status": item.status, "overdue": item.is_overdue,
    }


@router.get("/improvements", response=answers(list[ImprovementOut]),
            summary="The improvement list")
def list_improvements(request: HttpRequest, period: str = "", status: str = ""):
    """Items of the improvement list, newest period first, lowest score first; filters
    ``period`` (``2026-11``) and ``status`` (comma-separated)."""
    selectors.require_staff(request.user)
    rows = ImprovementItem.objects.select_related("department", "owner")
    if period:
        rows = rows.filter(period=period)
    if status:
        rows = rows.filter(status__in=status.split(","))
    return [improvement_payload(item) for item in rows.order_by("-period", "score", "pk")]


@router.patch("/improvements/{item_id}", response=answers(ImprovementOut, 404, 409),
              summary="Change an improvement item")
def change_improvement(request: HttpRequest, item_id: int, payload: ImprovementPatch):
    """The root cause, the owner (username), the department (code), the deadline, or the status
    one step along open → in_progress → done → verified (409 otherwise)."""
    selectors.require_staff(request.user)
    item = ImprovementItem.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("没有这个改进项。"))
    owner = department = None
    if payload.owner:
        owner = User.objects.filter(username=payload.owner, is_active=True).first()
        if owner is None:
            raise ValidationFailed(_("没有这个用户。"), fields={"owner": [_("未知的用户。")]})
    if payload.department:
        department = Department.objects.filter(code=payload.department).first()
        if department is None:
            raise ValidationFailed(_("没有这个部门。"),
                                   fields={"department": [_("未知的部门。")]})
    item = update_item(item=item, user=request.user, status=payload.status,
                       root_cause=payload.root_cause, owner=owner, department=department,
                       deadline=payload.deadline)
    return improvement_payload(item)


@router.get("/templates", response=answers(list[TemplateOut]),
            summary="Survey templates, every version")
def list_templates(request: HttpRequest):
    selectors.require_staff(request.user)
    return [template_payload(t) for t in SurveyTemplate.objects.order_by("code", "-version")]


@router.get("/invitations", response=answers(InvitationPage), summary="List invitations")
def list_invitations(request: HttpRequest, query: Query[PageQuery]):
    """Newest first; filters ``status``, ``kind``, ``ticket`` (a number)."""
    rows = selectors.invitations_for(user=request.user).select_related("response")
    if query.status:
        rows = rows.filter(status__in=query.status.split(","))
    if query.kind:
        rows = rows.filter(kind__in=query.kind.split(","))
    if query.ticket:
        rows = rows.filter(ticket__number=query.ticket)
    return _page(rows.order_by("-due_at", "-pk"), query, invitation_payload)


@router.get("/invitations/{invitation_id}", response=answers(InvitationOut, 404),
            summary="Get an invitation")
def get_invitation(request: HttpRequest, invitation_id: int):
    return invitation_payload(selectors.invitation_for_user(invitation_id=invitation_id,
                                                            user=request.user))


@router.get("/responses", response=answers(ResponsePage), summary="List responses")
def list_responses(request: HttpRequest, query: Query[PageQuery]):
    """Newest first; filters ``valid``, ``ticket`` (a number)."""
    rows = selectors.responses_for(user=request.user)
    if query.valid is not None:
        rows = rows.filter(valid=query.valid)
    if query.ticket:
        rows = rows.filter(ticket__number=query.ticket)
    return _page(rows.order_by("-submitted_at", "-pk"), query, response_payload)


@router.get("/responses/{response_id}", response=answers(ResponseOut, 404),
            summary="Get a response")
def get_response(request: HttpRequest, response_id: int):
    return response_payload(selectors.response_for_user(response_id=response_id,
                                                        user=request.user))


@router.post("/responses", response=answers({201: ResponseOut}, 404, 409),
             summary="Answer a survey")
def submit(request: HttpRequest, payload: ResponseIn):
    """Staff enter a customer's answers during a phone callback (``ticket``: its number, or
    ``invitation``), recorded as channel ``phone``; a customer answers their own
    ``invitation`` (channel ``portal``). Bad scores → 422 and nothing recorded; answered or
    expired → 409; a ticket not closed → 409."""
    user = request.user
    if selectors.is_staff(user):
        if payload.ticket:
            ticket = ticket_for_user(number=payload.ticket, user=user)
        elif payload.invitation:
            ticket = selectors.invitation_for_user(invitation_id=payload.invitation,
                                                   user=user).ticket
        else:
            raise ValidationFailed(_("请指明工单或测评邀请。"),
                                   fields={"ticket": [_("必填。")]})
        response = services.record_phone_response(
            ticket=ticket, user=user, scores=payload.scores, solved=payload.solved,
            comment=payload.comment)
    else:
        if not payload.invitation:
            raise ValidationFailed(_("请指明测评邀请。"), fields={"invitation": [_("必填。")]})
        invitation = selectors.invitation_for_user(invitation_id=payload.invitation, user=user)
        response = services.submit_response(
            invitation=invitation, scores=payload.scores, solved=payload.solved,
            comment=payload.comment, channel=ResponseChannel.PORTAL)
    return Answer(201, response_payload(response))
