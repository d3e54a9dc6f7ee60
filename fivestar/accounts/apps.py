from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fivestar.accounts"
    label = "accounts"
    verbose_name = _("组织与账号")
