"""The error codes of tickets (docs/errors.md lists them with every other app's)."""

from django.utils.translation import gettext_lazy as _

from fivestar.core.errors import ErrorCode


class TicketErrorCode(ErrorCode):
    UNKNOWN_ACTION = "unknown_action", 409, _(
        "没有这个工单操作；allowed_actions 列出现在可做的操作。")
    ACTION_NOT_PERMITTED = "action_not_permitted", 403, _("您的角色不能对这张工单执行该操作。")
    TRANSITION_NOT_ALLOWED = "transition_not_allowed", 409, _(
        "工单当前状态不允许该操作；status 与 allowed_actions 说明现在的状态和可做的操作。")
    TAKE_NOT_PERMITTED = "take_not_permitted", 403, _("您的角色不能自己接手工单。")
    ALREADY_TAKEN = "already_taken", 409, _("工单已被别人接手或已有待批准的处理人。")
    NEEDS_APPROVAL = "needs_approval", 409, _(
        "一级（紧急）工单须经主管或经理批准后派给技术骨干。")
    TICKET_ENDED = "ticket_ended", 409, _("工单已关闭或已取消，不再接受回复；问题复发请重开工单。")
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused", 409, _(
        "同一个 Idempotency-Key 已用于内容不同的请求。")
    UNSUPPORTED_FILE_TYPE = "unsupported_file_type", 422, _("附件类型不在允许之列（按内容判断）。")
    FOLLOW_LINK_INVALID = "follow_link_invalid", 404, _(
        "跟进链接无效（伪造、用途不符或工单已变更）。")
    FOLLOW_LINK_EXPIRED = "follow_link_expired", 404, _("跟进链接已过期。")
    CONFIRMATION_REQUIRED = "confirmation_required", 409, _(
        "关闭工单须有客户的确认：客户本人确认、员工记录客户的确认（谁、何时、何种方式），"
        "或按“联系不上”规则关闭。")
    NO_ANSWER_RULE_NOT_MET = "no_answer_rule_not_met", 409, _(
        "尚未满足“联系不上视为确认”的规则：联系尝试次数或跨越的工作日不够。")
    APPROVAL_NOT_PERMITTED = "approval_not_permitted", 403, _(
        "只有工单所属部门的主管、经理（或系统管理员）可以审批一级（紧急）工单。")
    PRIORITY_CHANGE_NEEDS_APPROVER = "priority_change_needs_approver", 403, _(
        "降低一级（紧急）工单的优先级须由所属部门的主管、经理（或系统管理员）操作。")
