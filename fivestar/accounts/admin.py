"""Back office for people and organisation: users, departments, outlets, skills, roles, tokens."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fivestar.accounts.models import (
    ApiToken,
    CoverageArea,
    Department,
    Outlet,
    Role,
    Skill,
    User,
)
from fivestar.accounts.services import create_api_token, revoke_api_tokens
from fivestar.core.admin import PersonalDataAdmin, ViewOnlyAdmin, masked


@admin.register(User)
class UserAdmin(PersonalDataAdmin, DjangoUserAdmin):
    """Staff and the customers' portal accounts. Phones and e-mail addresses are masked for a
    role that may not see them whole (SPEC §9); shown whole, the view is logged."""

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "phone", "email", "language")}),
        (_("组织与角色"), {"fields": ("roles", "department", "outlet", "skills")}),
        (
            _("后台权限"),
            {
                "classes": ("collapse",),
                "fields": ("is_active", "is_staff", "is_superuser", "groups",
                           "user_permissions"),
            },
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (_("个人信息"), {"fields": ("display_name", "phone", "email")}),
        (_("组织与角色"), {"fields": ("roles", "department", "outlet", "skills")}),
    )
    list_display = ("username", "display_name", "role_list", "department", "outlet",
                    "is_active", "last_login")
    list_filter = ("roles", "department", "outlet", "is_active", "is_staff", "is_superuser")
    list_select_related = ("department", "outlet")
    search_fields = ("username", "display_name", "first_name", "last_name", "email", "phone")
    filter_horizontal = ("roles", "skills", "groups", "user_permissions")
    ordering = ("username",)
    personal_fields = {"phone": "masked_phone", "email": "masked_email"}
    masked_phone = masked("phone", "phone", _("手机"))
    masked_email = masked("email", "email", _("邮箱"))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles")

    @admin.display(description=_("角色"))
    def role_list(self, obj: User) -> str:
        return "、".join(str(role) for role in obj.roles.all())

    def personal_data_owner(self, obj: User):
        # A portal account's details are its customer's; a colleague's are nobody's customer.
        return getattr(obj, "customer", None)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "supervisor", "manager", "member_count", "is_active")
    list_select_related = ("supervisor", "manager")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    autocomplete_fields = ("supervisor", "manager")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_member_count=Count("members"))

    @admin.display(description=_("人数"), ordering="_member_count")
    def member_count(self, obj: Department) -> int:
        return obj._member_count


class CoverageAreaInline(admin.TabularInline):
    model = CoverageArea
    extra = 1


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "province", "city", "district", "phone", "is_active")
    list_filter = ("is_active", "province", "city")
    search_fields = ("code", "name", "city", "district", "address")
    inlines = [CoverageAreaInline]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "product_line", "ticket_type")
    list_select_related = ("product_line",)
    list_filter = ("product_line", "ticket_type")
    search_fields = ("code", "name")


@admin.register(Role)
class RoleAdmin(ViewOnlyAdmin):
    """The roles are fixed by the code (SPEC §1); they are listed here, not edited."""

    list_display = ("code", "label", "user_count")
    actions = None

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_user_count=Count("users"))

    @admin.display(description=_("名称"))
    def label(self, obj: Role) -> str:
        return str(obj)

    @admin.display(description=_("人数"), ordering="_user_count")
    def user_count(self, obj: Role) -> int:
        return obj._user_count



@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created here or by ``fivestar token``; the raw token is shown once."""

    list_display = ("prefix_display", "user", "name", "created_at", "last_used_at",
                    "revoked_at")
    list_select_related = ("user",)
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("prefix", "name", "user__username", "user__display_name")
    autocomplete_fields = ("user",)
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name")
        return ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("prefix", "user", "created_at", "last_used_at", "revoked_at")

    @admin.display(description=_("前缀"), ordering="prefix")
    def prefix_display(self, obj: ApiToken) -> str:
        return format_html("<code>{}…</code>", obj.prefix)

    def save_model(self, request, obj: ApiToken, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = create_api_token(user=obj.user, name=obj.name)
        # The admin goes on with ``obj`` (log entry, redirect): make it the row just created.
        obj.__dict__.update({k: v for k, v in token.__dict__.items() if not k.startswith("_")})
        obj._state.adding = False
        messages.warning(
            request,
            format_html(
                "{} <code>{}</code>",
                gettext("新令牌（只显示这一次，请立即复制保存）："),
                raw,
            ),
        )

    @admin.action(description=_("撤销所选令牌"))
    def revoke(self, request, queryset) -> None:
        count = revoke_api_tokens(tokens=queryset)
        self.message_user(
            request, gettext("已撤销 %(count)d 个令牌。") % {"count": count}, messages.SUCCESS
        )
