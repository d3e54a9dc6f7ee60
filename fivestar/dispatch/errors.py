"""The error codes of dispatch and field service (docs/errors.md lists every app's)."""

from django.utils.translation import gettext_lazy as _

from fivestar.core.errors import ErrorCode


class DispatchErrorCode(ErrorCode):
    QUOTE_NOT_FOUND = "quote_not_found", 404, _("这张工单没有这份报价。")
    QUOTE_NOT_PERMITTED = "quote_not_permitted", 403, _(
        "只有工单的处理人、客服或主管可以提出、撤回报价或记录客户答复；客户只能答复自己工单的报价。")
    QUOTE_ALREADY_OPEN = "quote_already_open", 409, _("这张工单已有一份报价在等待客户答复。")
    QUOTE_NOT_PROPOSED = "quote_not_proposed", 409, _("报价已被答复或撤回，不能再更改。")
    QUOTE_TICKET_STATE = "quote_ticket_state", 409, _(
        "工单当前状态不能处理报价（须已派单且未解决）。")
    QUOTE_EXPIRED = "quote_expired", 409, _("报价已过有效期，不能再接受；请重新报价。")
