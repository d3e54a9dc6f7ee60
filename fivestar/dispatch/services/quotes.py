"""Quotes for out-of-warranty work (SPEC §4: "out-of-warranty work gets a quote the customer
accepts first"; issue 4 item 3: labour + parts + travel, accepted on the portal or by a phone
consent the agent records, before work starts).

Every command takes the ticket's row lock first, then the quote's, checks who acts and the state,
then the input, changes the rows and writes the ticket event, all in one transaction: of two
concurrent decisions on one quote exactly one applies and the other gets 409 (``Conflict``).
What the customer and the staff are told follows from the events (``dispatch.handlers``), in the
same transaction through the outbox, sent after commit.

The ticket follows the quote through the ticket services, so the SLA clocks follow too: a quote
proposed on a ticket in progress puts it in ``waiting_customer`` (the clocks pause while the
customer decides, SPEC §3); the customer's answer — yes or no — puts it back in progress, where
staff carry out the work, or resolve or cancel it without the repair.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fivestar.accounts.models import User
from fivestar.core.errors import Conflict, PermissionDenied, ValidationFailed
from fivestar.core.money import format_yuan
from fivestar.dispatch.errors import DispatchErrorCode
from fivestar.dispatch.events import quote_decided_event, quote_proposed_event
from fivestar.dispatch.models import DecisionChannel, Quote, QuoteStatus
from fivestar.tickets.actors import Actor
from fivestar.tickets.models import Status, Ticket
from fivestar.tickets.services.transitions import refresh_from, resume_ticket, wait_for_customer
from fivestar.tickets.workflow import FRONT_LINE, check_action

#: The ticket states in which a quote is proposed and answered: assigned to someone who will do
#: the work, and the work not finished (SPEC §4).
QUOTE_STATES = frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING_CUSTOMER})
#: The amount fields, as the API and the events name them.
AMOUNT_FIELDS = ("labour_fen", "parts_fen", "travel_fen")
DEFAULT_MAX_AMOUNT_FEN = 100_000_000  # ¥1,000,000 for one part of a quote: surely a typo
DEFAULT_MAX_VALID_DAYS = 365
NOTE_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 2000


def max_amount_fen() -> int:
    return int(getattr(settings, "QUOTE_MAX_AMOUNT_FEN", DEFAULT_MAX_AMOUNT_FEN))


# --- who may act --------------------------------------------------------------------------------


def may_work_on(*, ticket: Ticket, user: User | None) -> bool:
    """Staff who may propose, withdraw or record the customer's answer on ``ticket``: its
    assignee, or anyone in a front-line role (agent, supervisor, manager, administrator — the
    roles the ticket workflow lets take the customer-facing actions)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.role_codes() & FRONT_LINE) or (
        ticket.assignee_id is not None and ticket.assignee_id == user.pk
    )


def may_propose(*, ticket: Ticket, user: User | None) -> bool:
    """Whether ``user`` may propose a quote on ``ticket`` in its current state (whether another
    quote is open aside): ``may_work_on``, a ticket being worked, and — on a ticket in progress,
    which the quote makes wait for the customer — the right to pause it."""
    if not may_work_on(ticket=ticket, user=user) or ticket.status not in QUOTE_STATES:
        return False
    if ticket.status == Status.IN_PROGRESS:
        try:
            check_action(ticket=ticket, action="wait_customer", user=user)
        except (PermissionDenied, Conflict):
            return False
    return True


def _check_staff(*, ticket: Ticket, actor: Actor) -> None:
    if actor.as_customer or not may_work_on(ticket=ticket, user=actor.user):
        raise PermissionDenied(
            _("只有工单的处理人或客服、主管可以处理报价。"),
            code=DispatchErrorCode.QUOTE_NOT_PERMITTED,
        )


def _check_answering(*, ticket: Ticket, actor: Actor) -> None:
    """The customer answers for themselves (their own ticket only: a signed-in account must be
    the ticket's customer's); staff answer for them when they record a phone consent."""
    if actor.as_customer:
        if actor.user is not None and ticket.customer.user_id != actor.user.pk:
            raise PermissionDenied(_("只能答复自己工单的报价。"),
                                   code=DispatchErrorCode.QUOTE_NOT_PERMITTED)
        return
    _check_staff(ticket=ticket, actor=actor)


# --- input --------------------------------------------------------------------------------------


def _validated_amounts(amounts: dict[str, object]) -> dict[str, int]:
    """Each amount an integer number of fen, not negative, not absurd; at least one above 0.
    ValidationFailed names every field that is wrong (422)."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    limit = max_amount_fen()
    for name in AMOUNT_FIELDS:
        value = amounts.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = [_("请填写金额（单位：分，整数）。")]
        elif value < 0:
            errors[name] = [_("金额不能为负数。")]
        elif value > limit:
            errors[name] = [_("金额超出上限 %(limit)s，请检查。") % {"limit": format_yuan(limit)}]
        else:
            clean[name] = value
    if errors:
        raise ValidationFailed(_("报价金额有误，请检查标出的项目。"), fields=errors)
    if sum(clean.values()) == 0:
        raise ValidationFailed(
            _("报价合计为零：免费的维修不需要报价。"),
            fields={name: [_("至少一项金额须大于零。")] for name in AMOUNT_FIELDS},
        )
    return clean


def _validated_note(note: str) -> str:
    text = (note or "").strip()
    if not text:
        raise ValidationFailed(_("请说明要做的维修工作。"), fields={"note": [_("必填。")]})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationFailed(
            _("维修内容过长。"),
            fields={"note": [_("最多 %(count)d 个字。") % {"count": NOTE_MAX_LENGTH}]},
        )
    return text


def _validated_valid_until(valid_until: date | None) -> date | None:
    if valid_until is None:
        return None
    today = timezone.localdate()
    if valid_until < today:
        raise ValidationFailed(_("有效期不能早于今天。"),
                               fields={"valid_until": [_("不能早于今天。")]})
    if valid_until > today + timedelta(days=DEFAULT_MAX_VALID_DAYS):
        raise ValidationFailed(_("有效期最长一年。"),
                               fields={"valid_until": [_("最长一年。")]})
    return valid_until


def _validated_reason(reason: str, *, field: str = "reason") -> str:
    text = (reason or "").strip()
    if len(text) > REASON_MAX_LENGTH:
        raise ValidationFailed(
            _("原因过长。"),
            fields={field: [_("最多 %(count)d 个字。") % {"count": REASON_MAX_LENGTH}]},
        )
    return text


# --- locks and states ---------------------------------------------------------------------------


def _locked_ticket(ticket: Ticket) -> Ticket:
    # Re-read under the row lock (the ticket first, always: the transitions lock it too).
    return (Ticket.objects.select_for_update(of=("self",)).select_related("customer")
            .get(pk=ticket.pk))


def _locked_quote(quote: Quote, *, ticket: Ticket) -> Quote:
    return Quote.objects.select_for_update().get(pk=quote.pk, ticket_id=ticket.pk)


def _check_ticket_state(ticket: Ticket) -> None:
    if ticket.status not in QUOTE_STATES:
        raise Conflict(
            _("工单当前状态为“%(status)s”，不能处理报价。")
            % {"status": Status(ticket.status).label},
            code=DispatchErrorCode.QUOTE_TICKET_STATE, extra={"status": ticket.status},
        )


def _check_proposed(quote: Quote) -> None:
    if quote.status != QuoteStatus.PROPOSED:
        raise Conflict(
            _("这份报价已经是“%(status)s”，不能再更改。")
            % {"status": QuoteStatus(quote.status).label},
            code=DispatchErrorCode.QUOTE_NOT_PROPOSED, extra={"quote_status": quote.status},
        )


def _copy(row: Quote, into: Quote) -> None:
    for model_field in row._meta.concrete_fields:
        setattr(into, model_field.attname, getattr(row, model_field.attname))


# --- commands -----------------------------------------------------------------------------------


def propose_quote(
    *, ticket: Ticket, actor: Actor, labour_fen: int, parts_fen: int = 0, travel_fen: int = 0,
    note: str, valid_until: date | None = None,
) -> Quote:
    """Offer the customer a price for out-of-warranty work (SPEC §4; issue 4 item 3).

    Rules: staff who may work on the ticket (its assignee or a front-line role, else 403); the
    ticket assigned, in progress or waiting for the customer, with no other quote waiting for
    an answer (else 409); amounts in integer fen, none negative (422 naming the field), not
    absurd, together above zero; a note saying what will be done; a validity date, if any, from
    today to a year ahead. A ticket in progress then waits for the customer (the
    ``wait_customer`` transition: the SLA clocks pause while they decide) — only staff who may
    pause it (its assignee, a supervisor or manager) can propose on a ticket in progress.
    Writes a ``quote_proposed`` event; the customer is sent the quote with the follow link.
    """
    with transaction.atomic():
        row = _locked_ticket(ticket)
        _check_staff(ticket=row, actor=actor)
        _check_ticket_state(row)
        if Quote.objects.filter(ticket=row, status=QuoteStatus.PROPOSED).exists():
            raise Conflict(_("这张工单已有一份报价在等待客户答复：请先撤回它。"),
                           code=DispatchErrorCode.QUOTE_ALREADY_OPEN)
        pauses = row.status == Status.IN_PROGRESS
        if pauses:
            try:
                check_action(ticket=row, action="wait_customer", user=actor.user)
            except PermissionDenied:
                raise PermissionDenied(
                    _("工单正在处理中：只有处理人或主管可以提出报价（报价会让工单转为等待客户）。"),
                    code=DispatchErrorCode.QUOTE_NOT_PERMITTED,
                ) from None
        amounts = _validated_amounts(
            {"labour_fen": labour_fen, "parts_fen": parts_fen, "travel_fen": travel_fen}
        )
        text = _validated_note(note)
        valid_until = _validated_valid_until(valid_until)
        try:
            # A savepoint: a concurrent proposal that got in first answers 409, not 500.
            with transaction.atomic():
                quote = Quote.objects.create(
                    ticket=row, **amounts, total_fen=sum(amounts.values()), note=text,
                    valid_until=valid_until, proposed_by=actor.user, proposed_at=timezone.now(),
                    paused_ticket=pauses,
                )
        except IntegrityError:
            raise Conflict(_("这张工单已有一份报价在等待客户答复：请先撤回它。"),
                           code=DispatchErrorCode.QUOTE_ALREADY_OPEN) from None
        quote_proposed_event(ticket=row, actor=actor, quote=quote)
        if pauses:
            wait_for_customer(
                ticket=row, actor=actor,
                reason=_("等待客户确认维修报价（合计 %(total)s）。")
                % {"total": quote.total_display},
            )
    _refresh(ticket, row)
    return quote


def accept_quote(*, quote: Quote, actor: Actor, via: str) -> Quote:
    """The customer accepts the quote: on the portal (``via`` "portal"), through the API
    ("api"), or by phone, recorded by staff ("phone") — issue 4 item 3. The work may start.

    Rules: the customer of the ticket, or staff who may work on it (403 otherwise); the quote
    still proposed and the ticket still open for work (409 otherwise); a quote past its
    validity date can no longer be accepted (409: staff propose a new one). A ticket waiting
    for the customer resumes (the clocks run again). Writes a ``quote_accepted`` event; the
    assignee hears of it in the app.
    """
    return _decide(quote=quote, actor=actor, via=via, status=QuoteStatus.ACCEPTED)


def decline_quote(*, quote: Quote, actor: Actor, via: str, reason: str = "") -> Quote:
    """The customer does not accept the quote (with an optional reason), on the portal, through
    the API or by phone as recorded by staff. The same rules as ``accept_quote`` except that an
    expired quote can still be declined. The ticket resumes so that staff can resolve or cancel
    it without the repair. Writes a ``quote_declined`` event; the assignee hears of it."""
    return _decide(quote=quote, actor=actor, via=via, status=QuoteStatus.DECLINED,
                   reason=reason)


def _decide(*, quote: Quote, actor: Actor, via: str, status: str, reason: str = "") -> Quote:
    if via not in DecisionChannel.values:
        raise ValueError(f"unknown decision channel {via!r}")
    if via == DecisionChannel.PHONE and actor.as_customer:
        raise ValueError("a phone consent is recorded by staff")
    with transaction.atomic():
        row = _locked_ticket(quote.ticket)
        _check_answering(ticket=row, actor=actor)
        locked = _locked_quote(quote, ticket=row)
        _check_proposed(locked)
        _check_ticket_state(row)
        if status == QuoteStatus.ACCEPTED and locked.is_expired:
            raise Conflict(
                _("这份报价已于 %(date)s 过期，请联系我们重新报价。")
                % {"date": locked.valid_until.isoformat()},
                code=DispatchErrorCode.QUOTE_EXPIRED,
            )
        text = _validated_reason(reason) if status == QuoteStatus.DECLINED else ""
        locked.status = status
        locked.decided_at = timezone.now()
        locked.decided_via = via
        locked.decided_by = None if actor.as_customer else actor.user
        locked.decline_reason = text
        locked.save(update_fields=["status", "decided_at", "decided_via", "decided_by",
                                   "decline_reason"])
        quote_decided_event(ticket=row, actor=actor, quote=locked, note=text)
        if row.status == Status.WAITING_CUSTOMER:
            resume_ticket(
                ticket=row, actor=actor,
                note=(_("客户已接受报价，开始维修。") if status == QuoteStatus.ACCEPTED
                      else _("客户不接受报价：可不维修而解决或取消工单。")),
            )
    _copy(locked, quote)
    _refresh(quote.ticket, row)
    return quote


def withdraw_quote(*, quote: Quote, actor: Actor, reason: str = "") -> Quote:
    """Staff take back a quote the customer has not answered (a wrong amount, a new diagnosis),
    whatever the ticket's state. Rules: staff who may work on the ticket (403); the quote still
    proposed (409). When the quote had put the ticket in waiting for the customer and it still
    waits, work resumes. Writes a ``quote_withdrawn`` event."""
    with transaction.atomic():
        row = _locked_ticket(quote.ticket)
        _check_staff(ticket=row, actor=actor)
        locked = _locked_quote(quote, ticket=row)
        _check_proposed(locked)
        text = _validated_reason(reason)
        locked.status = QuoteStatus.WITHDRAWN
        locked.decided_at = timezone.now()
        locked.decided_via = ""
        locked.decided_by = actor.user
        locked.save(update_fields=["status", "decided_at", "decided_via", "decided_by"])
        quote_decided_event(ticket=row, actor=actor, quote=locked, note=text)
        if locked.paused_ticket and row.status == Status.WAITING_CUSTOMER:
            resume_ticket(ticket=row, actor=actor, note=_("报价已撤回。"))
    _copy(locked, quote)
    _refresh(quote.ticket, row)
    return quote


def _refresh(ticket: Ticket, row: Ticket) -> None:
    """The caller's ticket object takes the committed state (status and the rest)."""
    refresh_from(ticket, row)
