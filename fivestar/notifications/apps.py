from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Infrastructure: templates, the outbox and its delivery, the staff inbox (the bell), SMS
    and e-mail backends. It imports no domain app: the domain that owns an event decides who
    hears what and calls ``services.queue_message`` or ``inbox.notify_staff``."""

    name = "fivestar.notifications"
    label = "notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        from fivestar.core import periodic
        from fivestar.notifications.delivery import sweep_outbox

        # Every tick: retries after a back-off and rows whose enqueue was lost go out here.
        periodic.register("notifications.outbox", sweep_outbox, every_seconds=0)
