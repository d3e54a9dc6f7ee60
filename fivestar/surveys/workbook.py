"""The monthly review as an .xlsx workbook (服务质量复盘, SPEC §6), built with openpyxl: a summary
sheet (rates and the dimension table with its trends, a native bar chart of the means), the
6-month trend (a native line chart), the worst-scoring tickets, the improvement list."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font

from fivestar.surveys.analysis import not_fit_message
from fivestar.surveys.models import DIMENSIONS, Dimension
from fivestar.surveys.review import Review

BOLD = Font(bold=True)


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _header(sheet, *titles) -> None:
    sheet.append([str(t) for t in titles])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD


def review_workbook(review: Review) -> bytes:
    analysis = review.analysis
    overall = analysis.overall
    book = Workbook()
    summary = book.active
    summary.title = _("概况")
    summary.append([_("服务质量复盘"), review.period.code])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([])
    for label, value in ((_("发出邀请"), overall.sent), (_("回收答卷"), overall.returned),
                         (_("有效答卷"), overall.valid),
                         (_("回复率"), _rate(overall.response_rate)),
                         (_("有效样本率"), _rate(overall.valid_rate)),
                         (_("满意率"), _rate(overall.csat) if analysis.fit else None),
                         (_("问题解决率"), _rate(overall.solved_rate) if analysis.fit else None)):
        summary.append([label, value])
    for row in summary.iter_rows(min_row=6, max_row=9, min_col=2, max_col=2):
        for cell in row:
            cell.number_format = "0.0%"
    summary.append([])
    if not analysis.fit:
        summary.append([not_fit_message(overall)])
    else:
        first = summary.max_row + 1
        _header(summary, _("维度"), _("平均分"), _("上月"), _("较上月"), _("上季度"),
                _("较上季度"))
        trend = analysis.trend()
        for d in DIMENSIONS:
            t = trend[d]
            summary.append([str(Dimension(d).label), t["mean"], t["previous_month"],
                            t["change_previous_month"], t["previous_quarter"],
                            t["change_previous_quarter"]])
        chart = BarChart()
        chart.type = "bar"
        chart.title = _("各维度平均分")
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 10
        chart.add_data(Reference(summary, min_col=2, min_row=first, max_row=first + 5),
                       titles_from_data=True)
        chart.set_categories(Reference(summary, min_col=1, min_row=first + 1,
                                       max_row=first + 5))
        summary.add_chart(chart, "H3")
    summary.column_dimensions["A"].width = 18

    trend_sheet = book.create_sheet(_("趋势"))
    _header(trend_sheet, _("月份"), *(str(Dimension(d).label) for d in DIMENSIONS))
    for figures in review.series:
        trend_sheet.append([figures.label, *(
            round(figures.means[d], 2) if figures.fit and figures.means.get(d) is not None
            else None for d in DIMENSIONS)])
    lines = LineChart()
    lines.title = _("近 6 个月趋势")
    lines.y_axis.scaling.min, lines.y_axis.scaling.max = 5, 10
    lines.add_data(Reference(trend_sheet, min_col=2, max_col=6, min_row=1,
                             max_row=len(review.series) + 1), titles_from_data=True)
    lines.set_categories(Reference(trend_sheet, min_col=1, min_row=2,
                                   max_row=len(review.series) + 1))
    trend_sheet.add_chart(lines, "H2")

    worst = book.create_sheet(_("最低分工单"))
    _header(worst, _("工单"), _("团队"), _("处理人"),
            *(str(Dimension(d).label) for d in DIMENSIONS), _("已解决"), _("意见"))
    for r in review.worst:
        worst.append([r.ticket.number, r.department.name if r.department else "",
                      str(r.agent) if r.agent else "", *(getattr(r, d) for d in DIMENSIONS),
                      _("是") if r.solved else _("否"), r.comment])

    items = book.create_sheet(_("改进清单"))
    _header(items, _("期间"), _("维度"), _("范围"), _("得分"), _("根因分析"), _("责任部门"),
            _("负责人"), _("整改期限"), _("状态"))
    for item in review.items:
        items.append([item.period, str(item.get_dimension_display()), item.scope_label,
                      float(item.score), item.root_cause,
                      item.department.name if item.department else "",
                      str(item.owner) if item.owner else "", item.deadline,
                      str(item.get_status_display())])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
