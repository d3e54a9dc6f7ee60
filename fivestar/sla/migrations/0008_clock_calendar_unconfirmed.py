"""``SlaClock.calendar_unconfirmed``: the deadline was computed over a year without confirmed
holiday data (SPEC §3). Existing clocks are flagged by the same rule: their time from start to
due crosses a local year of their calendar that has no confirmed data."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import migrations, models
from django.db.models import Max, Min


def flag_existing(apps, schema_editor):
    Calendar = apps.get_model("sla", "Calendar")
    CalendarYear = apps.get_model("sla", "CalendarYear")
    SlaClock = apps.get_model("sla", "SlaClock")
    for calendar in Calendar.objects.filter(is_24x7=False):
        clocks = SlaClock.objects.filter(calendar=calendar)
        span = clocks.aggregate(first=Min("started_at"), last=Max("due_at"))
        if span["first"] is None:
            continue
        try:
            zone = ZoneInfo(calendar.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            continue  # a broken calendar computes no deadline at all
        known = set(CalendarYear.objects.filter(
            calendar=calendar, has_official_data=True).values_list("year", flat=True))
        first, last = span["first"].astimezone(zone).year, span["last"].astimezone(zone).year
        for year in range(first, last + 1):
            if year not in known:
                clocks.filter(
                    started_at__lt=datetime(year + 1, 1, 1, tzinfo=zone),
                    due_at__gte=datetime(year, 1, 1, tzinfo=zone),
                ).update(calendar_unconfirmed=True)


class Migration(migrations.Migration):
    dependencies = [("sla", "0007_default_visit_target")]
    operations = [
        migrations.AddField(
            model_name="slaclock",
            name="calendar_unconfirmed",
            field=models.BooleanField(default=False, verbose_name="节假日未确认"),
        ),
        migrations.RunPython(flag_existing, migrations.RunPython.noop),
    ]
