"""Personal data on pages: through the one masking function (DESIGN.md "Data rules")."""

from django import template

from fivestar.customers.masking import mask

register = template.Library()


@register.filter
def masked(value: str | None, kind: str = "phone") -> str:
    """``{{ customer.phone|masked }}`` → 138****5678; ``|masked:"email"``, ``|masked:"address"``."""
    return mask(value or "", kind)
