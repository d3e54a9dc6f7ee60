"""``fivestar seed_demo``: load the demo data set (idempotent: a second run creates nothing)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fivestar.demo.seed import TICKET_COUNT, seed_demo


def real_gateways_configured() -> bool:
    """Whether mail or SMS would leave this machine (an SMTP server, an SMS gateway)."""
    mailer = getattr(settings, "MAILERS", {}).get("default", {}).get("BACKEND", "")
    return bool(
        os.environ.get("EMAIL_HOST")
        or "smtp" in mailer
        or "smtp" in getattr(settings, "EMAIL_BACKEND", "")
        or not settings.SMS_BACKEND.endswith("FileSmsBackend")
    )


class Command(BaseCommand):
    help = _(
        "载入演示数据：组织、网点、员工、产品、60 位客户和近 90 天约 300 张工单（可重复运行）。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tickets", type=int, default=TICKET_COUNT,
                            help=_("首次载入的工单数（默认 300）"))
        parser.add_argument("--force", action="store_true",
                            help=_("即使配置了真实的邮件/短信网关也载入"))

    def handle(self, *, tickets: int, force: bool, **options) -> None:
        if tickets < 0:
            raise CommandError(_("--tickets 不能为负数。"))
        if real_gateways_configured() and not force:
            # The demo customers' numbers are invented but may be somebody's: later sweeps
            # (reminders, surveys) would write to them through a real gateway.
            raise CommandError(_(
                "已配置真实的邮件或短信网关，演示客户的号码是虚构的，可能属于真实的人。"
                "如确需载入，请加 --force。"
            ))
        report = seed_demo(tickets=tickets)
        if report.created_anything:
            summary = "，".join(f"{name} {count}" for name, count in report.created.items()
                               if count)
            self.stdout.write(_("演示数据已载入（%(seconds).1f 秒）：%(summary)s")
                              % {"seconds": report.seconds, "summary": summary})
        else:
            self.stdout.write(_("演示数据已存在，未做改动。"))
