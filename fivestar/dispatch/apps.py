from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    """Dispatch and field service (SPEC §4). For now: quotes for out-of-warranty work; routing,
    approvals, visits and solutions join this app with the Dispatch issue."""

    name = "fivestar.dispatch"
    label = "dispatch"
    verbose_name = _("派工与现场服务")

    def ready(self) -> None:
        from fivestar.dispatch import actions, events, handlers

        events.declare()
        actions.register()
        # The customer's message when a quote is proposed, the bell when they answer.
        handlers.register()
