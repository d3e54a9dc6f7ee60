"""Service tickets (服务工单), their append-only events, replies and attachments (SPEC §2, §5)."""


from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    WEB = "web", _("网页")
    EMAIL = "email", _("邮件")
    CHAT = "chat", _("在线客服")
    SMS = "sms", _("短信")
    API = "api", _("API")
    WALK_IN = "walk_in", _("到店")


class TicketType(models.TextChoices):
    CONSULTATION = "consultation", _("技术咨询")
    REPAIR = "repair", _("故障报修")
    INSTALLATION = "installation", _("安装")
    MAINTENANCE = "maintenance", _("保养")
    RETURN = "return", _("退换货")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")


class Priority(models.TextChoices):
    P1 = "P1", _("一级（紧急）")
    P2 = "P2", _("二级（重要）")
    P3 = "P3", _("三级（一般）")


class Status(models.TextChoices):
    NEW = "new", _("新建")
    ACCEPTED = "accepted", _("已受理")
    AWAITING_APPROVAL = "awaiting_approval", _("待审批")
    ASSIGNED = "assigned", _("已派单")
    IN_PROGRESS = "in_progress", _("处理中")
    WAITING_CUSTOMER = "waiting_customer", _("等待客户")
    RESOLVED = "resolved", _("已解决")
    CLOSED = "closed", _("已关闭")
    CANCELLED = "cancelled", _("已取消")


class ContactChannel(models.TextChoices):
    """How staff reached (or tried to reach) the customer (SPEC §3 "contact the customer")."""

    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    VISIT = "visit", _("上门")
    WECHAT = "wechat", _("微信")
    EMAIL = "email", _("邮件")
    OTHER = "other", _("其他")


class ConfirmationChannel(models.TextChoices):
    """How the customer's confirmation of the resolution came (SPEC §5)."""

    PORTAL = "portal", _("服务门户")
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    VISIT = "visit", _("上门")
    WECHAT = "wechat", _("微信")
    EMAIL = "email", _("邮件")
    OTHER = "other", _("其他")


class ConfirmationMethod(models.TextChoices):
    """Whose word a closure rests on (SPEC §5): the customer's own, the customer's answer as
    staff recorded it, or the no-answer rule (the customer could not be reached)."""

    CUSTOMER = "customer", _("客户本人确认")
    RECORDED = "recorded", _("员工记录客户确认")
    NO_ANSWER = "no_answer", _("联系不上，按规则视为确认")


OPEN_STATUSES = frozenset(
    {
        Status.NEW, Status.ACCEPTED, Status.AWAITING_APPROVAL, Status.ASSIGNED,
        Status.IN_PROGRESS, Status.WAITING_CUSTOMER,
    }
)


class TicketDaySequence(models.Model):
    """The last number handed out for one day; ticket numbers are ``SR-YYYYMMDD-NNNNNN``."""

    day = models.DateField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("工单编号序列")
        verbose_name_plural = _("工单编号序列")

    def __str__(self) -> str:
        return f"{self.day}: {self.last_value}"


class Ticket(models.Model):
    number = models.CharField(_("工单号"), max_length=24, unique=True, editable=False)
    type = models.CharField(_("类型"), max_length=20, choices=TicketType.choices)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    priority = models.CharField(_("优先级"), max_length=2, choices=Priority.choices)
    proposed_priority = models.CharField(
        _("建议优先级"), max_length=2, choices=Priority.choices, blank=True
    )
    priority_confirmed = models.BooleanField(_("优先级已确认"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT,
        related_name="tickets",
    )
    unit = models.ForeignKey(
        "products.Unit", verbose_name=_("设备"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="tickets",
    )
    product_model = models.ForeignKey(
        "products.ProductModel", verbose_name=_("产品型号"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="tickets",
    )
    serial_number = models.CharField(_("序列号"), max_length=80, blank=True)
    purchase_date = models.DateField(_("购买日期"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("问题描述"), blank=True)
    demand = models.TextField(_("客户诉求"), blank=True)
    received_at = models.DateTimeField(_("受理时间"), db_index=True)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("部门"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="tickets",
    )
    outlet = models.ForeignKey(
        "accounts.Outlet", verbose_name=_("服务网点"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="tickets",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="assigned_tickets",
    )
    # Who the ticket goes to once a P1 assignment is approved (SPEC §4).
    pending_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("待批准处理人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="created_tickets",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    accepted_at = models.DateTimeField(_("受理确认时间"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("首次回复时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重开次数"), default=0)
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    # The closing record (SPEC §5).
    resolution = models.TextField(_("处理过程"), blank=True)
    technical_solution = models.TextField(_("技术方案"), blank=True)
    parts_replaced = models.TextField(_("更换部件"), blank=True)
    labour_minutes = models.PositiveIntegerField(_("工时（分钟）"), null=True, blank=True)
    cost_fen = models.PositiveBigIntegerField(_("费用（分）"), null=True, blank=True)
    solved_on_first_contact = models.BooleanField(_("首次解决"), null=True, blank=True)
    customer_confirmed = models.BooleanField(_("客户已确认"), null=True, blank=True)
    # The confirmation a closure rests on (SPEC §5): how, who, when, recorded by whom.
    confirmation_method = models.CharField(
        _("确认方式"), max_length=20, choices=ConfirmationMethod.choices, blank=True)
    confirmation_channel = models.CharField(
        _("确认渠道"), max_length=10, choices=ConfirmationChannel.choices, blank=True)
    confirmed_by_name = models.CharField(_("确认人"), max_length=100, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmation_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认记录人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    # The earliest running SLA target; queues sort by it. Filled in by the SLA engine.
    next_due_at = models.DateTimeField(_("最近截止时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务工单")
        verbose_name_plural = _("服务工单")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="ticket_status_received"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["department", "status"], name="ticket_department_status"),
            # Every ticket, those without a deadline last: the queues' deadline order and the
            # API's ``sort=next_due_at``.
            models.Index(fields=["next_due_at"], name="ticket_next_due"),
            models.Index(fields=["customer", "-received_at"], name="ticket_customer_received"),
            # The API's filters and sorts read a page and count (up to a cap) through these
            # rather than walking a million rows (bench/million.py).
            models.Index(fields=["priority", "-received_at"], name="ticket_priority_received"),
            models.Index(fields=["type", "-received_at"], name="ticket_type_received"),
            models.Index(fields=["channel", "-received_at"], name="ticket_channel_received"),
            # The console's "resolved today".
            models.Index(fields=["resolved_at"], name="ticket_resolved_at"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketEventQuerySet(models.QuerySet):
    """Events are append-only: bulk updates and deletes are refused too, not just ``save``."""

    def update(self, **kwargs):
        raise ValueError("ticket events are append-only")

    def delete(self):
        raise ValueError("ticket events are append-only")


class TicketEvent(models.Model):
    """One change to a ticket: who, when, what, before/after (SPEC §5). Append-only."""

    # PROTECT: a ticket with a history cannot be deleted; retention anonymises instead (SPEC §5).
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    # Who acted when it was not a staff user: "customer", "system", "api".
    actor_kind = models.CharField(_("操作方"), max_length=20, default="staff")
    action = models.CharField(_("动作"), max_length=40)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)
    before = models.JSONField(_("变更前"), default=dict, blank=True)
    after = models.JSONField(_("变更后"), default=dict, blank=True)
    note = models.TextField(_("说明"), blank=True)

    objects = TicketEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("工单事件")
        verbose_name_plural = _("工单事件")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["ticket", "at"], name="event_ticket_at"),
            # The console's "assigned to them today" reads today's assignments.
            models.Index(fields=["action", "at"], name="event_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("ticket events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("ticket events are append-only")

    @property
    def kind(self):
        """The event's kind as the enum member of the app that declared it
        (``tickets.events.register_event_type``); compare with members, never with strings."""
        from fivestar.tickets.events import kind_of

        return kind_of(self)

    @property
    def payload(self):
        """What the event carries, as its kind's payload type (``tickets.events``)."""
        cached = self.__dict__.get("_payload")
        if cached is None:
            from fivestar.tickets.events import payload_of

            cached = self.__dict__["_payload"] = payload_of(self)
        return cached


class Reply(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("作者"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    # True when the customer wrote it (portal, email, SMS) rather than staff.
    from_customer = models.BooleanField(_("来自客户"), default=False)
    body = models.TextField(_("内容"))
    internal = models.BooleanField(_("内部备注"), default=False)
    time_spent_minutes = models.PositiveIntegerField(_("耗时（分钟）"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("回复")
        verbose_name_plural = _("回复")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="reply_ticket_created")]

    def __str__(self) -> str:
        return f"{self.ticket_id} reply {self.pk}"


def _attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name never comes from the uploader: it is the digest plus the detected extension.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.original_name


class PriorityRule(models.Model):
    """A keyword that suggests a priority on intake (SPEC §3). Data, editable in admin."""

    keyword = models.CharField(_("关键词"), max_length=60)
    priority = models.CharField(_("优先级"), max_length=2, choices=Priority.choices)
    order = models.PositiveSmallIntegerField(_("顺序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("优先级关键词")
        verbose_name_plural = _("优先级关键词")
        ordering = ["order", "priority", "keyword"]
        constraints = [
            models.UniqueConstraint(fields=["keyword", "priority"], name="priority_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.keyword} → {self.priority}"


class IdempotencyKey(models.Model):
    """A creation request already served: the same key from the same user returns its ticket."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_digest = models.CharField(max_length=64)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key")
        ]

    def __str__(self) -> str:
        return self.key


class CannedReply(models.Model):
    """A prepared answer an agent inserts into a reply (常用回复). ``body`` may hold placeholders
    such as ``{customer_name}``, ``{ticket_number}``, ``{next_due_at}`` and ``{agent_name}``;
    ``services.canned.render_canned_reply`` fills them in. Data, edited in admin."""

    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"))
    # Blank: for every language; otherwise offered when the reply is written in that language.
    language = models.CharField(
        _("语言"), max_length=10, blank=True, choices=settings.LANGUAGES,
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("常用回复")
        verbose_name_plural = _("常用回复")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title
