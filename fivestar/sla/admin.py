"""Back office for working calendars (SPEC §3): weekly intervals and per-date overrides inline,
and a warning whenever this year or the next lacks official holiday data — on the calendar
pages all year, on the admin home page for this year and, from October, the coming one."""

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fivestar.accounts.models import RoleCode
from fivestar.core.admin import (
    HomeWarning,
    PersonalDataAdmin,
    ViewOnlyAdmin,
    register_home_warning,
)
from fivestar.core.errors import ValidationFailed
from fivestar.sla.cache import bump as bump_sla_cache
from fivestar.sla.models import (
    Calendar,
    CalendarOverride,
    CalendarYear,
    OverrideSource,
    SlaClock,
    SlaExtension,
    SlaPolicy,
    SlaTarget,
    WorkingInterval,
)
from fivestar.sla.selectors import (
    calendars_missing_holiday_data,
    holiday_data_gaps,
    years_missing_holiday_data,
)
from fivestar.sla.worktime import Hours, validate_intervals
from fivestar.tickets.selectors import rows_of_visible_tickets


def _missing_message(calendar: Calendar, years: list[int]) -> str:
    return gettext(
        "日历“%(name)s”缺少 %(years)s 年的官方节假日数据：这些年份只按每周工作时段计算。"
        "chinese-calendar 有新数据时升级它（worker 每 6 小时同步一次，也可运行 “fivestar "
        "calendar sync”），或手工录入节假日后在“日历年份”中确认。"
    ) % {"name": calendar.name, "years": "、".join(str(year) for year in years)}


def holiday_data_warnings(request) -> list[HomeWarning]:
    """The admin home page's warning while a year administrators must act on has no holiday
    data (``holiday_data_gaps``: this year, and the coming one from October), for those who
    look after the calendars."""
    user = request.user
    if not (user.has_perm("sla.view_calendar") or user.has_role(RoleCode.ADMINISTRATOR)):
        return []
    link = reverse("admin:sla_calendar_changelist")
    return [HomeWarning(message=_missing_message(calendar, years), link=link,
                        link_text=gettext("查看工作日历"))
            for calendar, years in holiday_data_gaps()]


register_home_warning(holiday_data_warnings)


class CalendarForm(forms.ModelForm):
    class Meta:
        model = Calendar
        fields = ("code", "name", "time_zone", "is_24x7", "is_default",
                  "follows_official_holidays", "adjusted_workday_weekday")

    def validate_constraints(self) -> None:
        # Ticking "default" moves the default here (``save_model``): the one-default
        # constraint is kept by the save, not refused by the form.
        exclude = self._get_validation_exclusions() | {"is_default"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except forms.ValidationError as exc:
            self._update_errors(exc)


class WorkingIntervalFormSet(forms.BaseInlineFormSet):
    """The same interval rules as the services: no overlap, start before end, some working
    time unless the calendar is 24×7."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        calendar = self.instance
        if getattr(calendar, "is_24x7", False):
            return
        intervals = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            if data.get("weekday") is None or not data.get("start") or data.get("end") is None:
                continue
            intervals.append(Hours(int(data["weekday"]), data["start"], data["end"]))
        try:
            validate_intervals(
                intervals, adjusted_workday_weekday=calendar.adjusted_workday_weekday
            )
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from exc


class WorkingIntervalInline(admin.TabularInline):
    model = WorkingInterval
    formset = WorkingIntervalFormSet
    extra = 0
    ordering = ("weekday", "start")


class CalendarOverrideInline(admin.TabularInline):
    model = CalendarOverride
    extra = 0
    fields = ("date", "kind", "name", "source")
    # An administrator's edit is always manual; a sync never overwrites it.
    readonly_fields = ("source",)
    ordering = ("-date",)

    def get_queryset(self, request):
        # The official data goes back to 2004 (~40 days a year): the page edits the dates that
        # still matter, from last year on. Older rows stay, for replaying past tickets.
        last_year = timezone.localdate().year - 1
        return super().get_queryset(request).filter(date__gte=date(last_year, 1, 1))


class CalendarYearInline(admin.TabularInline):
    model = CalendarYear
    extra = 0
    fields = ("year", "has_official_data", "synced_at")
    readonly_fields = ("synced_at",)
    ordering = ("-year",)


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    form = CalendarForm
    list_display = ("code", "name", "time_zone", "is_24x7", "is_default",
                    "follows_official_holidays", "holiday_data")
    search_fields = ("code", "name")
    inlines = [WorkingIntervalInline, CalendarOverrideInline, CalendarYearInline]
    fields = ("code", "name", "time_zone", "is_24x7", "is_default", "follows_official_holidays",
              "adjusted_workday_weekday")

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            for calendar, years in calendars_missing_holiday_data():
                messages.warning(request, _missing_message(calendar, years))
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            calendar = self.get_object(request, object_id)
            if calendar is not None and (years := years_missing_holiday_data(calendar=calendar)):
                messages.warning(request, _missing_message(calendar, years))
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        # This year's and next year's data, in the same query as the list (no query per row).
        this_year = timezone.localdate().year
        known = CalendarYear.objects.filter(calendar=OuterRef("pk"), has_official_data=True)
        return super().get_queryset(request).annotate(
            _has_this_year=Exists(known.filter(year=this_year)),
            _has_next_year=Exists(known.filter(year=this_year + 1)),
        )

    @admin.display(description=_("节假日数据"))
    def holiday_data(self, obj: Calendar) -> str:
        if obj.is_24x7:
            return "—"
        this_year = timezone.localdate().year
        missing = [
            year for year, known in ((this_year, obj._has_this_year),
                                     (this_year + 1, obj._has_next_year))
            if not known
        ]
        if not missing:
            return gettext("完整")
        return gettext("缺 %(years)s") % {"years": "、".join(str(y) for y in missing)}

    def save_model(self, request, obj, form, change) -> None:
        if obj.is_default:
            Calendar.objects.filter(is_default=True).exclude(pk=obj.pk).update(is_default=False)
            bump_sla_cache()  # queryset.update sends no signal
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is CalendarOverride:
            for inline_form in formset.forms:
                if inline_form.has_changed() and not inline_form.cleaned_data.get("DELETE"):
                    inline_form.instance.source = OverrideSource.MANUAL
        super().save_formset(request, form, formset, change)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "calendar", "kind", "name", "source")
    list_filter = ("calendar", "kind", "source")
    list_select_related = ("calendar",)
    search_fields = ("name",)
    date_hierarchy = "date"
    readonly_fields = ("source",)

    def save_model(self, request, obj, form, change) -> None:
        obj.source = OverrideSource.MANUAL
        super().save_model(request, obj, form, change)


# --- policies (SPEC §3: every number is a default an administrator can change) --------------


class SlaTargetFormSet(forms.BaseInlineFormSet):
    """The rules of ``policies.validate_targets``: a resolve target, positive durations, known
    triggers and states."""

    def clean(self) -> None:
        from fivestar.sla.policies import TargetSpec, validate_targets

        super().clean()
        if any(self.errors):
            return
        specs = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("name"):
                continue
            specs.append(TargetSpec(
                name=data["name"], duration=data.get("duration"),
                start_event=data.get("start_event") or "",
                stop_events=data.get("stop_events") or [],
                outside_hours_duration=data.get("outside_hours_duration"),
                restart_events=data.get("restart_events") or [],
                pause_statuses=data.get("pause_statuses") or [],
            ))
        try:
            validate_targets(specs)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from exc


class SlaTargetInline(admin.StackedInline):
    model = SlaTarget
    formset = SlaTargetFormSet
    extra = 0
    fields = (("name", "duration", "outside_hours_duration"), ("calendar", "hours_calendar"),
              "start_event", "stop_events", "restart_events", "pause_statuses")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "order", "priority", "ticket_type", "channel", "customer_tier",
                    "product_line", "warn_at_percent", "escalation_step", "is_active")
    list_filter = ("is_active", "priority")
    list_select_related = ("product_line",)
    fieldsets = (
        (None, {"fields": ("name", "order", "is_active")}),
        (_("适用范围（留空表示不限）"), {"fields": (
            ("priority", "ticket_type", "channel"), ("customer_tier", "product_line"))}),
        (_("预警与升级"), {"fields": ("warn_at_percent", "escalation_step")}),
    )
    inlines = [SlaTargetInline]


class SlaExtensionInline(admin.TabularInline):
    model = SlaExtension
    extra = 0
    fields = ("at", "from_due_at", "agreed_due_at", "to_due_at", "reason", "customer_agreed",
              "by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SlaClock)
class SlaClockAdmin(PersonalDataAdmin, ViewOnlyAdmin):
    """Read-only: clocks are driven by ticket events, extensions and the sweep. The clocks of
    the tickets the viewer may see."""

    list_display = ("ticket", "name", "state", "started_at", "due_at", "original_due_at",
                    "met_at", "escalation_level")
    list_filter = ("state", "name")
    list_select_related = ("ticket",)
    search_fields = ("ticket__number",)
    raw_id_fields = ("ticket",)
    inlines = [SlaExtensionInline]

    def visible_rows(self, request, queryset):
        return rows_of_visible_tickets(queryset, user=request.user)
