"""Presentation helpers for quotes and other dispatch data."""

from django import template

from fivestar.core.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """An amount in fen as people read it: 12345 → "¥123.45"."""
    if fen is None or fen == "":
        return ""
    try:
        return format_yuan(int(fen))
    except (TypeError, ValueError):
        return ""
