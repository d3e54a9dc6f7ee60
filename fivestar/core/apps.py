from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fivestar.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from fivestar.core import periodic
        from fivestar.core.throttle import sweep_expired_counters

        periodic.register("core.rate_counters", sweep_expired_counters, every_seconds=3600)
