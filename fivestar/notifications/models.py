"""Message templates and the outbox: every email and SMS the system sends goes through a row here.

A message is rendered and written in the same transaction as the change it reports, and sent
later by a worker (``delivery``). So a rolled-back change sends nothing, and a committed change
is never left unannounced because the mail server was down at that moment.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.template import TemplateSyntaxError, engines
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("邮件")
    SMS = "sms", _("短信")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class MessageTemplate(models.Model):
    """The wording of one message (``code``) on one channel in one language. Editable in admin;
    rendered with Django's template engine (``{{ number }}``, ``{% if %}``…), without HTML
    escaping, because email bodies and SMS are plain text."""

    code = models.SlugField(_("代码"), max_length=60)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("语言"), max_length=10, choices=Language.choices)
    subject = models.CharField(_("主题"), max_length=200, blank=True,
                               help_text=_("仅用于邮件；短信忽略此项。"))
    body = models.TextField(_("正文"))
    description = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("消息模板")
        verbose_name_plural = _("消息模板")
        ordering = ["code", "channel", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "channel", "language"], name="message_template_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} / {self.channel} / {self.language}"

    # Queuing reads templates from a cache (``services.cached_template``); a change made here
    # (the admin saves through these) makes the cached copies stale. Queryset updates do not:
    # change templates row by row.
    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        _forget_cached_templates()

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        _forget_cached_templates()
        return deleted

    def clean(self) -> None:
        # A template an administrator broke would fail at queue time, inside a ticket's
        # transaction; refuse it here instead.
        errors = {}
        for name in ("subject", "body"):
            try:
                engines["django"].from_string(getattr(self, name) or "")
            except TemplateSyntaxError as exc:
                errors[name] = [_("模板语法错误：%(error)s") % {"error": exc}]
        if errors:
            raise ValidationError(errors)


def _forget_cached_templates() -> None:
    from fivestar.notifications.template_cache import forget_templates

    forget_templates()


class About(models.Model):
    """What a message or a notice is about — any row of any app (a ticket, a quote, a survey),
    by a generic reference: the notifications app knows no domain model. The domain that sends
    the message passes the row (``about=``); pages that link to it resolve it (``about``)."""

    about_type = models.ForeignKey(
        ContentType, verbose_name=_("关于（类型）"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    about_id = models.PositiveBigIntegerField(_("关于（编号）"), null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")

    class Meta:
        abstract = True

    @staticmethod
    def reference(obj: models.Model | None) -> dict:
        """The fields that refer to ``obj`` (or to nothing)."""
        if obj is None or obj.pk is None:
            return {"about_type": None, "about_id": None}
        return {"about_type": ContentType.objects.get_for_model(obj), "about_id": obj.pk}

    @staticmethod
    def filter_for(obj: models.Model) -> Q:
        """The rows about ``obj``."""
        return Q(about_type=ContentType.objects.get_for_model(obj), about_id=obj.pk)


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class OutboxMessage(About):
    """One message to send. Subject and body are rendered when queued, so a later template edit
    does not change mail already on its way."""

    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("收件人"), max_length=254)
    subject = models.CharField(_("主题"), max_length=300, blank=True)
    body = models.TextField(_("正文"))
    template_code = models.CharField(_("模板"), max_length=60, blank=True)
    language = models.CharField(_("语言"), max_length=10, blank=True)
    # The same logical message (e.g. "event 42, ticket_created, sms") is queued at most once.
    dedupe_key = models.CharField(_("去重键"), max_length=200, null=True, blank=True,
                                  unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=OutboxStatus.choices,
                              default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    # When the row is next due: the retry time when pending, the lease end when sending.
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    lease_until = models.DateTimeField(_("租约到期"), null=True, blank=True)
    # The claim that holds the row: "<worker id>#<nonce>", new for every claim.
    claimed_by = models.CharField(_("领取者"), max_length=100, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The delivery sweep: status IN (pending, sending) AND next_attempt_at <= now.
            models.Index(fields=["status", "next_attempt_at"], name="outbox_status_due"),
            models.Index(fields=["about_type", "about_id", "created_at"], name="outbox_about"),
        ]

    def __str__(self) -> str:
        # Not the recipient: a message's name is shown where its contact details must not be
        # (the admin's titles and checkboxes, its history).
        return f"{self.channel} #{self.pk} ({self.template_code or '-'})"

    @property
    def idempotency_key(self) -> str:
        """The key every send of this row carries — the SMS gateway's idempotency key and the
        e-mail's Message-ID — so that a send repeated after a worker died (delivery is at least
        once) is recognised as the same message. The row's creation time is part of it: ids
        start again after a reinstall, and a provider that remembers keys must not drop a new
        message as the repeat of an old one."""
        created = (self.created_at - _EPOCH) // timedelta(microseconds=1)
        return f"outbox-{self.pk}-{created:x}"



class StaffNotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("派单给我")
    SLA_WARNING = "sla_warning", _("即将超时")
    SLA_BREACHED = "sla_breached", _("已超时 / 升级")
    APPROVAL = "approval", _("待我审批")
    QUOTE = "quote", _("客户答复报价")
    IMPROVEMENT = "improvement", _("满意度改进项逾期")


class StaffNotification(About):
    """One notification for one staff member (the bell, ``inbox``). ``read_at`` is set when
    they open it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE,
        related_name="staff_notifications",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=StaffNotificationKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # The same news ("clock 42 warned", "event 7 assigned") reaches one person at most once.
    dedupe_key = models.CharField(_("去重键"), max_length=200)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="staff_notification_once_per_key"
            ),
        ]
        indexes = [
            # The notifications page: one person's rows, newest first.
            models.Index(fields=["recipient", "-created_at"], name="staff_notif_recipient"),
            # The bell, polled every 30 s by every open workspace: unread rows of one person.
            models.Index(fields=["recipient"], name="staff_notif_unread",
                         condition=Q(read_at__isnull=True)),
            models.Index(fields=["about_type", "about_id", "kind"], name="staff_notif_about"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
