from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "fivestar.sla"
    label = "sla"
    verbose_name = _("服务标准")

    def ready(self) -> None:
        from fivestar.core import periodic
        from fivestar.sla import clocks, sweep
        from fivestar.tickets import hooks

        hooks.on_ticket_event(clocks.on_ticket_event)
        hooks.register_deadline_provider(clocks.deadlines_for, prefetch=("sla_clocks",))
        periodic.register("sla.sweep", sweep.sla_sweep, every_seconds=60)
