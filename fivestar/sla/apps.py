from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "fivestar.sla"
    label = "sla"
    verbose_name = _("服务标准")

    def ready(self) -> None:
        from fivestar.core import periodic
        from fivestar.sla import actions, clocks, events, notices, selectors, services, sweep
        from fivestar.tickets import hooks

        events.declare()
        notices.register()
        hooks.on_ticket_event(clocks.on_ticket_event)
        hooks.register_deadline_provider(clocks.deadlines_for, prefetch=("sla_clocks",))
        # The tickets' no-answer closing rule counts working days on the working calendar.
        hooks.register_working_day_test(selectors.is_default_working_day)
        periodic.register("sla.sweep", sweep.sla_sweep, every_seconds=60)
        # China's holidays from the installed package: at the worker's start, then every 6 h.
        periodic.register("sla.holidays", services.refresh_official_holidays,
                          every_seconds=6 * 3600)
        actions.register()
        _invalidate_cached_configuration()


def _invalidate_cached_configuration() -> None:
    """Cache invalidation only (``fivestar.sla.cache``); no domain rule travels by signal."""
    from django.db.models.signals import post_delete, post_save

    from fivestar.sla import cache, models

    for model in (models.Calendar, models.WorkingInterval, models.CalendarOverride,
                  models.CalendarYear, models.SlaPolicy, models.SlaTarget):
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(cache.bump, sender=model,
                           dispatch_uid=f"sla-cache-{model.__name__}-{name}")
