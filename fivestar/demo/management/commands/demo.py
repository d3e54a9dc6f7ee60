"""``fivestar demo``: the first look — one command, nothing to install.

Creates ./var/ (the SQLite database, mail and SMS files), migrates, loads the demo data set,
prints the logins and an API token with a curl example, then runs the web server and the task
worker as child processes until Ctrl-C (or SIGTERM), which stops both.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import unicodedata
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from fivestar.accounts.models import User
from fivestar.accounts.services import create_api_token, revoke_api_tokens
from fivestar.customers.masking import mask
from fivestar.customers.models import Customer
from fivestar.demo import seed as demo
from fivestar.demo.management.commands.seed_demo import real_gateways_configured

# How long a child may take to stop after SIGTERM before it is killed.
STOP_TIMEOUT = 15.0
_POLL_SECONDS = 0.5


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if the demo process dies without cleaning up (kill -9)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Command(BaseCommand):
    help = _(
        "演示模式：建库、载入演示数据，启动 Web 服务和后台任务进程；Ctrl-C 全部停止。"
    )
    requires_system_checks = []  # migrate runs them

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1",
                            help=_("监听地址（默认 127.0.0.1）"))
        parser.add_argument("--port", type=int, default=8000,
                            help=_("端口（默认 8000）"))
        parser.add_argument("--no-worker", action="store_true",
                            help=_("不启动后台任务进程"))

    def handle(self, *, host: str, port: int, no_worker: bool, **options) -> None:
        if real_gateways_configured():
            raise CommandError(_(
                "演示模式不能与真实的邮件或短信网关一起运行（演示客户的号码是虚构的，"
                "可能属于真实的人）。请去掉 EMAIL_HOST / SMS_BACKEND 等设置后再试。"
            ))
        if not _port_free(host, port):
            raise CommandError(
                _("端口 %(port)d 已被占用，请用 --port 换一个。") % {"port": port}
            )
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write(_("数据目录：%(dir)s") % {"dir": settings.VAR_DIR})
        self.stdout.write(_("正在更新数据库结构…"))
        call_command("migrate", interactive=False, verbosity=0)
        # China's statutory holidays and adjusted working days, from the installed package.
        call_command("calendar", "sync", stdout=StringIO())
        self.stdout.write(_("正在载入演示数据（首次约需半分钟）…"))
        report = demo.seed_demo()
        if report.created_anything:
            self.stdout.write(_("演示数据已载入，用时 %(seconds).1f 秒。")
                              % {"seconds": report.seconds})
        else:
            self.stdout.write(_("演示数据已存在。"))
        base_url = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
        self._print_welcome(base_url)
        connections.close_all()
        if status := self._run_children(host=host, port=port, worker=not no_worker):
            raise SystemExit(status)

    # --- what the visitor needs to know -------------------------------------------------------

    def _print_welcome(self, base_url: str) -> None:
        write = self.stdout.write
        write("")
        write(self.style.SUCCESS(_("五星售后服务管理系统 — 演示")))
        write(_("员工工作台：%(url)s/workspace/") % {"url": base_url})
        write(_("客户门户：%(url)s/portal/（手机打开效果最好）") % {"url": base_url})
        write(_("后台：%(url)s/admin/    API：%(url)s/api/v1/docs") % {"url": base_url})
        write("")
        write(_("员工账号（密码均为 %(password)s）：") % {"password": demo.DEMO_PASSWORD})
        for username, name, roles in demo.demo_logins():
            write(f"  {username:<12} {_pad(name, 12)} {roles}")
        customer = Customer.objects.filter(user__username=demo.PORTAL_USERNAME).first()
        if customer is not None:
            write("")
            write(_("客户账号：%(username)s / %(password)s（%(name)s，手机 %(phone)s）")
                  % {"username": demo.PORTAL_USERNAME, "password": demo.DEMO_PASSWORD,
                     "name": customer.name, "phone": mask(customer.phone, "phone")})
        agent = User.objects.filter(username=demo.API_AGENT_USERNAME).first()
        if agent is not None:
            # One live demo token at a time: the one printed by an earlier run stops working.
            revoke_api_tokens(tokens=agent.api_tokens.filter(name="demo"))
            _token, raw = create_api_token(user=agent, name="demo")
            write("")
            write(_("API 令牌（客服 %(name)s，只显示这一次）：") % {"name": agent})
            write(f"  {raw}")
            write(_("试一试："))
            write(f'  curl -H "Authorization: Bearer {raw}" "{base_url}/api/v1/tickets?status=new"')
            write(
                f'  curl -X POST -H "Authorization: Bearer {raw}" '
                f'-H "Content-Type: application/json" \\\n'
                f'       -d \'{{"channel": "phone", "type": "repair", '
                f'"customer": {{"name": "测试客户", "phone": "13800138000"}}, '
                f'"product_model": "KFR-35GW/A1", "description": "空调不制冷"}}\' \\\n'
                f'       "{base_url}/api/v1/tickets"'
            )
        write("")
        write(_("邮件与短信写入 %(dir)s 下的 mail/ 和 sms/ 目录。按 Ctrl-C 停止。")
              % {"dir": settings.VAR_DIR})
        write("")
        self.stdout.flush()

    # --- the processes ------------------------------------------------------------------------

    def _run_children(self, *, host: str, port: int, worker: bool) -> int:
        env = {**os.environ, "FIVESTAR_DEMO": os.environ.get("FIVESTAR_DEMO", "1"),
               "FIVESTAR_VAR_DIR": str(settings.VAR_DIR), "PYTHONUNBUFFERED": "1"}
        cli = [sys.executable, "-m", "fivestar.cli"]
        self._stopping = False

        def on_signal(signum, frame) -> None:
            self._stopping = True

        # Installed before the children start: a Ctrl-C at any moment from here on is seen by
        # the watch loop, and every child started is stopped.
        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        children: dict[str, subprocess.Popen] = {}
        status = 0
        try:
            children["web"] = self._spawn(
                [*cli, "serve", "--host", host, "--port", str(port), "--workers", "1",
                 "--access-log"], env)
            if worker:
                children["worker"] = self._spawn([*cli, "worker"], env)
            status = self._watch(children)
        finally:
            self.stdout.write(_("正在停止…"))
            self.stdout.flush()
            _stop_all(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write(_("已停止。"))
        return status

    @staticmethod
    def _spawn(argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        return subprocess.Popen(
            argv, env=env, cwd=Path.cwd(),
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )

    def _watch(self, children: dict[str, subprocess.Popen]) -> int:
        """Wait until the web server ends (an error: it should run until stopped). A worker
        that ends is reported and the demo goes on serving pages without it."""
        reported = set()
        while not self._stopping:
            for name, child in children.items():
                code = child.poll()
                if code is None or name in reported:
                    continue
                if name == "web":
                    self.stderr.write(_("Web 服务意外退出（退出码 %(code)s）。") % {"code": code})
                    return 1
                self.stderr.write(
                    _("后台任务进程已退出（退出码 %(code)s），通知等后台任务不会执行。")
                    % {"code": code}
                )
                reported.add(name)
            time.sleep(_POLL_SECONDS)
        return 0


def _stop_all(children: dict[str, subprocess.Popen]) -> None:
    running = [child for child in children.values() if child.poll() is None]
    for child in running:
        child.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in running:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - used)


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True
