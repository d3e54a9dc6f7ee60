"""Customers and their contacts (SPEC §2). A phone or an email identifies one customer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Right
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CustomerTier(models.TextChoices):
    NORMAL = "normal", _("普通")
    VIP = "vip", _("VIP")


class Customer(models.Model):
    name = models.CharField(_("姓名"), max_length=100)
    # Stored normalised (E.164, e.g. +8613812345678) so that every spelling finds the same row.
    phone = models.CharField(_("手机"), max_length=20, null=True, blank=True)
    # Stored lower-cased.
    email = models.EmailField(_("邮箱"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    province = models.CharField(_("省"), max_length=50, blank=True)
    city = models.CharField(_("市"), max_length=50, blank=True)
    district = models.CharField(_("区县"), max_length=50, blank=True)
    tier = models.CharField(
        _("等级"), max_length=10, choices=CustomerTier.choices, default=CustomerTier.NORMAL
    )
    is_elderly = models.BooleanField(_("老年客户"), default=False)
    is_repeat_complainer = models.BooleanField(_("重复投诉"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("门户账号"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="customer",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=Q(phone__isnull=False), name="customer_unique_phone"
            ),
            models.UniqueConstraint(
                fields=["email"], condition=Q(email__isnull=False), name="customer_unique_email"
            ),
        ]
        indexes = [
            models.Index(fields=["name"]),
            # Search by the last four digits of the phone (tickets.selectors.search_condition).
            models.Index(Right("phone", 4), name="customer_phone_tail"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """Another person or number to reach for a customer (a family member, a site contact)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("姓名"), max_length=100)
    relation = models.CharField(_("关系"), max_length=50, blank=True)
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    is_primary = models.BooleanField(_("首选联系人"), default=False)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")

    def __str__(self) -> str:
        return self.name


class AccessSource(models.TextChoices):
    WORKSPACE = "workspace", _("工作台")
    ADMIN = "admin", _("后台")
    EXPORT = "export", _("导出")


class PersonalDataAccess(models.Model):
    """One view of personal data shown unmasked (SPEC §9: "every unmasked view is logged"): who
    saw which fields of whose data, when, where and from which address. Rows are only ever
    added, by ``services.record_personal_data_access``."""

    at = models.DateTimeField(_("时间"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("查看人"), on_delete=models.PROTECT,
        related_name="+",
    )
    # Whose data: a customer, or nobody known when the value belongs to no customer row (a
    # member of staff's own phone, a message to an address no customer has).
    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    fields = models.JSONField(_("字段"), default=list)
    source = models.CharField(_("来源"), max_length=20, choices=AccessSource.choices)
    # What was open: a ticket number, or the back-office record ("customers.customer/12").
    reference = models.CharField(_("查看对象"), max_length=100, blank=True)
    client_address = models.GenericIPAddressField(_("客户端地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-at"], name="pii_access_customer_at"),
            models.Index(fields=["user", "-at"], name="pii_access_user_at"),
            models.Index(fields=["-at"], name="pii_access_at"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d %H:%M} {', '.join(self.fields)}"
