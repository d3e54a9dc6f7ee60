"""The admin site's titles and sign-in form (under the one lockout), and the base of the admin
pages that only show records."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fivestar.core.signin import AdminSignInForm

admin.site.site_header = _("五星售后服务管理系统")
admin.site.site_title = _("五星售后")
admin.site.index_title = _("后台管理")
admin.site.login_form = AdminSignInForm


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
