"""The ground floor's own table: rate-limit counters (``fivestar.core.throttle``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """Attempts counted for one key (a scope and a hashed phone, account or address) in the
    window that ends at ``expires_at``. Changed only by one atomic upsert in
    ``fivestar.core.throttle``; expired rows are swept by the worker."""

    key = models.CharField(_("键"), max_length=100, primary_key=True)
    count = models.PositiveIntegerField(_("次数"), default=0)
    expires_at = models.DateTimeField(_("窗口结束"), db_index=True)

    class Meta:
        verbose_name = _("频率计数")
        verbose_name_plural = _("频率计数")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
