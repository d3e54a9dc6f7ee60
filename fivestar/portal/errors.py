"""The error codes of the customer portal (docs/errors.md lists every app's)."""

from django.utils.translation import gettext_lazy as _

from fivestar.core.errors import ErrorCode


class PortalErrorCode(ErrorCode):
    FORM_TOKEN_MISSING = "form_token_missing", 422, _(
        "表单已过期（缺少一次性令牌），请重新打开页面提交。")
    CODE_INVALID = "code_invalid", 422, _("一次性验证码不正确、已用过或已过期。")
