"""The improvement list (满意度改进清单, SPEC §6).

When a period closes (a month, the day after it ends: the sweep), every dimension whose mean is
under the threshold (7.0, configurable) opens an item — overall, and for each team and outlet
with at least the minimum number of valid responses (20, configurable). Only a period fit to
analyse (≥ 80% valid) opens items. Never two items for one dimension, scope and period.

An item carries the dimension, scope, score, a root-cause note, the responsible department, an
owner and a deadline (30 days by default), and moves open → in progress → done → verified. An
overdue item (open or in progress after its deadline) notifies its owner; still overdue 3 days
later, the department's manager (its supervisor) — each once.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fivestar.accounts.models import Department, Outlet, User
from fivestar.core.errors import Conflict, PermissionDenied, ValidationFailed
from fivestar.notifications.inbox import notify_staff
from fivestar.notifications.models import StaffNotificationKind
from fivestar.surveys.analysis import Period, month_period, period_figures
from fivestar.surveys.models import (
    DIMENSIONS,
    Dimension,
    ImprovementItem,
    ImprovementStatus,
    ScopeKind,
    SurveyResponse,
)
from fivestar.surveys.services import STAFF_ROLES, survey_settings

DEFAULT_DEADLINE_DAYS = 30
#: Days after the owner's reminder before the department's manager hears of an overdue item.
ESCALATE_AFTER = timedelta(days=3)

#: The order of the statuses; a step may go forward one at a time (or back to in progress).
NEXT = {
    ImprovementStatus.OPEN: {ImprovementStatus.IN_PROGRESS},
    ImprovementStatus.IN_PROGRESS: {ImprovementStatus.DONE},
    ImprovementStatus.DONE: {ImprovementStatus.VERIFIED, ImprovementStatus.IN_PROGRESS},
    ImprovementStatus.VERIFIED: set(),
}


@dataclass(frozen=True)
class Low:
    dimension: str
    scope_kind: str
    scope_id: int
    scope_label: str
    score: Decimal
    responses: int
    department_id: int | None


def _low_scores(period: Period, threshold: Decimal, minimum: int) -> list[Low]:
    overall, _rows = period_figures(period)
    if not overall.fit:
        return []
    found = [
        Low(dimension=d, scope_kind=ScopeKind.OVERALL, scope_id=0,
            scope_label=str(_("整体")), score=Decimal(str(round(mean, 2))),
            responses=overall.valid, department_id=None)
        for d, mean in overall.means.items() if mean is not None and mean < threshold
    ]
    start, end = period.bounds
    valid = SurveyResponse.objects.filter(submitted_at__gte=start, submitted_at__lt=end,
                                          valid=True)
    for kind, field, model in ((ScopeKind.TEAM, "department", Department),
                               (ScopeKind.OUTLET, "outlet", Outlet)):
        rows = (valid.exclude(**{f"{field}__isnull": True}).values(field)
                .annotate(n=Count("pk"), **{f"m_{d}": Avg(d) for d in DIMENSIONS})
                .filter(n__gte=minimum))
        rows = list(rows)
        names = dict(model.objects.filter(pk__in=[r[field] for r in rows])
                     .values_list("pk", "name"))
        for row in rows:
            for d in DIMENSIONS:
                mean = row[f"m_{d}"]
                if mean is not None and mean < threshold:
                    found.append(Low(
                        dimension=d, scope_kind=kind, scope_id=row[field],
                        scope_label=names.get(row[field], "?"),
                        score=Decimal(str(round(mean, 2))), responses=row["n"],
                        department_id=row[field] if kind == ScopeKind.TEAM else None))
    return found


def open_items(*, period: Period, today: date | None = None) -> list[ImprovementItem]:
    """Open the items of a closed period (idempotent: an existing item is kept as it is).
    Returns the items created now."""
    settings = survey_settings()
    today = today or timezone.localdate()
    created = []
    for low in _low_scores(period, Decimal(settings.improvement_threshold),
                           settings.min_scope_responses):
        department = (Department.objects.filter(pk=low.department_id).first()
                      if low.department_id else None)
        try:
            with transaction.atomic():
                created.append(ImprovementItem.objects.create(
                    period=period.code, dimension=low.dimension, scope_kind=low.scope_kind,
                    scope_id=low.scope_id, scope_label=low.scope_label, score=low.score,
                    responses=low.responses, department=department,
                    owner=department.supervisor if department else None,
                    deadline=today + timedelta(days=DEFAULT_DEADLINE_DAYS)))
        except IntegrityError:
            continue  # already on the list for this period
    return created


def close_previous_month(*, now: datetime | None = None) -> list[ImprovementItem]:
    """The sweep's step: once a month has ended, its items are opened (idempotent; each
    process looks at a month at most once a day, so the sweep does not re-aggregate it every
    minute)."""
    today = timezone.localdate(now or timezone.now())
    first = today.replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=1)
    period = month_period(last_month.year, last_month.month)
    if not cache.add(f"surveys:period-closed:{period.code}:{today.isoformat()}", True,
                     timeout=86400):
        return []
    return open_items(period=period, today=today)


def _may_edit(user: User) -> None:
    if not user.has_role(*STAFF_ROLES):
        raise PermissionDenied(_("只有员工可以修改改进清单。"))


def update_item(*, item: ImprovementItem, user: User, status: str | None = None,
                root_cause: str | None = None, owner: User | None = None,
                department: Department | None = None,
                deadline: date | None = None) -> ImprovementItem:
    """Change an item: the root cause, owner, department, deadline, or the status one step
    along open → in progress → done → verified (done may go back to in progress). Anything
    else → Conflict naming the allowed steps."""
    _may_edit(user)
    with transaction.atomic():
        item = ImprovementItem.objects.select_for_update().get(pk=item.pk)
        if status is not None and status != item.status:
            if status not in ImprovementStatus.values:
                raise ValidationFailed(_("未知的状态。"), fields={"status": [_("未知的状态。")]})
            allowed = NEXT[ImprovementStatus(item.status)]
            if status not in allowed:
                raise Conflict(_("改进项不能从“%(from)s”改为“%(to)s”。") % {
                    "from": item.get_status_display(),
                    "to": ImprovementStatus(status).label},
                    extra={"allowed": sorted(allowed)})
            item.status = status
        if root_cause is not None:
            item.root_cause = root_cause.strip()
        if owner is not None:
            item.owner = owner
        if department is not None:
            item.department = department
        if deadline is not None:
            item.deadline = deadline
            item.owner_notified_at = item.manager_notified_at = None
        item.save()
    return item


def _notify(item: ImprovementItem, person: User | None, *, level: str) -> None:
    if person is None:
        return
    notify_staff(
        person=person, kind=StaffNotificationKind.IMPROVEMENT, about=item,
        title=_("满意度改进项逾期：%(dimension)s（%(scope)s，%(period)s）") % {
            "dimension": Dimension(item.dimension).label, "scope": item.scope_label,
            "period": item.period},
        body=_("得分 %(score)s，整改期限 %(deadline)s。") % {
            "score": item.score, "deadline": item.deadline.isoformat()},
        dedupe_key=f"improvement:{item.pk}:{item.deadline.isoformat()}:{level}")


def escalate_overdue(*, now: datetime | None = None) -> int:
    """Overdue items: the owner hears once; 3 days later the department's manager. Rows are
    claimed with row locks (several workers)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done = 0
    with transaction.atomic():
        rows = list(ImprovementItem.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(Q(status__in=[ImprovementStatus.OPEN, ImprovementStatus.IN_PROGRESS]),
                            deadline__lt=today)
                    .filter(Q(owner_notified_at__isnull=True)
                            | Q(manager_notified_at__isnull=True))
                    .select_related("owner", "department__supervisor"))
        for item in rows:
            if item.owner_notified_at is None:
                _notify(item, item.owner, level="owner")
                item.owner_notified_at = now
                item.save(update_fields=["owner_notified_at"])
                done += 1
            elif item.owner_notified_at + ESCALATE_AFTER <= now:
                manager = item.department.supervisor if item.department else None
                _notify(item, manager, level="manager")
                item.manager_notified_at = now
                item.save(update_fields=["manager_notified_at"])
                done += 1
    return done
