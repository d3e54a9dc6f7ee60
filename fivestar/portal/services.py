"""Commands of the customer portal: submit a request, one-time codes, a customer's answers.

Every change to a ticket goes through the ticket services (which check the state machine and
write the events); this module adds what only the portal needs — one-time form tokens, the SMS
codes that let a customer in without an account, and the rate limits of an anonymous form.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from fivestar.core.errors import TooManyRequests, ValidationFailed
from fivestar.core.throttle import Throttle, release_all, take_all
from fivestar.customers.masking import mask
from fivestar.customers.models import Customer
from fivestar.customers.phones import normalize_phone
from fivestar.notifications.models import Channel
from fivestar.notifications.services import queue_message
from fivestar.portal.errors import PortalErrorCode
from fivestar.portal.models import CodePurpose, FollowCode, PortalSubmission
from fivestar.tickets.models import Ticket
from fivestar.tickets.services import (
    Actor,
    TicketRequest,
    Upload,
    add_attachments,
    create_ticket,
)

CODE_DIGITS = 6
CODE_MAX_ATTEMPTS = 5
#: The SMS templates (rows of notifications.MessageTemplate, seeded by this app's migration).
TEMPLATE_FOLLOW_CODE = "portal_follow_code"
TEMPLATE_SIGN_IN_CODE = "portal_sign_in_code"
_HMAC_SALT = "fivestar.portal.follow-code"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def code_ttl() -> timedelta:
    return timedelta(minutes=_setting("PORTAL_CODE_TTL_MINUTES", 10))


# --- rate limits ------------------------------------------------------------------------------
# Per phone / ticket number (what an attacker targets) and per client address (where they are).


def submit_throttle_phone() -> Throttle:
    return Throttle("portal-submit-phone", _setting("PORTAL_SUBMIT_LIMIT_PER_PHONE", 5), 3600)


def submit_throttle_address() -> Throttle:
    return Throttle("portal-submit-addr", _setting("PORTAL_SUBMIT_LIMIT_PER_ADDRESS", 20), 3600)


def code_send_throttle_target() -> Throttle:
    return Throttle("portal-code-send", _setting("PORTAL_CODE_SEND_LIMIT", 5), 3600)


def code_send_throttle_address() -> Throttle:
    return Throttle("portal-code-send-addr", _setting("PORTAL_CODE_SEND_LIMIT_PER_ADDRESS", 20),
                    3600)


def code_verify_throttle_target() -> Throttle:
    return Throttle("portal-code-verify", _setting("PORTAL_CODE_VERIFY_LIMIT", 10), 900)


def code_verify_throttle_address() -> Throttle:
    return Throttle("portal-code-verify-addr",
                    _setting("PORTAL_CODE_VERIFY_LIMIT_PER_ADDRESS", 30), 900)


def _take(checks: list[tuple[Throttle, str]]) -> None:
    """Take a place under every limit at once, or refuse: atomic, so concurrent requests cannot
    all pass a check before any of them is counted."""
    refused = take_all(checks)
    if refused is not None:
        minutes = max(1, refused.window_seconds // 60)
        raise TooManyRequests(
            _("操作太频繁了，请 %(minutes)d 分钟后再试；着急的话请拨打服务热线。")
            % {"minutes": minutes}
        )


def _phone_key(raw: str) -> str:
    """The throttle key of a phone: its normalised form when valid, else the digits."""
    try:
        return normalize_phone(raw)
    except ValidationFailed:
        return "".join(ch for ch in raw or "" if ch.isdigit())


# --- submitting a request -----------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    ticket: Ticket
    created: bool


def submit_request(
    *, request: TicketRequest, uploads: list[Upload], token: str, address: str
) -> Submission:
    """Record a request made on the portal form, with its photos, in one transaction.

    Rules: at most N submissions per phone and per client address an hour; the form's one-time
    ``token`` makes a repeat (a double tap, a browser retry) return the first ticket instead of
    creating a second; a rejected photo (size, type) or field creates nothing at all. The ticket
    is recorded as made by the customer (no staff user, event actor kind "customer").
    """
    if not token:
        raise ValidationFailed(_("页面已过期，请重新提交。"),
                               code=PortalErrorCode.FORM_TOKEN_MISSING)
    earlier = _submitted(token)
    if earlier is not None:
        return Submission(ticket=earlier, created=False)
    checks = [(submit_throttle_phone(), _phone_key(request.customer.phone)),
              (submit_throttle_address(), address or "-")]
    _take(checks)
    customer_actor = Actor(user=None, as_customer=True)
    created = False
    try:
        with transaction.atomic():
            # First, so that a concurrent repeat waits on the unique token, then fails.
            submission = PortalSubmission.objects.create(token=token[:64])
            intake = create_ticket(request=request, actor=None, actor_kind=customer_actor.kind)
            if uploads:
                add_attachments(ticket=intake.ticket, actor=customer_actor, uploads=uploads)
            submission.ticket = intake.ticket
            submission.save(update_fields=["ticket"])
        created = True
    except IntegrityError:
        earlier = _submitted(token)
        if earlier is None:
            raise
        return Submission(ticket=earlier, created=False)
    finally:
        if not created:  # only tickets made count against the limits
            release_all(checks)
    return Submission(ticket=intake.ticket, created=True)


def _submitted(token: str) -> Ticket | None:
    row = (PortalSubmission.objects.select_related("ticket")
           .filter(token=token[:64], ticket__isnull=False).first())
    return row.ticket if row else None


# --- one-time codes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeSent:
    """What the page tells the visitor — the same whether or not a code really went out."""

    masked_phone: str
    minutes: int


def _code_hash(code: str, *, purpose: str, customer_id: int, ticket_id: int | None) -> str:
    return salted_hmac(
        _HMAC_SALT, f"{purpose}:{customer_id}:{ticket_id or ''}:{code}", algorithm="sha256"
    ).hexdigest()


def _target(*, purpose: str, phone: str, number: str) -> tuple[Customer | None, Ticket | None]:
    """The customer (and ticket) a code request names, or (None, None) when nothing matches:
    an unknown number, a phone that is not the ticket's, an anonymised customer."""
    customer = Customer.objects.filter(phone=phone, anonymised_at__isnull=True).first()
    if customer is None:
        return None, None
    if purpose == CodePurpose.ACCOUNT:
        return customer, None
    ticket = Ticket.objects.filter(number=number.strip().upper(), customer=customer).first()
    return (customer, ticket) if ticket is not None else (None, None)


def _target_key(*, purpose: str, phone: str, number: str) -> str:
    return f"{purpose}:{number.strip().upper()}" if purpose == CodePurpose.TICKET else phone


def send_follow_code(
    *, purpose: str, phone: str, address: str, number: str = ""
) -> CodeSent:
    """Send a one-time code by SMS to the phone on file: to follow ticket ``number`` (purpose
    "ticket") or to sign in to the account (purpose "account").

    Rules: the phone is normalised (an invalid one is a field error); at most N requests per
    ticket number or phone and per client address an hour; nothing tells whether the ticket
    exists or the phone is the one on file — the answer is the same, only a real match gets a
    code. A new code replaces the older ones; it is valid ``PORTAL_CODE_TTL_MINUTES`` (10).
    """
    if purpose not in CodePurpose.values:
        raise ValueError(f"unknown purpose {purpose!r}")
    normalized = normalize_phone(phone, field="phone")
    if purpose == CodePurpose.TICKET and not number.strip():
        raise ValidationFailed(_("请填写工单号。"), fields={"number": [_("必填。")]})
    checks = [
        (code_send_throttle_target(), _target_key(purpose=purpose, phone=normalized,
                                                  number=number)),
        (code_send_throttle_target(), f"phone:{normalized}"),
        (code_send_throttle_address(), address or "-"),
    ]
    _take(checks)
    ttl = code_ttl()
    answer = CodeSent(masked_phone=mask(normalized, "phone"), minutes=int(ttl.total_seconds()
                                                                          // 60))
    customer, ticket = _target(purpose=purpose, phone=normalized, number=number)
    if customer is None:
        return answer
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    now = timezone.now()
    with transaction.atomic():
        FollowCode.objects.filter(
            purpose=purpose, customer=customer, ticket=ticket, used_at__isnull=True,
            expires_at__gt=now,
        ).update(expires_at=now)
        FollowCode.objects.create(
            purpose=purpose, customer=customer, ticket=ticket, created_at=now,
            expires_at=now + ttl,
            code_hash=_code_hash(code, purpose=purpose, customer_id=customer.pk,
                                 ticket_id=ticket.pk if ticket else None),
        )
        queue_message(
            channel=Channel.SMS, recipient=customer.phone,
            template_code=TEMPLATE_FOLLOW_CODE if ticket else TEMPLATE_SIGN_IN_CODE,
            context={"code": code, "minutes": answer.minutes,
                     "number": ticket.number if ticket else ""},
            language=_message_language(), about=ticket,
        )
    return answer


def _message_language() -> str:
    """The visitor's language on the page they asked from: the code comes in that language."""
    current = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    known = {code.lower() for code, _name in settings.LANGUAGES}
    return current if current in known else settings.LANGUAGE_CODE.lower()


def verify_follow_code(
    *, purpose: str, phone: str, code: str, address: str, number: str = ""
) -> FollowCode:
    """Check a one-time code and use it up; returns the code's row (its customer, its ticket).

    Rules: throttled per ticket number or phone and per client address; a code is good for
    ``CODE_MAX_ATTEMPTS`` tries, until it expires, and once; the comparison is constant-time;
    every failure — wrong code, no code, unknown ticket, wrong phone — is the same field error.
    """
    wrong = ValidationFailed(
        _("验证码不正确或已过期。"), code=PortalErrorCode.CODE_INVALID,
        fields={"code": [_("验证码不正确或已过期，请检查或重新获取。")]},
    )
    try:
        normalized = normalize_phone(phone, field="phone")
    except ValidationFailed:
        raise wrong from None
    checks = [
        (code_verify_throttle_target(), _target_key(purpose=purpose, phone=normalized,
                                                    number=number)),
        (code_verify_throttle_address(), address or "-"),
    ]
    _take(checks)
    entered = "".join(ch for ch in code or "" if ch.isdigit())
    customer, ticket = _target(purpose=purpose, phone=normalized, number=number)
    now = timezone.now()
    row = None
    if customer is not None:
        row = (
            FollowCode.objects.select_related("customer", "ticket")
            .filter(purpose=purpose, customer=customer, ticket=ticket, used_at__isnull=True,
                    expires_at__gt=now)
            .order_by("-created_at", "-id")
            .first()
        )
    expected = _code_hash(entered, purpose=purpose, customer_id=customer.pk if customer else 0,
                          ticket_id=ticket.pk if ticket else None)
    if row is None or not _try_code(row) or len(entered) != CODE_DIGITS:
        constant_time_compare(expected, "0" * 64)  # the same work on every path
        raise wrong
    if not constant_time_compare(expected, row.code_hash):
        raise wrong
    # Single use: of two requests racing with one code, only one marks it used.
    if not FollowCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        raise wrong
    row.used_at = now
    return row


def _try_code(row: FollowCode) -> bool:
    """Use up one of the code's ``CODE_MAX_ATTEMPTS`` tries; False when none is left. One
    conditional UPDATE, so of twenty concurrent guesses at most five are compared."""
    return bool(FollowCode.objects.filter(pk=row.pk, attempts__lt=CODE_MAX_ATTEMPTS)
                .update(attempts=F("attempts") + 1))
