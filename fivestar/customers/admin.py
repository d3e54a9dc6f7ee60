"""Back office for customers and the personal-data access log (SPEC §9).

Lists show contact details masked. A change page shows them whole to a role that may reveal
them (``customers.privacy``), and that view is logged; to any other role, masked and read-only.
A member of staff sees the customers of the tickets they may see (``visible_customers``).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fivestar.core.admin import MaskedFields, PersonalDataAdmin, ViewOnlyAdmin, masked
from fivestar.customers.models import Contact, Customer, PersonalDataAccess
from fivestar.customers.privacy import may_read_access_log
from fivestar.customers.visibility import visible_customers


class ContactInline(MaskedFields, admin.TabularInline):
    model = Contact
    extra = 0
    personal_fields = {"phone": "masked_phone", "email": "masked_email"}
    masked_phone = masked("phone", "phone", _("手机"))
    masked_email = masked("email", "email", _("邮箱"))


@admin.register(Customer)
class CustomerAdmin(PersonalDataAdmin):
    list_display = ("name", "masked_phone", "masked_email", "city", "district", "tier",
                    "is_elderly", "is_repeat_complainer", "created_at")
    list_filter = ("tier", "is_elderly", "is_repeat_complainer", "province", "city")
    # Phones are stored as E.164 (+8613812345678): a search for 13812345678 or its tail matches
    # (for a role that may see phone numbers; ``PersonalDataAdmin``).
    search_fields = ("name", "phone", "email")
    list_per_page = 50
    # The newest first, as before; stated so that the autocomplete's pages are stable too.
    ordering = ("-pk",)
    date_hierarchy = "created_at"
    autocomplete_fields = ("user",)
    readonly_fields = ("created_at", "anonymised_at")
    inlines = [ContactInline]
    fieldsets = (
        (None, {"fields": ("name", "phone", "email", "user")}),
        (_("地址"), {"fields": ("province", "city", "district", "address")}),
        (_("客户分类"), {"fields": ("tier", "is_elderly", "is_repeat_complainer")}),
        (_("记录"), {"fields": ("created_at", "anonymised_at")}),
    )
    personal_fields = {"phone": "masked_phone", "email": "masked_email",
                       "address": "masked_address"}
    masked_phone = masked("phone", "phone", _("手机"))
    masked_email = masked("email", "email", _("邮箱"))
    masked_address = masked("address", "address", _("地址"))

    def visible_rows(self, request, queryset):
        return queryset & visible_customers(user=request.user)

    def personal_data_shown(self, request, obj: Customer) -> list[str]:
        shown = super().personal_data_shown(request, obj)
        contacts = obj.contacts.all()
        for name in ContactInline.personal_fields:
            if contacts.exclude(**{name: ""}).exists():
                shown.append(f"contacts.{name}")
        return shown

    def personal_data_owner(self, obj: Customer) -> Customer:
        return obj


# The fields the log names, for people; a field not listed here shows by its name.
FIELD_LABELS = {
    "phone": _("手机"), "email": _("邮箱"), "address": _("地址"), "recipient": _("收件人"),
    "contacts.phone": _("联系人手机"), "contacts.email": _("联系人邮箱"),
}


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ViewOnlyAdmin):
    """The log of unmasked views, for administrators and quality auditors only, whatever other
    back-office permissions a person holds; nobody changes or deletes it here."""

    list_display = ("at", "user", "customer", "field_list", "source", "reference",
                    "client_address")
    list_select_related = ("user", "customer")
    list_filter = ("source", ("user", admin.RelatedOnlyFieldListFilter))
    # By name, never by phone: a quality auditor may not see phone numbers.
    search_fields = ("customer__name", "user__username", "user__display_name", "reference")
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False
    actions = None
    fields = ("at", "user", "customer", "field_list", "source", "reference", "client_address")
    readonly_fields = fields

    def has_module_permission(self, request) -> bool:
        return may_read_access_log(user=request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return may_read_access_log(user=request.user)

    @admin.display(description=_("字段"))
    def field_list(self, obj: PersonalDataAccess) -> str:
        return "、".join(str(FIELD_LABELS.get(name, name)) for name in obj.fields)
