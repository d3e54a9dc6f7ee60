"""Queries on products: lookups by code and the warranty state of a unit."""

import calendar
import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.cache import cache
from django.utils.translation import gettext as _

from fivestar.core.errors import ValidationFailed
from fivestar.products.models import ProductModel, Unit

# Every intake names a model, and the catalogue changes rarely: a model found is kept in Django's
# cache (per process by default, shared with Redis) for MODEL_CACHE_TTL seconds. A model that is
# deactivated or renamed is therefore seen by intake within that time, like the priority rules;
# a new model is found at once (a miss is never kept).
MODEL_CACHE_TTL = 60


def product_model_by_code(*, code: str, field_name: str = "product_model") -> ProductModel:
    """The active model with this code, or a 422 naming the field. Each call returns its own
    copy (the cache hands out unpickled copies)."""
    wanted = (code or "").strip()
    key = "products:model:v1:" + hashlib.sha256(wanted.encode()).hexdigest()
    model = cache.get(key) if wanted else None
    if model is None:
        # The code is unique: no ORDER BY for ``first()`` to build.
        model = next(iter(
            ProductModel.objects.select_related("product_line", "warranty_policy")
            .filter(code=wanted, is_active=True)[:1]
        ), None)
        if model is None:
            raise ValidationFailed(
                _("未知的产品型号：%(code)s") % {"code": (code or "")[:60]},
                fields={field_name: [_("未知的产品型号。")]},
            )
        cache.set(key, model, MODEL_CACHE_TTL)
    return model


def add_months(start: date, months: int) -> date:
    """``start`` plus whole months, clamped to the month's last day (01-31 + 1 → 02-28)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class PartWarrantyState:
    part_name: str
    expires_on: date
    in_warranty: bool

    @property
    def last_day(self) -> date:
        """The last day covered, what people are shown as "保修至" (``expires_on`` is the first
        day out of warranty)."""
        return self.expires_on - timedelta(days=1)


@dataclass(frozen=True)
class WarrantyState:
    """Whether a unit is under warranty on a date, whole unit and per part."""

    known: bool
    in_warranty: bool
    expires_on: date | None
    parts: list[PartWarrantyState] = field(default_factory=list)

    @property
    def last_day(self) -> date | None:
        """The last day covered ("保修至"); ``expires_on`` is the first day out of warranty."""
        return None if self.expires_on is None else self.expires_on - timedelta(days=1)


def warranty_state(*, unit: Unit, on: date) -> WarrantyState:
    """The unit's warranty on ``on``, from its purchase date and its model's policy (SPEC §4).

    Without a purchase date or a policy the state is unknown: an agent must decide by hand.
    """
    policy = unit.product_model.warranty_policy
    if unit.purchase_date is None or policy is None:
        return WarrantyState(known=False, in_warranty=False, expires_on=None)
    expires = add_months(unit.purchase_date, policy.unit_months)
    parts = [
        PartWarrantyState(
            part_name=part.part_name,
            expires_on=(part_expiry := add_months(unit.purchase_date, part.months)),
            in_warranty=on < part_expiry,
        )
        for part in policy.parts.all()
    ]
    return WarrantyState(known=True, in_warranty=on < expires, expires_on=expires, parts=parts)
