"""The error codes of the SLA engine (docs/errors.md lists them with every other app's)."""

from django.utils.translation import gettext_lazy as _

from fivestar.core.errors import ErrorCode


class SlaErrorCode(ErrorCode):
    NO_VISIT_PENDING = "no_visit_pending", 409, _("这张工单没有待完成的上门服务。")
    STAFF_ONLY = "staff_only", 403, _("只有员工可以查看服务标准。")
    ADMINISTRATOR_ONLY = "administrator_only", 403, _("只有系统管理员可以修改服务标准。")
    EXTENSION_PENDING = "extension_pending", 409, _(
        "这张工单已有一项延期申请等待主管审批。")
    NO_PENDING_EXTENSION = "no_pending_extension", 409, _("这张工单没有待审批的延期申请。")
    EXTENSION_OUTDATED = "extension_outdated", 409, _(
        "这项延期申请已不适用：计时已结束或约定时间已过。")
