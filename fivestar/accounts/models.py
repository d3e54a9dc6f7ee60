"""People and organisation (SPEC §1): users with several roles, departments, outlets, skills."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RoleCode(models.TextChoices):
    CUSTOMER = "customer", _("客户")
    AGENT = "agent", _("客服")
    TECHNICIAN = "technician", _("技术人员")
    SENIOR_TECHNICIAN = "senior_technician", _("技术骨干")
    SUPERVISOR = "supervisor", _("主管")
    MANAGER = "manager", _("经理")
    QUALITY_AUDITOR = "quality_auditor", _("质量保障")
    WAREHOUSE_KEEPER = "warehouse_keeper", _("库管")
    ADMINISTRATOR = "administrator", _("系统管理员")


class Role(models.Model):
    """A role a user may hold; a user may hold several. Rows are created by a data migration."""

    code = models.CharField(_("代码"), max_length=32, primary_key=True, choices=RoleCode.choices)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(RoleCode(self.code).label)


class Department(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    supervisor = models.ForeignKey(
        "accounts.User", verbose_name=_("主管"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="supervised_departments",
    )
    manager = models.ForeignKey(
        "accounts.User", verbose_name=_("经理"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="managed_departments",
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Outlet(models.Model):
    """A service outlet (服务网点): a place with technicians and a coverage area."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    province = models.CharField(_("省"), max_length=50)
    city = models.CharField(_("市"), max_length=50)
    district = models.CharField(_("区县"), max_length=50, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务网点")
        verbose_name_plural = _("服务网点")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CoverageArea(models.Model):
    """An area an outlet serves; an empty district means the whole city, an empty city the
    whole province."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="coverage")
    province = models.CharField(_("省"), max_length=50)
    city = models.CharField(_("市"), max_length=50, blank=True)
    district = models.CharField(_("区县"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("覆盖区域")
        verbose_name_plural = _("覆盖区域")
        constraints = [
            models.UniqueConstraint(
                fields=["outlet", "province", "city", "district"], name="coverage_unique_area"
            )
        ]
        indexes = [models.Index(fields=["province", "city", "district"])]

    def __str__(self) -> str:
        return " ".join(part for part in (self.province, self.city, self.district) if part)


class Skill(models.Model):
    """What a person can handle: a product line and/or a problem (ticket) type."""

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    product_line = models.ForeignKey(
        "products.ProductLine", verbose_name=_("产品线"), null=True, blank=True,
        on_delete=models.CASCADE,
    )
    ticket_type = models.CharField(_("问题类型"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("技能")
        verbose_name_plural = _("技能")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    roles = models.ManyToManyField(Role, verbose_name=_("角色"), blank=True, related_name="users")
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="members",
    )
    outlet = models.ForeignKey(
        Outlet, verbose_name=_("服务网点"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="staff",
    )
    skills = models.ManyToManyField(Skill, verbose_name=_("技能"), blank=True, related_name="users")
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def role_codes(self) -> frozenset[str]:
        """The codes of this user's roles, loaded once per user object."""
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            if hasattr(self, "_prefetched_objects_cache") and "roles" in (
                self._prefetched_objects_cache
            ):
                cached = frozenset(role.code for role in self.roles.all())
            else:
                cached = frozenset(self.roles.values_list("code", flat=True))
            if self.is_superuser:
                cached = cached | {RoleCode.ADMINISTRATOR}
            self._role_codes = cached
        return cached

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes() & set(codes))

    @property
    def is_administrator(self) -> bool:
        """For the infrastructure apps, which know the user model but not the roles."""
        return self.has_role(RoleCode.ADMINISTRATOR)


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 digest is stored; the token is shown once on creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100, blank=True)
    prefix = models.CharField(_("前缀"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate_raw() -> str:
        return "fs_" + secrets.token_urlsafe(32)
