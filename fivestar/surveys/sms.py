"""Answers by SMS reply code (短信测评码, SPEC §6), for customers who don't go online.

The SMS gateway posts each inbound message to the webhook, signed: ``X-Fivestar-Signature:
sha256=<hex HMAC-SHA256 of the raw body with settings.SURVEY_SMS_WEBHOOK_SECRET>``. A reply such
as ``8 9 9 7 8 1`` is five scores (1–10, in the survey's order) and 1 = solved (0 or 2 = not
solved); any separators will do (``8,9,9,7,8,1``). It answers the sender's pending invitation
(the newest), and the sender gets a reply: the scores read back as a confirmation, or — for a
malformed reply, or with no survey pending — what to send. Nothing is recorded unless the reply
is well-formed.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fivestar.core.errors import Conflict, PermissionDenied, ValidationFailed
from fivestar.customers.models import Customer
from fivestar.customers.phones import normalize_phone
from fivestar.notifications.models import Channel
from fivestar.notifications.selectors import language_of
from fivestar.notifications.services import queue_message
from fivestar.surveys.errors import SurveyErrorCode
from fivestar.surveys.models import DIMENSIONS, Invitation, ResponseChannel, SurveyResponse
from fivestar.surveys.services import REPLY_MESSAGE, pending_for_customer, submit_response

SIGNATURE_HEADER = "X-Fivestar-Signature"
_NUMBER = re.compile(r"\d+")


def signature(body: bytes, secret: str | None = None) -> str:
    secret = secret if secret is not None else settings.SURVEY_SMS_WEBHOOK_SECRET
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_signature(*, body: bytes, given: str) -> None:
    """PermissionDenied unless ``given`` is the body's signature with the shared secret (and a
    secret is configured at all)."""
    secret = getattr(settings, "SURVEY_SMS_WEBHOOK_SECRET", "")
    if not secret or not hmac.compare_digest(signature(body, secret), (given or "").strip()):
        raise PermissionDenied(_("签名无效。"), code=SurveyErrorCode.SMS_SIGNATURE_INVALID)


@dataclass(frozen=True)
class ReplyCode:
    scores: dict[str, int]
    solved: bool


def parse_reply(text: str) -> ReplyCode:
    """Six numbers: five scores 1–10 and 1 (solved) or 0/2 (not solved); else ValidationFailed."""
    numbers = [int(n) for n in _NUMBER.findall(text or "")]
    if (len(numbers) != 6 or not all(1 <= n <= 10 for n in numbers[:5])
            or numbers[5] not in (0, 1, 2)):
        raise ValidationFailed(_("短信格式不对。"), fields={"text": [_("需要 6 个数字。")]})
    return ReplyCode(scores=dict(zip(DIMENSIONS, numbers[:5], strict=True)),
                     solved=numbers[5] == 1)


FORMAT_HELP = gettext_noop(
    "请回复 6 个数字，用空格隔开：五项评分（1-10 分，依次为响应及时性、问题解决能力、"
    "服务态度、专业性、沟通清晰度）和问题是否解决（1 是，0 否），例如：8 9 9 7 8 1")


def _reply(*, customer: Customer | None, phone: str, text: str, about) -> None:
    queue_message(channel=Channel.SMS, recipient=phone, template_code=REPLY_MESSAGE,
                  context={"reply": text}, language=language_of(customer), about=about)


def receive_reply(*, sender: str, text: str) -> SurveyResponse | None:
    """Handle one inbound SMS (SPEC §6): the response recorded for the sender's pending
    invitation and a confirmation sent back; or, for a malformed reply or no pending survey,
    nothing recorded and the format (or the reason) sent back. Returns the response or None."""
    try:
        phone = normalize_phone(sender)
    except ValidationFailed:
        return None  # not a number we could answer
    customer = Customer.objects.filter(phone=phone).first()
    invitation: Invitation | None = (
        pending_for_customer(customer_id=customer.pk).first() if customer else None)
    with translation.override(language_of(customer)):
        if invitation is None:
            _reply(customer=customer, phone=phone, about=customer,
                   text=_("没有找到您待完成的满意度测评，谢谢您的关注。"))
            return None
        try:
            code = parse_reply(text)
        except ValidationFailed:
            _reply(customer=customer, phone=phone, about=invitation,
                   text=_("抱歉，没能识别您的回复。") + _(FORMAT_HELP))
            return None
        try:
            with transaction.atomic():
                response = submit_response(invitation=invitation, scores=code.scores,
                                           solved=code.solved, comment="",
                                           channel=ResponseChannel.SMS)
        except Conflict as error:
            _reply(customer=customer, phone=phone, about=invitation, text=error.message)
            return None
        scores = " ".join(str(code.scores[d]) for d in DIMENSIONS)
        _reply(customer=customer, phone=phone, about=invitation, text=_(
            "已收到您对工单 %(number)s 的评价：%(scores)s，%(solved)s。感谢您的反馈！") % {
            "number": invitation.ticket.number, "scores": scores,
            "solved": _("问题已解决") if code.solved else _("问题未解决")})
        return response
