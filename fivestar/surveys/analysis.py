"""Analysis of the responses (SPEC §6): for a month or a quarter, overall or by team, agent,
outlet, product line, channel or problem type — response rate, valid rate, mean per dimension,
CSAT, solved rate, and the trend against the previous month and quarter.

Every figure is an aggregate computed by the database (one grouped query per figure set), never
a loop over responses in Python: a quarter of 200,000 responses costs a handful of queries.

Rules:
- returned = responses submitted in the period; valid rate = valid / returned; invalid ones are
  excluded from every other figure;
- response rate = returned / invitations sent in the period;
- CSAT = % of valid responses whose every dimension is ≥ the threshold (default 8);
- when the valid rate is under 80% the period is not fit to analyse: ``fit`` is False and the
  means are not offered as conclusions (the page and the API say so and show none).
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Avg, Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fivestar.accounts.models import Department, Outlet, User
from fivestar.core.errors import ValidationFailed
from fivestar.products.models import ProductLine
from fivestar.surveys.models import DIMENSIONS, Dimension, Invitation, SurveyResponse
from fivestar.surveys.services import survey_settings
from fivestar.tickets.models import Channel, TicketType

#: SPEC §6: the analysis runs only when at least 80% of returned responses are valid.
MIN_VALID_RATE = Decimal("0.8")

#: What the analysis groups by → the field (responses and invitations both carry it).
GROUPS = {
    "team": "department",
    "agent": "agent",
    "outlet": "outlet",
    "product_line": "product_line",
    "channel": "ticket_channel",
    "problem_type": "problem_type",
}
GROUP_LABELS = {
    "team": gettext_lazy("团队"), "agent": gettext_lazy("处理人"), "outlet": gettext_lazy("网点"),
    "product_line": gettext_lazy("产品线"), "channel": gettext_lazy("渠道"),
    "problem_type": gettext_lazy("问题类型"),
}

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


@dataclass(frozen=True)
class Period:
    """A month (``2026-11``) or a quarter (``2026-Q4``): [start, end) dates."""

    code: str
    start: date
    end: date
    is_quarter: bool

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        return (datetime.combine(self.start, time(0), tzinfo=tz),
                datetime.combine(self.end, time(0), tzinfo=tz))

    def previous_month(self) -> "Period":
        first = self.start
        year, month = (first.year, first.month - 1) if first.month > 1 else (first.year - 1, 12)
        return month_period(year, month)

    def previous_quarter(self) -> "Period":
        quarter = (self.start.month - 1) // 3 + 1
        year, quarter = (self.start.year, quarter - 1) if quarter > 1 else (
            self.start.year - 1, 4)
        return quarter_period(year, quarter)


def _next_month(year: int, month: int) -> date:
    return date(year + (month == 12), month % 12 + 1, 1)


def month_period(year: int, month: int) -> Period:
    return Period(code=f"{year:04d}-{month:02d}", start=date(year, month, 1),
                  end=_next_month(year, month), is_quarter=False)


def quarter_period(year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    return Period(code=f"{year:04d}-Q{quarter}", start=date(year, first, 1),
                  end=_next_month(year, first + 2), is_quarter=True)


def parse_period(text: str | None, *, field_name: str = "period") -> Period:
    """``2026-11`` or ``2026-Q4``; empty → the current month; else ValidationFailed."""
    text = (text or "").strip()
    if not text:
        today = timezone.localdate()
        return month_period(today.year, today.month)
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12 and 2000 <= year <= 2100:
            return month_period(year, month)
    if m := _QUARTER.match(text):
        return quarter_period(int(m[1]), int(m[2]))
    raise ValidationFailed(_("期间格式应为 2026-11（月）或 2026-Q4（季度）。"),
                           fields={field_name: [_("格式不对。")]})


@dataclass
class Figures:
    """One row of the analysis: a whole period, or one group in it."""

    key: object = None
    label: str = ""
    sent: int = 0
    returned: int = 0
    valid: int = 0
    means: dict[str, float | None] = field(default_factory=dict)
    csat: float | None = None
    solved_rate: float | None = None

    @property
    def response_rate(self) -> float | None:
        return self.returned / self.sent if self.sent else None

    @property
    def valid_rate(self) -> float | None:
        return self.valid / self.returned if self.returned else None

    @property
    def fit(self) -> bool:
        """Fit to analyse (SPEC §6): some responses, at least 80% of them valid."""
        return bool(self.returned) and Decimal(self.valid) >= MIN_VALID_RATE * self.returned

    def as_dict(self) -> dict:
        fit = self.fit
        return {
            "key": self.key, "label": self.label, "sent": self.sent,
            "returned": self.returned, "valid": self.valid,
            "response_rate": _round(self.response_rate), "valid_rate": _round(self.valid_rate),
            "fit": fit,
            "means": {d: _round(v, 2) for d, v in self.means.items()} if fit else None,
            "csat": _round(self.csat) if fit else None,
            "solved_rate": _round(self.solved_rate) if fit else None,
        }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def _aggregates(threshold: int) -> dict:
    valid = Q(valid=True)
    all_high = Q(valid=True, **{f"{d}__gte": threshold for d in DIMENSIONS})
    return {
        "returned": Count("pk"),
        "valid_count": Count("pk", filter=valid),
        "high": Count("pk", filter=all_high),
        "solved_count": Count("pk", filter=valid & Q(solved=True)),
        **{f"mean_{d}": Avg(d, filter=valid) for d in DIMENSIONS},
    }


def _figures(row: dict, sent: int) -> Figures:
    valid = row["valid_count"]
    return Figures(
        sent=sent, returned=row["returned"], valid=valid,
        means={d: row[f"mean_{d}"] for d in DIMENSIONS},
        csat=row["high"] / valid if valid else None,
        solved_rate=row["solved_count"] / valid if valid else None,
    )


def period_figures(period: Period, *, group: str | None = None,
                   extra: Q | None = None) -> tuple[Figures, list[Figures]]:
    """The period's figures overall, and per group when ``group`` names one (``GROUPS``)."""
    if group is not None and group not in GROUPS:
        raise ValidationFailed(_("未知的分组。"), fields={"by": [_("未知的分组。")]})
    start, end = period.bounds
    threshold = survey_settings().csat_threshold
    responses = SurveyResponse.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    invitations = Invitation.objects.filter(sent_at__gte=start, sent_at__lt=end)
    if extra is not None:
        responses = responses.filter(extra)
    if group is None:
        overall = _figures(responses.aggregate(**_aggregates(threshold)), invitations.count())
        overall.label = period.code
        return overall, []
    field_name = GROUPS[group]
    sent = dict(invitations.values_list(field_name).annotate(n=Count("pk"))
                .values_list(field_name, "n"))
    grouped = list(responses.values(field_name).annotate(**_aggregates(threshold))
                   .order_by(field_name))
    rows = []
    for row in grouped:
        figures = _figures(row, sent.get(row[field_name], 0))
        figures.key = row[field_name]
        rows.append(figures)
    # The whole period is the sum of its groups (every response is in one): no second pass.
    overall = _figures(_combined(grouped), sum(sent.values()))
    overall.label = period.code
    _label(group, rows)
    return overall, rows


def _combined(rows: list[dict]) -> dict:
    """One aggregate row from grouped ones: counts add up; a mean is weighted by its group's
    valid count (each group's mean is over its valid responses)."""
    total = {name: sum(row[name] for row in rows)
             for name in ("returned", "valid_count", "high", "solved_count")}
    for d in DIMENSIONS:
        weight = sum(row["valid_count"] for row in rows if row[f"mean_{d}"] is not None)
        total[f"mean_{d}"] = (sum(row[f"mean_{d}"] * row["valid_count"] for row in rows
                                  if row[f"mean_{d}"] is not None) / weight) if weight else None
    return total


def _label(group: str, rows: list[Figures]) -> None:
    """Names for the group keys (one query per group kind)."""
    ids = [r.key for r in rows if r.key is not None]
    if group == "team":
        names = dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif group == "outlet":
        names = dict(Outlet.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif group == "product_line":
        names = dict(ProductLine.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif group == "agent":
        names = {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}
    elif group == "channel":
        names = {k: str(v) for k, v in Channel.choices}
    else:
        names = {k: str(v) for k, v in TicketType.choices}
    for row in rows:
        row.label = names.get(row.key, str(_("未指定")))


@dataclass
class Analysis:
    period: Period
    group: str | None
    overall: Figures
    rows: list[Figures]
    previous_month: Figures
    previous_quarter: Figures
    threshold: int

    @property
    def fit(self) -> bool:
        return self.overall.fit

    def trend(self) -> dict[str, dict[str, float | None]]:
        """Per dimension: this period's mean and the change against the previous month and
        quarter (None where either side has no fit sample)."""
        out = {}
        for d in DIMENSIONS:
            now = self.overall.means.get(d) if self.overall.fit else None
            out[d] = {"mean": _round(now, 2)}
            for name, other in (("previous_month", self.previous_month),
                                ("previous_quarter", self.previous_quarter)):
                before = other.means.get(d) if other.fit else None
                out[d][name] = _round(before, 2)
                out[d][f"change_{name}"] = (
                    _round(now - before, 2) if now is not None and before is not None else None)
        return out

    def as_dict(self) -> dict:
        return {
            "period": self.period.code, "by": self.group, "fit": self.fit,
            "message": "" if self.fit else str(not_fit_message(self.overall)),
            "csat_threshold": self.threshold, "overall": self.overall.as_dict(),
            "groups": [r.as_dict() for r in self.rows],
            "trend": self.trend(),
            "dimensions": {d: str(Dimension(d).label) for d in DIMENSIONS},
        }


def not_fit_message(figures: Figures) -> str:
    if not figures.returned:
        return _("这个期间没有收到测评答卷，无法分析。")
    return _("有效样本率 %(rate)s 低于 80%%，样本不适合分析，不给出均分结论。") % {
        "rate": f"{figures.valid / figures.returned:.0%}"}


def analyse(*, period: Period, group: str | None = None) -> Analysis:
    overall, rows = period_figures(period, group=group)
    previous_month, _rows = period_figures(period.previous_month())
    previous_quarter, _rows = period_figures(period.previous_quarter())
    return Analysis(period=period, group=group, overall=overall, rows=rows,
                    previous_month=previous_month, previous_quarter=previous_quarter,
                    threshold=survey_settings().csat_threshold)


def monthly_series(*, end: Period, months: int = 6) -> list[Figures]:
    """The overall figures of the ``months`` months up to ``end`` (the trend chart)."""
    periods = []
    current = month_period(end.start.year, end.start.month) if not end.is_quarter else (
        month_period((end.end.replace(day=1) - date.resolution).year,
                     (end.end.replace(day=1) - date.resolution).month))
    for _i in range(months):
        periods.append(current)
        current = current.previous_month()
    # Two grouped queries for all the months (not two per month), grouped by the month's
    # index — plain comparisons with the months' bounds, cheaper than truncating each time
    # in the time zone.
    ordered = list(reversed(periods))
    start, end = ordered[0].bounds[0], ordered[-1].bounds[1]
    threshold = survey_settings().csat_threshold

    def month_index(field_name: str) -> Case:
        return Case(*(When(**{f"{field_name}__lt": p.bounds[1]}, then=Value(i))
                      for i, p in enumerate(ordered)), output_field=IntegerField())

    by_month = {
        row["month"]: row
        for row in SurveyResponse.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .annotate(month=month_index("submitted_at")).values("month")
        .annotate(**_aggregates(threshold)).order_by("month")
    }
    sent = dict(
        Invitation.objects.filter(sent_at__gte=start, sent_at__lt=end)
        .annotate(month=month_index("sent_at")).values("month").annotate(n=Count("pk"))
        .order_by("month").values_list("month", "n"))
    series = []
    for i, period in enumerate(ordered):
        row = by_month.get(i)
        figures = _figures(row, sent.get(i, 0)) if row else Figures(
            sent=sent.get(i, 0), means=dict.fromkeys(DIMENSIONS))
        figures.label = period.code
        series.append(figures)
    return series
