"""Back office for dispatch. Quotes are read here, never edited: they change only through the
services (propose, accept, decline, withdraw), which write the ticket's events. The quotes of
the tickets the viewer may see (SPEC §9)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fivestar.core.admin import PersonalDataAdmin, ViewOnlyAdmin
from fivestar.dispatch.models import Quote
from fivestar.tickets.selectors import rows_of_visible_tickets


@admin.register(Quote)
class QuoteAdmin(PersonalDataAdmin, ViewOnlyAdmin):
    list_display = ("ticket", "status", "total", "proposed_by", "proposed_at", "decided_via",
                    "decided_at")
    list_select_related = ("ticket", "proposed_by")
    list_filter = ("status", "decided_via")
    search_fields = ("ticket__number", "note")
    date_hierarchy = "proposed_at"
    list_per_page = 50
    show_full_result_count = False
    fields = ("ticket", "status", "labour_fen", "parts_fen", "travel_fen", "total_fen", "note",
              "valid_until", "proposed_by", "proposed_at", "paused_ticket", "decided_at",
              "decided_via", "decided_by", "decline_reason")
    readonly_fields = fields

    @admin.display(description=_("合计"), ordering="total_fen")
    def total(self, obj: Quote) -> str:
        return obj.total_display

    def visible_rows(self, request, queryset):
        return rows_of_visible_tickets(queryset, user=request.user)
