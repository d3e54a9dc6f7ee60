"""The admin site's titles, the warnings apps put on its home page, and the base of the admin
pages that only show records."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("五星售后服务管理系统")
admin.site.site_title = _("五星售后")
admin.site.index_title = _("后台管理")


@dataclass(frozen=True)
class HomeWarning:
    """Something an administrator must act on, shown on the admin home page until it is done
    (``templates/admin/index.html``), with a link to where it is done."""

    message: str
    link: str = ""
    link_text: str = ""


_home_warnings: list[Callable[[HttpRequest], Iterable[HomeWarning]]] = []


def register_home_warning(provider: Callable[[HttpRequest], Iterable[HomeWarning]]) -> None:
    """``provider(request)`` returns the warnings for the signed-in user (the apps' own rules
    decide who sees what); apps register in their ``admin`` module. Registering twice adds
    nothing."""
    if provider not in _home_warnings:
        _home_warnings.append(provider)


def home_warnings(request: HttpRequest) -> list[HomeWarning]:
    return [warning for provider in _home_warnings for warning in provider(request)]


class ViewOnlyAdmin(admin.ModelAdmin):
    """Records the admin shows but never adds, changes or deletes: they are written by the
    services (roles seeded by migration, outbox messages, notifications, SLA clocks, quotes) and
    kept as history. The change page shows every field read-only."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
