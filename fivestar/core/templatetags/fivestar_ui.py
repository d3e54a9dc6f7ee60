"""Small presentation helpers shared by the staff workspace and the customer portal."""

from django import template

register = template.Library()


@register.inclusion_tag("fivestar/countdown.html")
def countdown(deadline: dict | None, label: str = "") -> dict:
    return {"deadline": deadline, "label": label}


@register.filter
def has_any_role(user, codes: str) -> bool:
    """``user|has_any_role:"supervisor,manager"`` — for showing links, never for authorising."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.has_role(*codes.split(","))
