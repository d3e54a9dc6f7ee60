"""Back office for tickets. A ticket's state moves only through the services (its transitions
and their events, SPEC §5): here the status, priority, assignee and closing record are shown,
never edited; events and replies are read-only; tickets are neither added nor deleted. Each
member of staff sees the tickets they may see in the API and the workspace (SPEC §9)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from fivestar.core.admin import PersonalDataAdmin
from fivestar.core.errors import DomainError
from fivestar.tickets.models import (
    Attachment,
    CannedReply,
    PriorityRule,
    Reply,
    Ticket,
    TicketEvent,
)
from fivestar.tickets.selectors import visible_tickets
from fivestar.tickets.services.canned import PLACEHOLDERS
from fivestar.tickets.services.details import EDITABLE_FIELDS, edit_ticket_details
from fivestar.tickets.services.transitions import Actor


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TicketEventInline(_ReadOnlyInline):
    model = TicketEvent
    fields = ("at", "actor", "actor_kind", "action", "from_status", "to_status", "before",
              "after", "note")
    readonly_fields = fields
    ordering = ("at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class ReplyInline(_ReadOnlyInline):
    model = Reply
    fields = ("created_at", "author", "from_customer", "internal", "body", "time_spent_minutes")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class AttachmentInline(_ReadOnlyInline):
    model = Attachment
    fields = ("created_at", "original_name", "content_type", "size", "file", "uploaded_by")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


@admin.register(Ticket)
class TicketAdmin(PersonalDataAdmin):
    list_display = ("number", "status", "priority", "type", "channel", "customer", "assignee",
                    "received_at")
    list_display_links = ("number",)
    list_select_related = ("customer", "assignee")
    list_filter = ("status", "priority", "type", "channel", "department", "outlet",
                   ("assignee", admin.RelatedOnlyFieldListFilter), "priority_confirmed")
    # Customer phones are stored as E.164: 13812345678 finds +8613812345678 (for a role that
    # may see phone numbers: ``PersonalDataAdmin``).
    search_fields = ("number", "title", "customer__phone", "customer__name")
    personal_lookups = ("customer__phone",)
    date_hierarchy = "received_at"
    list_per_page = 50
    show_full_result_count = False
    inlines = [TicketEventInline, ReplyInline, AttachmentInline]
    fieldsets = (
        (None, {"fields": ("number", "status", "priority", "proposed_priority",
                           "priority_confirmed", "type", "channel")}),
        (_("请求"), {"fields": ("title", "description", "demand", "customer", "product_model",
                                "unit", "serial_number", "purchase_date", "received_at")}),
        (_("处理"), {"fields": ("department", "outlet", "assignee", "pending_assignee",
                                "created_by")}),
        (_("时间"), {"fields": ("created_at", "accepted_at", "first_response_at", "resolved_at",
                                "closed_at", "updated_at", "next_due_at")}),
        (_("结案记录"), {"fields": ("resolution", "technical_solution", "parts_replaced",
                                    "labour_minutes", "cost_fen", "solved_on_first_contact",
                                    "customer_confirmed", "reopen_count", "cancel_reason")}),
    )

    def visible_rows(self, request, queryset):
        return queryset & visible_tickets(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        return tuple(
            field.name for field in Ticket._meta.concrete_fields
            if field.name not in EDITABLE_FIELDS and field.name != "id"
        )

    def has_add_permission(self, request) -> bool:
        return False  # tickets come in through intake (API, pages, channels)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # records are kept (SPEC §5); retention anonymises, it never deletes

    def save_model(self, request, obj: Ticket, form, change: bool) -> None:
        changes = {name: form.cleaned_data[name] for name in form.changed_data
                   if name in EDITABLE_FIELDS}
        if not changes:
            return
        try:
            edit_ticket_details(ticket=obj, actor=Actor(user=request.user), changes=changes,
                                note=str(_("后台修改")))
        except DomainError as exc:
            # The admin has already validated the form; a rule of the service still wins.
            self.message_user(request, exc.message, messages.ERROR)
            obj.refresh_from_db()


@admin.register(PriorityRule)
class PriorityRuleAdmin(admin.ModelAdmin):
    list_display = ("keyword", "priority", "order", "is_active")
    list_editable = ("priority", "order", "is_active")
    list_filter = ("priority", "is_active")
    search_fields = ("keyword",)
    list_per_page = 200


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "language", "is_active")
    list_editable = ("is_active",)
    list_filter = ("is_active", "language")
    search_fields = ("title", "body")
    fields = ("title", "body", "language", "is_active")

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs.setdefault("help_texts", {})["body"] = _(
            "可用占位符：%(names)s。未知或暂无取值的占位符会原样保留，由客服手工修改。"
        ) % {"names": "、".join("{" + name + "}" for name in PLACEHOLDERS)}
        return super().get_form(request, obj, change=change, **kwargs)
