from datetime import datetime

from django.utils import timezone


def local_date(moment: datetime):
    """The calendar date of ``moment`` in the configured time zone (Asia/Shanghai by default)."""
    return timezone.localtime(moment).date()
