"""The error codes of satisfaction surveys (docs/errors.md lists every app's)."""

from django.utils.translation import gettext_lazy as _

from fivestar.core.errors import ErrorCode


class SurveyErrorCode(ErrorCode):
    TICKET_NOT_CLOSED = "survey_ticket_not_closed", 409, _("工单尚未关闭，不能测评。")
    ALREADY_ANSWERED = "survey_already_answered", 409, _("这份测评已经答复过了。")
    INVITATION_EXPIRED = "survey_expired", 409, _("这份测评邀请已过期。")
    INVITATION_NOT_OPEN = "survey_not_open", 409, _("这份测评邀请不能答复（未发送或已取消）。")
    STAFF_ONLY = "survey_staff_only", 403, _("只有员工可以查看测评数据。")
    SMS_SIGNATURE_INVALID = "survey_sms_signature_invalid", 403, _(
        "短信回调的签名无效（HMAC-SHA256，共享密钥）。")
