"""China's statutory holidays and adjusted working days (调休) in the calendars that follow them,
from the installed ``chinese-calendar`` (SPEC §3): a production install computes deadlines right
after ``migrate`` alone, without ``fivestar calendar sync``.

Every year the package knows is loaded (so that replaying or importing past tickets counts
their holidays too), and this year and the next are recorded without data when the package does
not know them, which raises them to administrators. Only what is missing is added: a date that
already has a row (an earlier sync, an administrator's manual override) is left as it is. Later
package versions reach the calendars through the worker's periodic refresh
(``services.refresh_official_holidays``).
"""

from django.db import migrations
from django.utils import timezone


def seed(apps, schema_editor):
    from fivestar.sla import official

    Calendar = apps.get_model("sla", "Calendar")
    CalendarOverride = apps.get_model("sla", "CalendarOverride")
    CalendarYear = apps.get_model("sla", "CalendarYear")
    now = timezone.now()
    this_year = timezone.localdate().year
    known = official.official_years()
    days_of = {year: official.official_days(year) for year in known}
    for calendar in Calendar.objects.filter(follows_official_holidays=True, is_24x7=False):
        taken = set(CalendarOverride.objects.filter(calendar=calendar)
                    .values_list("date", flat=True))
        CalendarOverride.objects.bulk_create(
            CalendarOverride(calendar=calendar, date=item.day, kind=item.kind, name=item.name,
                             source="official")
            for days in days_of.values() for item in days if item.day not in taken
        )
        for year in sorted({*known, this_year, this_year + 1}):
            has_data = year in days_of
            row, created = CalendarYear.objects.get_or_create(
                calendar=calendar, year=year,
                defaults={"has_official_data": has_data, "synced_at": now if has_data else None},
            )
            if not created and has_data and not row.has_official_data:
                row.has_official_data, row.synced_at = True, now
                row.save(update_fields=["has_official_data", "synced_at"])


class Migration(migrations.Migration):
    dependencies = [("sla", "0008_clock_calendar_unconfirmed")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
