from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "fivestar.tickets"
    label = "tickets"
    verbose_name = _("服务工单")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from fivestar.customers.visibility import install_customer_scope
        from fivestar.tickets import events, notices
        from fivestar.tickets.actions import register_ticket_actions
        from fivestar.tickets.models import PriorityRule
        from fivestar.tickets.priority import forget_rules
        from fivestar.tickets.selectors import customers_of_visible_tickets

        # The ticket's own actions first: the registry lists actions in registration order.
        register_ticket_actions()
        events.declare_ticket_event_types()
        # Who hears what about the ticket's own events (SMS/e-mail to the customer, the bell).
        notices.register()
        # Which customers staff see in the back office follows the tickets they see.
        install_customer_scope(customers_of_visible_tickets)

        # Cache invalidation only; no domain rule travels by signal.
        post_save.connect(forget_rules, sender=PriorityRule, dispatch_uid="priority-rules-save")
        post_delete.connect(forget_rules, sender=PriorityRule, dispatch_uid="priority-rules-del")
