"""Intake: every request on every channel becomes exactly one ticket (SPEC §2)."""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fivestar.accounts.models import Department, User
from fivestar.core.errors import Conflict, ValidationFailed
from fivestar.core.rows import insert
from fivestar.customers.phones import normalize_phone
from fivestar.customers.services import (
    CustomerDetails,
    match_or_create_customer,
    normalize_email,
)
from fivestar.products.selectors import product_model_by_code
from fivestar.products.services import register_unit
from fivestar.tickets.actors import Actor, ActorKind
from fivestar.tickets.errors import TicketErrorCode
from fivestar.tickets.events import ticket_created_event
from fivestar.tickets.models import (
    Channel,
    IdempotencyKey,
    Priority,
    Ticket,
    TicketType,
)
from fivestar.tickets.numbering import allocate_ticket_number
from fivestar.tickets.priority import propose_priority

# Clocks of phones and PCs drift; a received_at a little ahead of ours is not "in the future".
CLOCK_SKEW = timedelta(minutes=2)
INTAKE_DEPARTMENT_CODE = "customer-service"
# Every ticket starts in the intake department, read once per DEPARTMENT_CACHE_TTL seconds (per
# process by default, shared with Redis): a department created or renamed is seen by intake
# within that time.
DEPARTMENT_CACHE_TTL = 60
_DEPARTMENT_CACHE_KEY = f"tickets:intake-department:v1:{INTAKE_DEPARTMENT_CODE}"
_NO_DEPARTMENT = "none"


@dataclass(frozen=True)
class TicketRequest:
    """What a caller tells us about a new request; validated by ``create_ticket``."""

    channel: str
    type: str
    customer: CustomerDetails
    title: str = ""
    description: str = ""
    demand: str = ""
    product_model: str = ""
    serial_number: str = ""
    purchase_date: date | None = None
    priority: str | None = None
    received_at: datetime | None = None
    extra_errors: dict[str, list[str]] = field(default_factory=dict)

    def digest(self) -> str:
        payload = asdict(self)
        payload.pop("extra_errors")
        return hashlib.sha256(
            json.dumps(payload, sort_keys=True, default=str).encode()
        ).hexdigest()


@dataclass(frozen=True)
class Intake:
    ticket: Ticket
    created: bool


def create_ticket(
    *,
    request: TicketRequest,
    actor: User | None,
    actor_kind: str = ActorKind.STAFF,
    idempotency_key: str | None = None,
) -> Intake:
    """Record a new ticket, or return the one already made for the same ``idempotency_key``.
    ``actor`` is the staff user who records it, or None when the customer made it themselves
    (``actor_kind`` "customer": the portal, an e-mail) or the system did (an import).

    Rules: required fields present; channel, type and priority known; the product model known;
    ``received_at`` not in the future (SPEC §2); the customer matched by phone or email, never
    duplicated; priority proposed from the text when not given (SPEC §3) and left unconfirmed.
    """
    by = _actor(actor, actor_kind)
    if idempotency_key and actor is not None:
        existing = _replay(actor=actor, key=idempotency_key, digest=request.digest())
        if existing is not None:
            return Intake(ticket=existing, created=False)
    clean = _validated(request)
    number = allocate_ticket_number()
    try:
        with transaction.atomic():
            ticket = _write_ticket(clean=clean, request=request, number=number, actor=by)
            if idempotency_key and actor is not None:
                IdempotencyKey.objects.create(
                    user=actor, key=idempotency_key[:200], request_digest=request.digest(),
                    ticket=ticket,
                )
    except IntegrityError:
        # Two requests with one key raced; the first one's ticket stands.
        if idempotency_key and actor is not None:
            existing = _replay(actor=actor, key=idempotency_key, digest=request.digest())
            if existing is not None:
                return Intake(ticket=existing, created=False)
        raise
    return Intake(ticket=ticket, created=True)


def _actor(user: User | None, kind: str) -> Actor:
    if kind == ActorKind.CUSTOMER:
        return Actor.customer(user)
    if kind == ActorKind.STAFF and user is None:
        raise ValueError("a ticket recorded by staff names the staff user")
    return Actor(user=user) if kind == ActorKind.STAFF else Actor.system()


def _replay(*, actor: User, key: str, digest: str) -> Ticket | None:
    row = IdempotencyKey.objects.select_related("ticket").filter(user=actor, key=key[:200]).first()
    if row is None:
        return None
    if row.request_digest != digest:
        raise Conflict(
            _("该 Idempotency-Key 已用于另一个不同的请求。"),
            code=TicketErrorCode.IDEMPOTENCY_KEY_REUSED,
        )
    return row.ticket


def _validated(request: TicketRequest) -> dict:
    errors: dict[str, list[str]] = {k: list(v) for k, v in request.extra_errors.items()}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if request.channel not in Channel.values:
        fail("channel", _("未知的渠道。"))
    if request.type not in TicketType.values:
        fail("type", _("未知的请求类型。"))
    if request.priority not in (None, "") and request.priority not in Priority.values:
        fail("priority", _("优先级只能是 P1、P2 或 P3。"))
    title = (request.title or "").strip()
    description = (request.description or "").strip()
    if not description:
        fail("description", _("请描述问题。"))
    if not title and description:
        title = description.splitlines()[0][:60]
    if len(title) > 200:
        fail("title", _("标题不能超过 200 个字符。"))
    now = timezone.now()
    received_at = request.received_at or now
    if timezone.is_naive(received_at):
        fail("received_at", _("时间必须带时区，例如 2026-11-24T09:30:00+08:00。"))
    elif received_at > now + CLOCK_SKEW:
        fail("received_at", _("受理时间不能晚于现在。"))
    if request.purchase_date and request.purchase_date > timezone.localdate():
        fail("purchase_date", _("购买日期不能晚于今天。"))
    customer = request.customer
    if not (customer.phone or "").strip() and not (customer.email or "").strip():
        fail("customer.phone", _("手机号码或邮箱必填其一。"))
    # A malformed phone or email is reported with the other fields, not after them.
    for name, normalize in (("phone", normalize_phone), ("email", normalize_email)):
        if (getattr(customer, name) or "").strip():
            try:
                normalize(getattr(customer, name), field=f"customer.{name}")
            except ValidationFailed as exc:
                for field_name, messages in exc.fields.items():
                    errors.setdefault(field_name, []).extend(messages)
    product_model = None
    if request.product_model:
        try:
            product_model = product_model_by_code(code=request.product_model)
        except ValidationFailed as exc:
            for name, messages in exc.fields.items():
                errors.setdefault(name, []).extend(messages)
    if request.serial_number and not request.product_model:
        fail("product_model", _("填写序列号时必须填写产品型号。"))
    if errors:
        raise ValidationFailed(_("请求内容有误，请检查标出的字段。"), fields=errors)
    return {
        "title": title,
        "description": description,
        "received_at": received_at,
        "product_model": product_model,
    }


def _intake_department() -> Department | None:
    department = cache.get(_DEPARTMENT_CACHE_KEY)
    if department is None:
        department = next(
            iter(Department.objects.filter(code=INTAKE_DEPARTMENT_CODE)[:1]), _NO_DEPARTMENT
        )
        cache.set(_DEPARTMENT_CACHE_KEY, department, DEPARTMENT_CACHE_TTL)
    return department if isinstance(department, Department) else None


def _write_ticket(*, clean: dict, request: TicketRequest, number: str, actor: Actor) -> Ticket:
    customer = match_or_create_customer(details=request.customer)
    unit = None
    if clean["product_model"] is not None and request.serial_number.strip():
        unit = register_unit(
            product_model=clean["product_model"], serial_number=request.serial_number,
            customer=customer, purchase_date=request.purchase_date,
        )
    proposed, matched = propose_priority(
        text=" ".join((clean["title"], clean["description"], request.demand or ""))
    )
    priority = request.priority or proposed
    ticket = Ticket(
        number=number,
        type=request.type,
        channel=request.channel,
        priority=priority,
        proposed_priority=proposed,
        # A priority stated by staff is their decision; one we proposed waits for an agent.
        priority_confirmed=bool(request.priority) and actor.kind == ActorKind.STAFF,
        customer=customer,
        unit=unit,
        product_model=clean["product_model"],
        serial_number=request.serial_number.strip()[:80],
        purchase_date=request.purchase_date or (unit.purchase_date if unit else None),
        title=clean["title"][:200],
        description=clean["description"],
        demand=(request.demand or "").strip(),
        received_at=clean["received_at"],
        department=_intake_department(),
        created_by=actor.staff_user,
    )
    insert(ticket)  # save() without the ORM building the statement (core.rows)
    ticket_created_event(ticket=ticket, actor=actor, matched_keywords=matched)
    return ticket
