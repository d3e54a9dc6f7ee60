"""Presentation helpers of the customer portal."""

from django import template

from fivestar.portal.progress import customer_status_label, day_text, when_text

register = template.Library()


@register.filter
def when(value) -> str:
    """A time as a customer reads it: "今天 15:30", "明天 09:00", "11月26日 10:00"."""
    return when_text(value) if value else ""


@register.filter
def day(value) -> str:
    """A day as a customer reads it: "今天", "昨天", "11月26日"."""
    return day_text(value) if value else ""


@register.filter
def customer_status(status: str) -> str:
    """A ticket status in the customer's words ("待您确认" rather than "已解决")."""
    return customer_status_label(status)
