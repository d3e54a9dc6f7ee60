"""The calendar back office (SPEC §3): intervals and overrides inline with the same rules as
the services, administrators' edits are manual, and missing holiday years are warned about."""

from datetime import date

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from fivestar.sla.models import Calendar, CalendarOverride, OverrideKind, OverrideSource
from fivestar.sla.services import confirm_year, sync_official_holidays

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:sla_calendar_changelist"


def warnings_in(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "warning"]


def form_data(*, code="outlet", name="网点日历", intervals=(), overrides=(), **fields):
    data = {
        "code": code, "name": name, "time_zone": "Asia/Shanghai",
        "follows_official_holidays": "on", "adjusted_workday_weekday": "0",
        **fields,
    }
    for prefix, rows in (("intervals", intervals), ("overrides", overrides), ("years", ())):
        data |= {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
                 f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
        for index, row in enumerate(rows):
            data |= {f"{prefix}-{index}-{key}": value for key, value in row.items()}
    return data


def test_missing_holiday_years_are_warned_about(admin_client, unsynced):
    standard = unsynced
    this_year = timezone.localdate().year
    response = admin_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert f"缺 {this_year}、{this_year + 1}" in response.content.decode()
    (warning,) = warnings_in(response)
    assert standard.name in warning
    assert f"{this_year}、{this_year + 1}" in warning
    response = admin_client.get(reverse("admin:sla_calendar_change", args=[standard.pk]))
    assert response.status_code == 200
    assert len(warnings_in(response)) == 1

    sync_official_holidays(calendar=standard, year=this_year)
    confirm_year(calendar=standard, year=this_year + 1)
    assert warnings_in(admin_client.get(reverse(CHANGELIST))) == []
    response = admin_client.get(reverse("admin:sla_calendar_change", args=[standard.pk]))
    assert warnings_in(response) == []
    assert "完整" in admin_client.get(reverse(CHANGELIST)).content.decode()


def test_overlapping_intervals_are_refused(admin_client, standard):
    data = form_data(intervals=[
        {"weekday": "0", "start": "09:00", "end": "12:00"},
        {"weekday": "0", "start": "11:00", "end": "18:00"},
    ])
    response = admin_client.post(reverse("admin:sla_calendar_add"), data)
    assert response.status_code == 200
    assert "重叠" in response.content.decode()
    assert not Calendar.objects.filter(code="outlet").exists()


def test_a_calendar_without_working_time_is_refused(admin_client, standard):
    response = admin_client.post(reverse("admin:sla_calendar_add"), form_data())
    assert response.status_code == 200
    assert "没有任何工作时间" in response.content.decode()
    assert not Calendar.objects.filter(code="outlet").exists()


def test_unknown_time_zone_is_refused(admin_client, standard):
    data = form_data(time_zone="Asia/Beijing",
                     intervals=[{"weekday": "0", "start": "09:00", "end": "18:00"}])
    response = admin_client.post(reverse("admin:sla_calendar_add"), data)
    assert response.status_code == 200
    assert not Calendar.objects.filter(code="outlet").exists()


def test_a_lunch_break_calendar_with_a_manual_override_and_the_default(admin_client, standard):
    data = form_data(
        is_default="on",
        intervals=[{"weekday": "0", "start": "09:00", "end": "12:00"},
                   {"weekday": "0", "start": "13:00", "end": "18:00"}],
        overrides=[{"date": "2026-12-31", "kind": "holiday", "name": "年终盘点"}],
    )
    response = admin_client.post(reverse("admin:sla_calendar_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    calendar = Calendar.objects.get(code="outlet")
    assert calendar.intervals.count() == 2
    assert calendar.is_default
    standard.refresh_from_db()
    assert not standard.is_default
    override = calendar.overrides.get()
    assert (override.kind, override.source) == (OverrideKind.HOLIDAY, OverrideSource.MANUAL)


def test_editing_an_official_override_makes_it_manual(admin_client, synced_2026):
    row = CalendarOverride.objects.get(calendar=synced_2026, date=date(2026, 10, 10))
    url = reverse("admin:sla_calendaroverride_change", args=[row.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"calendar": synced_2026.pk, "date": "2026-10-10",
                                       "kind": "holiday", "name": "公司统一休息"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.kind, row.source) == (OverrideKind.HOLIDAY, OverrideSource.MANUAL)
    sync_official_holidays(calendar=synced_2026, year=2026)
    row.refresh_from_db()
    assert row.kind == OverrideKind.HOLIDAY
    assert admin_client.get(reverse("admin:sla_calendaroverride_changelist")).status_code == 200


def _resubmit(response) -> dict[str, str]:
    """The change form's current values as POST data (main form, inlines, management forms)."""
    data: dict[str, str] = {}

    def put(form):
        for name, field in form.fields.items():
            value = form[name].value()
            if isinstance(field, forms.BooleanField):
                if value:
                    data[form.add_prefix(name)] = "on"
            elif value is not None:
                data[form.add_prefix(name)] = str(value)

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        put(inline.formset.management_form)
        for form in inline.formset.forms:
            put(form)
    return data


def test_editing_an_official_override_inline_makes_it_manual(admin_client, synced_2026):
    url = reverse("admin:sla_calendar_change", args=[synced_2026.pk])
    data = _resubmit(admin_client.get(url))
    row = CalendarOverride.objects.get(calendar=synced_2026, date=date(2026, 10, 10))
    (prefix,) = [key[: -len("-id")] for key, value in data.items()
                 if key.startswith("overrides-") and key.endswith("-id") and value == str(row.pk)]
    data[f"{prefix}-kind"] = "holiday"
    data[f"{prefix}-name"] = "公司统一休息"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    row.refresh_from_db()
    assert (row.kind, row.name, row.source) == ("holiday", "公司统一休息", OverrideSource.MANUAL)
    # Untouched official rows stay official.
    assert CalendarOverride.objects.filter(calendar=synced_2026, date__year=2026,
                                           source=OverrideSource.OFFICIAL).count() == 38


def test_overlapping_intervals_are_refused_on_the_change_page(admin_client, standard):
    url = reverse("admin:sla_calendar_change", args=[standard.pk])
    data = _resubmit(admin_client.get(url))
    total = int(data["intervals-TOTAL_FORMS"])
    data |= {"intervals-TOTAL_FORMS": str(total + 1), f"intervals-{total}-weekday": "0",
             f"intervals-{total}-start": "17:00", f"intervals-{total}-end": "20:00",
             f"intervals-{total}-calendar": str(standard.pk)}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "重叠" in response.content.decode()
    assert standard.intervals.count() == 5
