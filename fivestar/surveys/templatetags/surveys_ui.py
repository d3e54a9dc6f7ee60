"""Small filters of the survey pages: scores, changes and rates as people read them."""

from django import template

from fivestar.surveys.analysis import GROUP_LABELS, Figures
from fivestar.surveys.analysis import not_fit_message as _not_fit_message

register = template.Library()


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def score(value) -> str:
    return "—" if value is None else f"{float(value):.2f}"


@register.filter
def change(value) -> str:
    if value is None:
        return "—"
    value = float(value)
    return f"{'+' if value > 0 else ''}{value:.2f}"


@register.filter
def pct(value) -> str:
    return "—" if value is None else f"{float(value):.1%}"


@register.filter
def group_label(key) -> str:
    return str(GROUP_LABELS.get(key, ""))


@register.simple_tag
def not_fit_message(figures: Figures) -> str:
    return _not_fit_message(figures)
