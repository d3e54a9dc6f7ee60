"""Back office: templates are edited here; the outbox is watched here (read-only, "retry now");
the staff inbox is read here (read-only). The outbox and the inbox hold every customer's and
every colleague's messages: they are for administrators only (SPEC §9), and the outbox's
recipients are masked in the list, shown whole (and logged) on a message's page."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fivestar.core import privacy
from fivestar.core.admin import PersonalDataAdmin, ViewOnlyAdmin
from fivestar.notifications.inbox import StaffNotification
from fivestar.notifications.models import Channel, MessageTemplate, OutboxMessage, OutboxStatus
from fivestar.notifications.services import retry_messages


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "channel", "language", "subject", "updated_at"]
    list_filter = ["channel", "language", "code"]
    search_fields = ["code", "subject", "body"]
    fieldsets = [
        (None, {"fields": ["code", "channel", "language", "description"]}),
        (_("内容"), {
            "fields": ["subject", "body"],
            "description": _(
                "使用 Django 模板语法，例如 {{ number }}、{{ customer_name }}、{{ title }}、"
                "{{ status }}、{{ received_at|date:\"Y-m-d H:i\" }}。修改只影响之后生成的消息。"
            ),
        }),
    ]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(PersonalDataAdmin, ViewOnlyAdmin):
    # Sent mail cannot be unsent, and a queued message says what the ticket said then; only
    # "retry now" acts on it.
    list_display = ["id", "created_at", "channel", "masked_recipient", "template_code",
                    "status", "attempts", "next_attempt_at", "sent_at", "about"]
    list_filter = ["status", "channel", "template_code", "language"]
    # A message names its ticket in its subject or body; the generic reference is not
    # searchable by number.
    search_fields = ["recipient", "subject", "body", "dedupe_key"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("about")
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]
    personal_fields = {"recipient": "masked_recipient"}

    def has_view_permission(self, request, obj=None) -> bool:
        return (getattr(request.user, "is_administrator", False)
                and super().has_view_permission(request, obj))

    @admin.display(description=_("收件人"))
    def masked_recipient(self, obj: OutboxMessage) -> str:
        kind = "phone" if obj.channel == Channel.SMS else "email"
        return privacy.rules().mask(obj.recipient, kind)

    def personal_data_owner(self, obj: OutboxMessage):
        return privacy.rules().owner_of_contact(contact=obj.recipient)

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("notifications.change_outboxmessage")

    @admin.action(description=_("立即重试所选消息"), permissions=["retry"])
    def retry_now(self, request, queryset) -> None:
        ids = list(
            queryset.filter(status__in=[OutboxStatus.FAILED, OutboxStatus.PENDING])
            .values_list("pk", flat=True)
        )
        count = retry_messages(ids=ids)
        self.message_user(
            request,
            ngettext("已安排 %(count)d 条消息立即重试。", "已安排 %(count)d 条消息立即重试。",
                     count) % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(StaffNotification)
class StaffNotificationAdmin(ViewOnlyAdmin):
    """What the bell told whom, and when they read it. Written only by the services."""

    list_display = ["created_at", "recipient", "kind", "title", "about", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    # The title names the ticket (its number); the generic reference is not searchable.
    search_fields = ["title", "recipient__username", "recipient__display_name"]
    list_select_related = ["recipient"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("about")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in StaffNotification._meta.fields]

    def has_view_permission(self, request, obj=None) -> bool:
        return (getattr(request.user, "is_administrator", False)
                and super().has_view_permission(request, obj))
