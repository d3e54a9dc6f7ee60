"""``fivestar calendar sync [--year Y] [--calendar CODE]``: copy China's statutory holidays and
adjusted working days (调休) into the working calendars (SPEC §3).

Without ``--year``: every year ``chinese-calendar`` knows from this year on, and this year and
the next in any case (a year without data is recorded and warned about). Without
``--calendar``: every calendar that follows the official holidays. Safe to run again: it is
idempotent and never touches an administrator's manual override.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fivestar.core.errors import DomainError
from fivestar.sla import official
from fivestar.sla.selectors import get_calendar
from fivestar.sla.services import calendars_to_sync, sync_official_holidays, years_to_sync


class Command(BaseCommand):
    # Plain strings, not lazy ones: argparse formats the help text itself.
    help = _("工作日历维护。sync：从 chinese-calendar 同步中国法定节假日和调休上班日。")

    def add_arguments(self, parser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        sync = subcommands.add_parser(
            "sync", help=_("同步法定节假日和调休上班日。"),
        )
        sync.add_argument(
            "--year", type=int, action="append", dest="years", metavar="Y",
            help=_("只同步这一年（可重复）；默认从今年起所有已知年份，以及今明两年。"),
        )
        sync.add_argument(
            "--calendar", dest="calendar_code", metavar="CODE",
            help=_("只同步这个日历（代码）；默认所有跟随法定节假日的日历。"),
        )

    def handle(self, *args, subcommand: str, **options) -> None:
        if subcommand == "sync":
            self._sync(years=options.get("years"), calendar_code=options.get("calendar_code"))

    def _sync(self, *, years: list[int] | None, calendar_code: str | None) -> None:
        try:
            calendars = (
                [get_calendar(code=calendar_code)] if calendar_code else calendars_to_sync()
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if not calendars:
            self.stdout.write(_("没有需要同步法定节假日的日历。"))
            return
        if any(calendar.is_24x7 for calendar in calendars):
            raise CommandError(_("全天候（7×24）日历不使用节假日。"))
        for year in years or ():
            if not 1900 <= year <= 2200:
                raise CommandError(_("年份超出范围：%(year)s。") % {"year": year})
        known = official.official_years()
        self.stdout.write(
            _("官方节假日数据覆盖 %(first)s–%(last)s 年。")
            % {"first": known.start, "last": known.stop - 1}
        )
        for calendar in calendars:
            for year in sorted(set(years or years_to_sync())):
                try:
                    result = sync_official_holidays(calendar=calendar, year=year)
                except DomainError as exc:
                    raise CommandError(f"{calendar.code}: {exc.message}") from exc
                if not result.has_data:
                    self.stderr.write(self.style.WARNING(
                        _("警告：%(year)s 年没有官方节假日数据（日历 %(code)s）。该年只按每周"
                          "工作时段计算，请升级 chinese-calendar 后重新同步，或在后台手工录入"
                          "节假日并确认该年份。") % {"year": year, "code": calendar.code}
                    ))
                    continue
                self.stdout.write(
                    _("%(code)s %(year)s：新增 %(created)d，更新 %(updated)d，删除 %(removed)d，"
                      "保留手工 %(kept)d。") % {
                        "code": calendar.code, "year": year, "created": result.created,
                        "updated": result.updated, "removed": result.removed,
                        "kept": result.kept_manual,
                    }
                )
