"""The default working calendar and the built-in 24×7 calendar (SPEC §3).

``standard``: Monday–Friday 09:00–18:00 Asia/Shanghai, the default, following China's statutory
holidays — which ``fivestar calendar sync`` copies in (until then the admin pages warn that the
years lack holiday data). ``24x7``: every second counts (P1 and P2 targets).
"""

from datetime import time

from django.db import migrations


def seed(apps, schema_editor):
    Calendar = apps.get_model("sla", "Calendar")
    WorkingInterval = apps.get_model("sla", "WorkingInterval")
    standard, created = Calendar.objects.get_or_create(
        code="standard",
        defaults={
            "name": "标准工作日历", "time_zone": "Asia/Shanghai", "is_24x7": False,
            "is_default": not Calendar.objects.filter(is_default=True).exists(),
            "follows_official_holidays": True, "adjusted_workday_weekday": 0,
        },
    )
    if created:
        WorkingInterval.objects.bulk_create(
            WorkingInterval(calendar=standard, weekday=weekday, start=time(9), end=time(18))
            for weekday in range(5)
        )
    Calendar.objects.get_or_create(
        code="24x7",
        defaults={
            "name": "全天候（7×24）", "time_zone": "Asia/Shanghai", "is_24x7": True,
            "is_default": False, "follows_official_holidays": False,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
