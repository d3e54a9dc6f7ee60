from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "fivestar.notifications"
    label = "notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        from fivestar.core import periodic
        from fivestar.notifications.delivery import sweep_outbox
        from fivestar.notifications.handlers import handle_ticket_event
        from fivestar.notifications.inbox_handlers import handle_ticket_event_for_inbox
        from fivestar.tickets.hooks import on_ticket_event

        on_ticket_event(handle_ticket_event)
        # The staff inbox (the bell): assignments and approvals waiting.
        on_ticket_event(handle_ticket_event_for_inbox)
        # Every tick: retries after a back-off and rows whose enqueue was lost go out here.
        periodic.register("notifications.outbox", sweep_outbox, every_seconds=0)
