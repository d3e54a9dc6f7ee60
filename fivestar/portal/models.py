"""Rows the customer portal keeps: one-time codes and the tokens of submitted forms."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CodePurpose(models.TextChoices):
    TICKET = "ticket", _("查询工单")
    ACCOUNT = "account", _("登录账户")


class FollowCode(models.Model):
    """A one-time code sent by SMS: to follow one ticket, or to sign in to the account.

    Only an HMAC of the code is stored (keyed with the site's secret), never the code itself.
    Good for ``expires_at`` (10 minutes), a few attempts, and one use.
    """

    purpose = models.CharField(_("用途"), max_length=10, choices=CodePurpose.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("工单"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.CASCADE, related_name="+",
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("过期时间"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("验证码")
        verbose_name_plural = _("验证码")
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose="account") | Q(ticket__isnull=False),
                name="follow_code_ticket_purpose_has_ticket",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "purpose", "-created_at"],
                         name="follow_code_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.customer_id} {self.created_at:%Y-%m-%d %H:%M}"


class PortalSubmission(models.Model):
    """One submitted request form: its one-time token is unique, so a double submit (a second
    tap, a browser retry) finds the first ticket instead of creating another."""

    token = models.CharField(max_length=64, unique=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="+", null=True, blank=True,
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("门户提交")
        verbose_name_plural = _("门户提交")

    def __str__(self) -> str:
        return self.token
