"""``fivestar token <username> [--name N]``: print a new API token for a user.

Only the token's digest is stored; the printed token cannot be shown again.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fivestar.accounts.models import User
from fivestar.accounts.services import create_api_token


class Command(BaseCommand):
    help = _("为用户生成一个新的 API 令牌并打印（只显示这一次）。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help=_("用户名"))
        parser.add_argument("--name", default="", help=_("令牌名称，便于识别用途"))

    def handle(self, *, username: str, name: str, **options) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("没有用户名为 %(username)s 的用户。") % {"username": username})
        if not user.is_active:
            raise CommandError(_("用户 %(username)s 已停用。") % {"username": username})
        _token, raw = create_api_token(user=user, name=name or "cli")
        # The token alone on stdout, so that TOKEN=$(fivestar token alice) works.
        self.stdout.write(raw)
