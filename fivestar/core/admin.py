"""The admin site's titles."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("五星售后服务管理系统")
admin.site.site_title = _("五星售后")
admin.site.index_title = _("后台管理")
