"""Satisfaction measurement (满意度测评, SPEC §6): templates, invitations, responses, the word
list for cleaning, the customers' points ledger and their opt-outs.

A template is versioned: publishing a change adds a row with the next ``version``, and a response
keeps the exact version it answered. An invitation is created once per ticket and kind (routine,
special) or once per customer and month (monthly sample) — the database holds that rule.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    """The five scored dimensions of SPEC §6, in the order the survey asks them."""

    TIMELINESS = "timeliness", _("响应及时性")
    ABILITY = "ability", _("问题解决能力")
    ATTITUDE = "attitude", _("服务态度")
    PROFESSIONALISM = "professionalism", _("专业性")
    COMMUNICATION = "communication", _("沟通清晰度")


DIMENSIONS: tuple[str, ...] = tuple(Dimension.values)


class SurveyTemplate(models.Model):
    """One version of a survey's wording. ``code`` names the survey; each published change is a
    new row with the next version, so a response always refers to what the customer saw."""

    code = models.SlugField(_("代码"), max_length=40)
    version = models.PositiveIntegerField(_("版本"))
    title_zh = models.CharField(_("标题（中文）"), max_length=200)
    title_en = models.CharField(_("标题（英文）"), max_length=200)
    intro_zh = models.TextField(_("说明（中文）"), blank=True)
    intro_en = models.TextField(_("说明（英文）"), blank=True)
    #: {dimension code: {"zh": question, "en": question}} for the five dimensions.
    questions = models.JSONField(_("评分问题"), default=dict)
    solved_zh = models.CharField(_("是否解决问题（中文）"), max_length=200)
    solved_en = models.CharField(_("是否解决问题（英文）"), max_length=200)
    comment_zh = models.CharField(_("意见问题（中文）"), max_length=200)
    comment_en = models.CharField(_("意见问题（英文）"), max_length=200)
    comment_required = models.BooleanField(_("意见必填"), default=False)
    is_current = models.BooleanField(_("当前版本"), default=True)
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now)

    class Meta:
        verbose_name = _("测评模板")
        verbose_name_plural = _("测评模板")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="survey_template_version"),
            models.UniqueConstraint(fields=["code"], condition=Q(is_current=True),
                                    name="survey_template_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.title_zh} v{self.version}"

    def question(self, dimension: str, language: str) -> str:
        texts = self.questions.get(dimension) or {}
        return texts.get("en" if language.startswith("en") else "zh") or str(
            Dimension(dimension).label)

    def text(self, name: str, language: str) -> str:
        return getattr(self, f"{name}_{'en' if language.startswith('en') else 'zh'}")


class SurveySettings(models.Model):
    """The configurable numbers of SPEC §6 (one row, edited in the admin)."""

    routine_delay_minutes = models.PositiveIntegerField(
        _("常规测评延迟（分钟）"), default=60,
        help_text=_("工单关闭后多久发出常规测评邀请；须在 24 小时（1440 分钟）以内。"))
    special_delay_days = models.PositiveIntegerField(_("专项测评延迟（天）"), default=7)
    points_per_response = models.PositiveIntegerField(
        _("每份有效测评积分"), default=10, help_text=_("0 表示不发放积分。"))
    csat_threshold = models.PositiveSmallIntegerField(_("满意阈值"), default=8)
    improvement_threshold = models.DecimalField(
        _("改进阈值"), max_digits=3, decimal_places=1, default=7.0)
    min_scope_responses = models.PositiveIntegerField(_("团队/网点最少有效样本"), default=20)
    sample_ratio_percent = models.PositiveSmallIntegerField(_("月度抽样比例（%）"), default=10)

    class Meta:
        verbose_name = _("测评设置")
        verbose_name_plural = _("测评设置")

    def __str__(self) -> str:
        return str(_("测评设置"))


class InvitationKind(models.TextChoices):
    ROUTINE = "routine", _("常规测评")
    SPECIAL = "special", _("专项测评")
    MONTHLY = "monthly", _("月度抽样")


class InvitationStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待发送")
    SENT = "sent", _("待答复")
    ANSWERED = "answered", _("已答复")
    EXPIRED = "expired", _("已过期")
    SKIPPED = "skipped", _("未发送")
    CANCELLED = "cancelled", _("已取消")


class SkipReason(models.TextChoices):
    OPTED_OUT = "opted_out", _("客户已退订测评")
    PENDING = "pending", _("客户有未完成的测评")
    NO_CONTACT = "no_contact", _("客户没有手机或邮箱")
    ANONYMISED = "anonymised", _("客户资料已匿名化")
    LATE = "late", _("已超过发送时限")


def analysis_fields(ticket) -> dict:
    """The ticket's values the analysis groups by (team, agent, outlet, product line, channel,
    problem type), as field values for an invitation or a response."""
    model = ticket.product_model
    return {
        "department_id": ticket.department_id, "agent_id": ticket.assignee_id,
        "outlet_id": ticket.outlet_id,
        "product_line_id": model.product_line_id if model is not None else None,
        "ticket_channel": ticket.channel, "problem_type": ticket.type,
    }


class Invitation(models.Model):
    kind = models.CharField(_("类型"), max_length=10, choices=InvitationKind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=InvitationStatus.choices,
                              default=InvitationStatus.SCHEDULED)
    skip_reason = models.CharField(_("未发送原因"), max_length=12, choices=SkipReason.choices,
                                   blank=True)
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("工单"),
                               on_delete=models.PROTECT, related_name="survey_invitations")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("客户"),
                                 on_delete=models.PROTECT, related_name="survey_invitations")
    template = models.ForeignKey(SurveyTemplate, verbose_name=_("模板版本"),
                                 on_delete=models.PROTECT, null=True, blank=True)
    #: The sampled month (first day) of a monthly invitation.
    period = models.DateField(_("抽样月份"), null=True, blank=True)
    #: Which special rule asked for it.
    rule = models.ForeignKey("surveys.SpecialRule", verbose_name=_("专项规则"), null=True,
                             blank=True, on_delete=models.SET_NULL)
    due_at = models.DateTimeField(_("计划发送时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    reminder_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    #: Part of the signed link: replacing it makes every earlier link useless.
    nonce = models.CharField(max_length=32, blank=True)
    # What the analysis groups by, copied from the ticket when the invitation is created, so
    # that response rates per group need no join (SPEC §6).
    department = models.ForeignKey("accounts.Department", verbose_name=_("团队"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    agent = models.ForeignKey("accounts.User", verbose_name=_("处理人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    outlet = models.ForeignKey("accounts.Outlet", verbose_name=_("网点"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+")
    product_line = models.ForeignKey("products.ProductLine", verbose_name=_("产品线"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    ticket_channel = models.CharField(_("受理渠道"), max_length=10, blank=True)
    problem_type = models.CharField(_("问题类型"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("测评邀请")
        verbose_name_plural = _("测评邀请")
        ordering = ["-due_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind"], name="survey_invitation_once_per_ticket",
                condition=Q(kind__in=["routine", "special"])),
            models.UniqueConstraint(
                fields=["customer", "period"], name="survey_invitation_once_per_month",
                condition=Q(kind="monthly")),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="survey_inv_status_due"),
            models.Index(fields=["status", "reminder_at"], name="survey_inv_status_reminder"),
            models.Index(fields=["status", "expires_at"], name="survey_inv_status_expires"),
            models.Index(fields=["customer", "status"], name="survey_inv_customer_status"),
            models.Index(fields=["sent_at"], name="survey_inv_sent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.ticket_id}"

    @property
    def is_open(self) -> bool:
        return self.status == InvitationStatus.SENT


class ResponseChannel(models.TextChoices):
    LINK = "link", _("短信/邮件链接")
    PORTAL = "portal", _("客户门户")
    PHONE = "phone", _("电话回访")
    SMS = "sms", _("短信回复码")


class InvalidReason(models.TextChoices):
    STRAIGHT_LINING = "straight_lining", _("所有评分相同")
    COMMENT_TOO_SHORT = "comment_too_short", _("必填意见少于 10 个字")
    ABUSIVE = "abusive", _("含有攻击性内容")


class SurveyResponse(models.Model):
    invitation = models.OneToOneField(Invitation, verbose_name=_("邀请"),
                                      on_delete=models.PROTECT, related_name="response")
    template = models.ForeignKey(SurveyTemplate, verbose_name=_("模板版本"),
                                 on_delete=models.PROTECT, related_name="responses")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("客户"),
                                 on_delete=models.PROTECT, related_name="survey_responses")
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("工单"),
                               on_delete=models.PROTECT, related_name="survey_responses")
    channel = models.CharField(_("答复渠道"), max_length=10, choices=ResponseChannel.choices)
    timeliness = models.PositiveSmallIntegerField(_("响应及时性"))
    ability = models.PositiveSmallIntegerField(_("问题解决能力"))
    attitude = models.PositiveSmallIntegerField(_("服务态度"))
    professionalism = models.PositiveSmallIntegerField(_("专业性"))
    communication = models.PositiveSmallIntegerField(_("沟通清晰度"))
    solved = models.BooleanField(_("问题已解决"))
    comment = models.TextField(_("意见"), blank=True)
    valid = models.BooleanField(_("有效"), db_index=True)
    invalid_reasons = models.JSONField(_("无效原因"), default=list, blank=True)
    entered_by = models.ForeignKey("accounts.User", verbose_name=_("录入人"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    # What the analysis groups by, copied from the ticket when the answer arrives (SPEC §6).
    kind = models.CharField(_("测评类型"), max_length=10, choices=InvitationKind.choices)
    department = models.ForeignKey("accounts.Department", verbose_name=_("团队"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    agent = models.ForeignKey("accounts.User", verbose_name=_("处理人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    outlet = models.ForeignKey("accounts.Outlet", verbose_name=_("网点"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+")
    product_line = models.ForeignKey("products.ProductLine", verbose_name=_("产品线"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    ticket_channel = models.CharField(_("受理渠道"), max_length=10, blank=True)
    problem_type = models.CharField(_("问题类型"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("测评答卷")
        verbose_name_plural = _("测评答卷")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{d}__gte": 1 for d in DIMENSIONS})
                & Q(**{f"{d}__lte": 10 for d in DIMENSIONS}),
                name="survey_scores_1_to_10"),
        ]
        indexes = [
            models.Index(fields=["submitted_at", "valid"], name="survey_resp_submitted_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} · {self.submitted_at:%Y-%m-%d}"

    @property
    def scores(self) -> dict[str, int]:
        return {d: getattr(self, d) for d in DIMENSIONS}

    def get_reason_labels(self) -> list[str]:
        return [str(InvalidReason(r).label) if r in InvalidReason.values else r
                for r in self.invalid_reasons]


class AbusiveWord(models.Model):
    """The editable list of abusive words (Chinese and English) that makes a response invalid."""

    word = models.CharField(_("词语"), max_length=60, unique=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("攻击性词语")
        verbose_name_plural = _("攻击性词语")
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word


class SurveyOptOut(models.Model):
    """A customer who asked not to be surveyed again (SPEC §6: they get no invitation)."""

    customer = models.OneToOneField("customers.Customer", verbose_name=_("客户"),
                                    on_delete=models.CASCADE, related_name="survey_opt_out")
    at = models.DateTimeField(_("退订时间"), default=timezone.now)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("测评退订")
        verbose_name_plural = _("测评退订")

    def __str__(self) -> str:
        return str(self.customer)


class PointsEntry(models.Model):
    """One line of a customer's points ledger: a valid completed survey credits points."""

    customer = models.ForeignKey("customers.Customer", verbose_name=_("客户"),
                                 on_delete=models.CASCADE, related_name="points_entries")
    amount = models.IntegerField(_("积分"))
    reason = models.CharField(_("原因"), max_length=200)
    response = models.OneToOneField(SurveyResponse, verbose_name=_("测评答卷"), null=True,
                                    blank=True, on_delete=models.SET_NULL,
                                    related_name="points_entry")
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.amount:+d}"


class SpecialRule(models.Model):
    """When a closed ticket deserves a special survey 7 days later (SPEC §6 专项测评): rules as
    data. A ticket matches a rule when it meets every condition the rule sets (empty = any)."""

    name = models.CharField(_("名称"), max_length=100)
    ticket_type = models.CharField(_("工单类型"), max_length=20, blank=True)
    #: Complaint severity: the ticket's priority (P1 most severe), comma-separated.
    priorities = models.CharField(_("优先级"), max_length=20, blank=True,
                                  help_text=_("逗号分隔，如 P1,P2；留空表示不限。"))
    min_cost_fen = models.PositiveBigIntegerField(_("最低费用（分）"), null=True, blank=True)
    min_visits = models.PositiveSmallIntegerField(_("最少上门次数"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("专项测评规则")
        verbose_name_plural = _("专项测评规则")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class SampleRun(models.Model):
    """A month's stratified sample (SPEC §6 周期测评), with the seed that reproduces it."""

    period = models.DateField(_("月份"), unique=True)
    seed = models.CharField(_("随机种子"), max_length=64)
    population = models.PositiveIntegerField(_("服务客户数"))
    sampled = models.PositiveIntegerField(_("抽中客户数"))
    strata = models.JSONField(_("分层"), default=dict)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("月度抽样")
        verbose_name_plural = _("月度抽样")
        ordering = ["-period"]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m}"


class ImprovementStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    IN_PROGRESS = "in_progress", _("整改中")
    DONE = "done", _("已完成")
    VERIFIED = "verified", _("已验证")


class ScopeKind(models.TextChoices):
    OVERALL = "overall", _("整体")
    TEAM = "team", _("团队")
    OUTLET = "outlet", _("网点")


class ImprovementItem(models.Model):
    """An item of the improvement list (满意度改进清单, SPEC §6): a dimension under 7.0 for a
    period, overall or for a team or outlet — one per dimension, scope and period."""

    period = models.CharField(_("期间"), max_length=7)
    dimension = models.CharField(_("维度"), max_length=20, choices=Dimension.choices)
    scope_kind = models.CharField(_("范围"), max_length=10, choices=ScopeKind.choices)
    #: The team's or outlet's id (0 for overall).
    scope_id = models.PositiveBigIntegerField(_("范围编号"), default=0)
    scope_label = models.CharField(_("范围名称"), max_length=100)
    score = models.DecimalField(_("得分"), max_digits=4, decimal_places=2)
    responses = models.PositiveIntegerField(_("有效样本"))
    root_cause = models.TextField(_("根因分析"), blank=True)
    department = models.ForeignKey("accounts.Department", verbose_name=_("责任部门"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    owner = models.ForeignKey("accounts.User", verbose_name=_("负责人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=12, choices=ImprovementStatus.choices,
                              default=ImprovementStatus.OPEN)
    owner_notified_at = models.DateTimeField(_("已提醒负责人"), null=True, blank=True)
    manager_notified_at = models.DateTimeField(_("已上报经理"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("满意度改进项")
        verbose_name_plural = _("满意度改进清单")
        ordering = ["-period", "score"]
        constraints = [
            models.UniqueConstraint(fields=["period", "dimension", "scope_kind", "scope_id"],
                                    name="survey_improvement_once"),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="survey_impr_status_dl")]

    def __str__(self) -> str:
        return f"{self.period} {self.get_dimension_display()} {self.scope_label}"

    @property
    def is_overdue(self) -> bool:
        return (self.status in (ImprovementStatus.OPEN, ImprovementStatus.IN_PROGRESS)
                and self.deadline < timezone.localdate())
