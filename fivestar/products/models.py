"""Product lines, models, warranty policies and the units customers own."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductLine(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("产品线")
        verbose_name_plural = _("产品线")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class WarrantyPolicy(models.Model):
    """Whole-unit warranty in months, with longer or shorter terms for named parts."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    unit_months = models.PositiveSmallIntegerField(_("整机保修（月）"))

    class Meta:
        verbose_name = _("保修政策")
        verbose_name_plural = _("保修政策")

    def __str__(self) -> str:
        return self.name


class PartWarranty(models.Model):
    policy = models.ForeignKey(WarrantyPolicy, on_delete=models.CASCADE, related_name="parts")
    part_name = models.CharField(_("部件"), max_length=100)
    months = models.PositiveSmallIntegerField(_("保修（月）"))

    class Meta:
        verbose_name = _("部件保修")
        verbose_name_plural = _("部件保修")
        constraints = [
            models.UniqueConstraint(fields=["policy", "part_name"], name="part_warranty_unique")
        ]

    def __str__(self) -> str:
        return f"{self.part_name} {self.months}"


class ProductModel(models.Model):
    code = models.CharField(_("型号"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    product_line = models.ForeignKey(
        ProductLine, verbose_name=_("产品线"), on_delete=models.PROTECT, related_name="models"
    )
    warranty_policy = models.ForeignKey(
        WarrantyPolicy, verbose_name=_("保修政策"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="product_models",
    )
    is_active = models.BooleanField(_("在售/在保"), default=True)

    class Meta:
        verbose_name = _("产品型号")
        verbose_name_plural = _("产品型号")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Unit(models.Model):
    """A registered unit: one physical product with its serial number, owned by a customer."""

    product_model = models.ForeignKey(
        ProductModel, verbose_name=_("型号"), on_delete=models.PROTECT, related_name="units"
    )
    serial_number = models.CharField(_("序列号"), max_length=80)
    purchase_date = models.DateField(_("购买日期"), null=True, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="units",
    )
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("登记设备")
        verbose_name_plural = _("登记设备")
        constraints = [
            models.UniqueConstraint(
                fields=["product_model", "serial_number"], name="unit_unique_serial"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_model.code} #{self.serial_number}"
