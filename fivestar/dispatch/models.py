"""Dispatch and field service (SPEC §4). For now: the quote (维修报价) that out-of-warranty work
needs, accepted by the customer before the work starts.

Routing rules, approvals, visits, solutions and the closure record join this module (or split it
into a package) with the Dispatch issue.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fivestar.core.money import format_yuan


class QuoteStatus(models.TextChoices):
    PROPOSED = "proposed", _("待客户确认")
    ACCEPTED = "accepted", _("客户已接受")
    DECLINED = "declined", _("客户不接受")
    WITHDRAWN = "withdrawn", _("已撤回")


class DecisionChannel(models.TextChoices):
    """How the customer's answer reached us."""

    PORTAL = "portal", _("客户门户")
    PHONE = "phone", _("电话确认")
    API = "api", _("API")


class Quote(models.Model):
    """A price for out-of-warranty work (labour + parts + travel) that the customer accepts or
    declines before the work starts (SPEC §4). Amounts in integer fen.

    At most one quote per ticket waits for the customer (``proposed``); a decided or withdrawn
    quote stays as the record of what was offered. Changed only by ``dispatch.services``.
    """

    # PROTECT: a ticket with a history cannot be deleted; retention anonymises instead (SPEC §5).
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("工单"), on_delete=models.PROTECT,
        related_name="quotes",
    )
    labour_fen = models.BigIntegerField(_("人工费（分）"), default=0)
    parts_fen = models.BigIntegerField(_("配件费（分）"), default=0)
    travel_fen = models.BigIntegerField(_("上门费（分）"), default=0)
    total_fen = models.BigIntegerField(_("合计（分）"))
    note = models.TextField(_("维修内容"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.PROPOSED,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报价人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    proposed_at = models.DateTimeField(_("报价时间"), default=timezone.now)
    # The quote moved the ticket from in progress to waiting for the customer; withdrawing it
    # gives the ticket back to work.
    paused_ticket = models.BooleanField(_("报价时转为等待客户"), default=False)
    decided_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    decided_via = models.CharField(
        _("答复方式"), max_length=10, choices=DecisionChannel.choices, blank=True,
    )
    # The staff member who recorded the answer (a phone consent) or withdrew the quote; empty
    # when the customer answered themselves.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    decline_reason = models.TextField(_("不接受的原因"), blank=True)

    class Meta:
        verbose_name = _("维修报价")
        verbose_name_plural = _("维修报价")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(labour_fen__gte=0),
                                   name="quote_labour_not_negative"),
            models.CheckConstraint(condition=Q(parts_fen__gte=0), name="quote_parts_not_negative"),
            models.CheckConstraint(condition=Q(travel_fen__gte=0),
                                   name="quote_travel_not_negative"),
            models.CheckConstraint(
                condition=Q(total_fen=F("labour_fen") + F("parts_fen") + F("travel_fen")),
                name="quote_total_is_the_sum",
            ),
            models.CheckConstraint(
                condition=Q(status=QuoteStatus.PROPOSED, decided_at__isnull=True)
                | (~Q(status=QuoteStatus.PROPOSED) & Q(decided_at__isnull=False)),
                name="quote_decided_when_not_proposed",
            ),
            # One quote at a time waits for the customer's answer.
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(status=QuoteStatus.PROPOSED),
                name="quote_one_proposed_per_ticket",
            ),
        ]
        indexes = [models.Index(fields=["ticket", "-proposed_at"], name="quote_ticket_proposed")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {format_yuan(self.total_fen)} {self.status}"

    @property
    def is_proposed(self) -> bool:
        return self.status == QuoteStatus.PROPOSED

    @property
    def is_expired(self) -> bool:
        """A proposed quote past its last valid day (in the configured time zone)."""
        return (self.is_proposed and self.valid_until is not None
                and self.valid_until < timezone.localdate())

    @property
    def total_display(self) -> str:
        return format_yuan(self.total_fen)

    @property
    def labour_display(self) -> str:
        return format_yuan(self.labour_fen)

    @property
    def parts_display(self) -> str:
        return format_yuan(self.parts_fen)

    @property
    def travel_display(self) -> str:
        return format_yuan(self.travel_fen)
