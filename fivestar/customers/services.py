"""Commands on customers (SPEC §2): match on intake, never duplicate; log every view of their
personal data shown unmasked (SPEC §9)."""

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fivestar.accounts.models import User
from fivestar.core.compiled import CompiledQuery
from fivestar.core.errors import ValidationFailed
from fivestar.core.rows import insert
from fivestar.customers.models import AccessSource, Customer, PersonalDataAccess
from fivestar.customers.phones import normalize_phone


@dataclass(frozen=True)
class CustomerDetails:
    name: str
    phone: str = ""
    email: str = ""
    address: str = ""


def normalize_email(raw: str, *, field: str = "email") -> str:
    text = (raw or "").strip().lower()
    try:
        validate_email(text)
    except DjangoValidationError:
        raise ValidationFailed(
            _("邮箱地址无效。"), fields={field: [_("不是有效的邮箱地址。")]}
        ) from None
    return text


def match_or_create_customer(
    *, details: CustomerDetails, field_prefix: str = "customer."
) -> Customer:
    """Find the customer by normalised phone, then by email; create one only when neither matches.

    Rule (SPEC §2): the same phone or email finds the existing customer. A blank field of the
    existing customer is filled in from the request; a filled one is never overwritten on intake.
    Two concurrent intakes for a new number create one customer: the unique constraint decides
    and the loser reads the winner's row.
    """
    name = (details.name or "").strip()
    phone = normalize_phone(details.phone, field=f"{field_prefix}phone") if details.phone else None
    email = normalize_email(details.email, field=f"{field_prefix}email") if details.email else None
    if not phone and not email:
        raise ValidationFailed(
            _("客户的手机号码和邮箱至少填写一项。"),
            fields={f"{field_prefix}phone": [_("手机号码或邮箱必填其一。")]},
        )
    for _attempt in range(3):
        customer = _find(phone=phone, email=email)
        if customer is not None:
            return _fill_blanks(customer, name=name, phone=phone, email=email,
                                address=details.address)
        if not name:
            raise ValidationFailed(
                _("新客户需要填写姓名。"), fields={f"{field_prefix}name": [_("必填。")]}
            )
        customer = Customer(name=name[:100], phone=phone, email=email,
                            address=(details.address or "").strip()[:300])
        # One statement, no savepoint: a row somebody created a moment ago with this phone or
        # email refuses ours, and the next turn reads theirs.
        if insert(customer, skip_conflicts=True):
            return customer
    raise ValidationFailed(_("客户信息冲突，请重试。"), fields={f"{field_prefix}phone": []})


# Phone and email are each unique: a slice, not ``first()``, whose ORDER BY costs the ORM more
# than the database; the SQL built once per process (core.compiled).
_BY_PHONE = CompiledQuery(lambda phone: Customer.objects.filter(phone=phone)[:1],
                          phone="\x01phone")
_BY_EMAIL = CompiledQuery(lambda email: Customer.objects.filter(email=email)[:1],
                          email="\x01email")


def _find(*, phone: str | None, email: str | None) -> Customer | None:
    if phone and (found := _BY_PHONE.run(phone=phone)):
        return found[0]
    if email and (found := _BY_EMAIL.run(email=email)):
        return found[0]
    return None


def _fill_blanks(customer: Customer, *, name: str, phone: str | None, email: str | None,
                 address: str) -> Customer:
    changed = []
    if phone and not customer.phone and not Customer.objects.filter(phone=phone).exists():
        customer.phone = phone
        changed.append("phone")
    if email and not customer.email and not Customer.objects.filter(email=email).exists():
        customer.email = email
        changed.append("email")
    if address and not customer.address:
        customer.address = address.strip()[:300]
        changed.append("address")
    if name and not customer.name:
        customer.name = name[:100]
        changed.append("name")
    if changed:
        try:
            with transaction.atomic():
                customer.save(update_fields=changed)
        except IntegrityError:
            customer.refresh_from_db()
    return customer


def record_personal_data_access(
    *, user: User, customer: Customer | None, fields: Iterable[str], source: str,
    reference: str = "", client_address: str | None = None,
) -> PersonalDataAccess:
    """Log one view of personal data shown unmasked: one row saying who (``user``) saw which
    ``fields`` of whose data (``customer``; None when the value is no customer's), when, where
    (``source``: workspace, admin, export; ``reference``: the ticket or record open) and from
    which client address.

    Rule (SPEC §9): "every unmasked view is logged". Every place that shows personal data whole
    calls this one function, in the request that shows it; the log is read in the back office
    by administrators and quality auditors (``privacy.may_read_access_log``) and never changed.
    """
    names = [name for name in dict.fromkeys(fields) if name]
    if not names:
        raise ValueError("an access to no field is not an access")
    if source not in AccessSource.values:
        raise ValueError(f"unknown source {source!r}")
    return PersonalDataAccess.objects.create(
        user=user, customer=customer, fields=names, source=source, reference=reference[:100],
        client_address=_ip_or_none(client_address),
    )


def _ip_or_none(address: str | None) -> str | None:
    # REMOTE_ADDR is whatever the server put there (a Unix socket gives ""): keep what is an IP.
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None
