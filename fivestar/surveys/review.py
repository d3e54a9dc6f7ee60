"""The monthly service quality review (服务质量复盘, SPEC §6): one month's response and valid
rates, the dimension table with its trends, the worst-scoring tickets and their comments, and the
improvement list's state — for the page, the print view and the workbook alike."""

from dataclasses import dataclass

from django.db.models import Count, F, Q

from fivestar.surveys.analysis import Analysis, Figures, Period, analyse, monthly_series
from fivestar.surveys.models import (
    DIMENSIONS,
    ImprovementItem,
    ImprovementStatus,
    SurveyResponse,
)

WORST = 10


@dataclass
class Review:
    analysis: Analysis
    series: list[Figures]
    worst: list[SurveyResponse]
    comments: list[SurveyResponse]
    items: list[ImprovementItem]
    status_counts: dict[str, int]

    @property
    def period(self) -> Period:
        return self.analysis.period


def monthly_review(*, period: Period) -> Review:
    start, end = period.bounds
    valid = (SurveyResponse.objects.filter(submitted_at__gte=start, submitted_at__lt=end,
                                           valid=True)
             .select_related("ticket", "department", "agent")
             .annotate(total=sum((F(d) for d in DIMENSIONS[1:]), F(DIMENSIONS[0]))))
    worst = list(valid.order_by("total", "submitted_at")[:WORST])
    comments = list(valid.exclude(comment="").order_by("total", "submitted_at")[:WORST])
    items = list(ImprovementItem.objects.filter(
        Q(period=period.code) | Q(status__in=[ImprovementStatus.OPEN,
                                              ImprovementStatus.IN_PROGRESS]))
        .select_related("owner", "department").order_by("-period", "score"))
    counts = dict(ImprovementItem.objects.values_list("status").annotate(n=Count("pk"))
                  .values_list("status", "n"))
    return Review(analysis=analyse(period=period, group="team"),
                  series=monthly_series(end=period, months=6), worst=worst,
                  comments=comments, items=items,
                  status_counts={s: counts.get(s, 0) for s in ImprovementStatus.values})
