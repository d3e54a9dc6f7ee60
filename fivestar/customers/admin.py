"""Back office for customers. Lists show phone and email masked (SPEC §9); the change page shows
them in full because editing needs them, and every such view is logged."""

import logging

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fivestar.customers.masking import mask
from fivestar.customers.models import Contact, Customer

pii_log = logging.getLogger("fivestar.pii")


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "masked_phone", "masked_email", "city", "district", "tier",
                    "is_elderly", "is_repeat_complainer", "created_at")
    list_filter = ("tier", "is_elderly", "is_repeat_complainer", "province", "city")
    # Phones are stored as E.164 (+8613812345678): a search for 13812345678 or its tail matches.
    search_fields = ("name", "phone", "email")
    list_per_page = 50
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

    @admin.display(description=_("手机"), ordering="phone")
    def masked_phone(self, obj: Customer) -> str:
        return mask(obj.phone, "phone")

    @admin.display(description=_("邮箱"), ordering="email")
    def masked_email(self, obj: Customer) -> str:
        return mask(obj.email, "email")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            pii_log.info("unmasked view: user=%s customer=%s via admin",
                         request.user.pk, object_id)
        return super().change_view(request, object_id, form_url, extra_context)
