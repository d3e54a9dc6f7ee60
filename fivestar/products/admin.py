"""Back office for the product catalogue, warranty policies and registered units. A unit
registered to a customer is shown to those who may see that customer (SPEC §9)."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fivestar.core.admin import PersonalDataAdmin
from fivestar.customers.visibility import customer_scope
from fivestar.products.models import PartWarranty, ProductLine, ProductModel, Unit, WarrantyPolicy


@admin.register(ProductLine)
class ProductLineAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "model_count")
    search_fields = ("code", "name")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_model_count=Count("models"))

    @admin.display(description=_("型号数"), ordering="_model_count")
    def model_count(self, obj: ProductLine) -> int:
        return obj._model_count


@admin.register(ProductModel)
class ProductModelAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "product_line", "warranty_policy", "is_active")
    list_select_related = ("product_line", "warranty_policy")
    list_filter = ("product_line", "is_active", "warranty_policy")
    search_fields = ("code", "name")


class PartWarrantyInline(admin.TabularInline):
    model = PartWarranty
    extra = 1


@admin.register(WarrantyPolicy)
class WarrantyPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "unit_months", "part_terms")
    search_fields = ("name",)
    inlines = [PartWarrantyInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("parts")

    @admin.display(description=_("部件保修"))
    def part_terms(self, obj: WarrantyPolicy) -> str:
        return "；".join(
            gettext("%(part)s %(months)d 个月") % {"part": part.part_name, "months": part.months}
            for part in obj.parts.all()
        )


@admin.register(Unit)
class UnitAdmin(PersonalDataAdmin):
    list_display = ("serial_number", "product_model", "customer", "purchase_date",
                    "registered_at")
    list_select_related = ("product_model", "customer")
    list_filter = ("product_model__product_line", "purchase_date")
    search_fields = ("serial_number", "product_model__code", "customer__name")
    autocomplete_fields = ("customer", "product_model")
    date_hierarchy = "purchase_date"
    readonly_fields = ("registered_at",)

    def visible_rows(self, request, queryset):
        scope = customer_scope(user=request.user)
        if scope is None:
            return queryset
        # A unit nobody owns yet holds no one's data.
        return queryset.filter(Q(customer=None) | Q(customer__in=scope))
