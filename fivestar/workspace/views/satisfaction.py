"""Staff pages of satisfaction measurement (SPEC §6): the analysis of a month or quarter (by
team, agent, outlet, product line, channel or problem type, with charts), the improvement list
(满意度改进清单) and the monthly service quality review (服务质量复盘, printable).

Thin: parse the period, call one selector or service, render. For supervisors, managers,
quality auditors and administrators.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fivestar.accounts.models import RoleCode
from fivestar.core.errors import DomainError
from fivestar.surveys import charts, workbook
from fivestar.surveys.analysis import GROUP_LABELS, GROUPS, analyse, monthly_series, parse_period
from fivestar.surveys.improvements import update_item
from fivestar.surveys.models import (
    DIMENSIONS,
    Dimension,
    ImprovementItem,
    ImprovementStatus,
)
from fivestar.surveys.review import monthly_review
from fivestar.surveys.services import survey_settings
from fivestar.workspace.access import roles_required

ANALYSIS_ROLES = (RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.QUALITY_AUDITOR,
                  RoleCode.ADMINISTRATOR)
analysts = roles_required(*ANALYSIS_ROLES)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period_or_error(request: HttpRequest, default: str = ""):
    try:
        return parse_period(request.GET.get("period") or default), ""
    except DomainError as error:
        return parse_period(""), error.message


def _series_chart(end, title: str):
    series = monthly_series(end=end, months=6)
    return charts.trend_lines(
        [f.label for f in series],
        {d: [f.means.get(d) if f.fit else None for f in series] for d in DIMENSIONS},
        title=title)


@analysts
@require_GET
def analysis(request: HttpRequest) -> HttpResponse:
    period, error = _period_or_error(request)
    group = request.GET.get("by") or None
    if group not in (None, *GROUPS):
        group = None
    result = analyse(period=period, group=group)
    threshold = float(survey_settings().improvement_threshold)
    context = {
        "nav": "surveys", "period": period, "error": error, "group": group,
        "groups": [(key, GROUP_LABELS[key]) for key in GROUPS], "result": result,
        "dimensions": [(d, Dimension(d).label) for d in DIMENSIONS],
        "trend": result.trend(), "threshold": threshold,
    }
    if result.fit:
        context["bars"] = charts.dimension_bars(
            result.overall.means, threshold=threshold, title=_("各维度平均分"))
        context["lines"] = _series_chart(period, _("近 6 个月趋势"))
    return render(request, "workspace/surveys_analysis.html", context)


@analysts
@require_GET
def improvements(request: HttpRequest) -> HttpResponse:
    rows = ImprovementItem.objects.select_related("owner", "department")
    period = request.GET.get("period", "")
    if period:
        rows = rows.filter(period=period)
    status = request.GET.get("status", "")
    if status in ImprovementStatus.values:
        rows = rows.filter(status=status)
    return render(request, "workspace/surveys_improvements.html", {
        "nav": "surveys", "items": list(rows.order_by("-period", "score", "pk")[:500]),
        "statuses": ImprovementStatus.choices, "status": status, "period": period,
    })


@analysts
@require_POST
def improvement_change(request: HttpRequest, item_id: int) -> HttpResponse:
    item = ImprovementItem.objects.filter(pk=item_id).first()
    if item is None:
        raise Http404
    try:
        update_item(item=item, user=request.user, status=request.POST.get("status") or None,
                    root_cause=request.POST.get("root_cause"))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("改进项已更新。"))
    return redirect(reverse("workspace:survey_improvements") + f"#item-{item_id}")


def _review_month(period: str):
    """The month a review page names (``2026-11``); anything else is no page (404)."""
    try:
        month = parse_period(period)
    except DomainError:
        raise Http404 from None
    if month.is_quarter:
        raise Http404
    return month


@analysts
@require_GET
def review(request: HttpRequest, period: str) -> HttpResponse:
    month = _review_month(period)
    result = monthly_review(period=month)
    threshold = float(survey_settings().improvement_threshold)
    context = {
        "nav": "surveys", "review": result, "period": month,
        "analysis": result.analysis, "trend": result.analysis.trend(),
        "dimensions": [(d, Dimension(d).label) for d in DIMENSIONS],
        "threshold": threshold, "statuses": ImprovementStatus.choices,
        "previous": month.previous_month().code,
    }
    if result.analysis.fit:
        context["bars"] = charts.dimension_bars(result.analysis.overall.means,
                                                threshold=threshold, title=_("各维度平均分"))
        context["lines"] = _series_chart(month, _("近 6 个月趋势"))
    return render(request, "workspace/surveys_review.html", context)


@analysts
@require_GET
def review_workbook(request: HttpRequest, period: str) -> HttpResponse:
    """The review as an .xlsx workbook with native charts."""
    month = _review_month(period)
    content = workbook.review_workbook(monthly_review(period=month))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="survey-review-{month.code}.xlsx"'
    return response


@analysts
@require_GET
def review_latest(request: HttpRequest) -> HttpResponse:
    """The review of the month that ended last."""
    return redirect("workspace:survey_review", period=parse_period("").previous_month().code)


urlpatterns = [
    path("surveys/review/", review_latest, name="survey_review_latest"),
    path("surveys/analysis/", analysis, name="survey_analysis"),
    path("surveys/improvements/", improvements, name="survey_improvements"),
    path("surveys/improvements/<int:item_id>/", improvement_change,
         name="survey_improvement_change"),
    path("surveys/review/<str:period>/", review, name="survey_review"),
    path("surveys/review/<str:period>/workbook.xlsx", review_workbook,
         name="survey_review_workbook"),
]
