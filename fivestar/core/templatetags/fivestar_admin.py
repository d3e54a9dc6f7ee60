"""The admin home page's warnings (``fivestar.core.admin.register_home_warning``)."""

from django import template

from fivestar.core.admin import home_warnings

register = template.Library()


@register.inclusion_tag("admin/home_warnings.html", takes_context=True)
def admin_home_warnings(context) -> dict:
    request = context.get("request")
    return {"warnings": home_warnings(request) if request is not None else []}
