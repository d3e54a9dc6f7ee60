"""``fivestar serve``: the production web server (gunicorn, threaded workers, WSGI).

Workers: ``--workers``, else ``WEB_CONCURRENCY``, else two per CPU core. On SQLite one worker
process (with threads) serves everything: several processes writing one SQLite file would only
queue on its lock. Ctrl-C or SIGTERM stops the server (gunicorn's own signal handling).
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.utils.translation import gettext as _
from gunicorn.app.base import BaseApplication


class FivestarServer(BaseApplication):
    """gunicorn driven from code: the options come from the command line of ``fivestar serve``,
    never from gunicorn's own argument parser or a stray gunicorn.conf.py."""

    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from fivestar.wsgi import application

        return application


def default_workers() -> int:
    if value := os.environ.get("WEB_CONCURRENCY"):
        try:
            return max(1, int(value))
        except ValueError:
            raise CommandError(_("WEB_CONCURRENCY 必须是整数。")) from None
    return 2 * (os.cpu_count() or 1)


class Command(BaseCommand):
    help = _("启动 Web 服务（gunicorn）。Ctrl-C 停止。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"),
                            help=_("监听地址（默认 127.0.0.1）"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")),
                            help=_("端口（默认 8000）"))
        parser.add_argument("--workers", type=int, default=None,
                            help=_("工作进程数（默认 WEB_CONCURRENCY 或 CPU 核数×2）"))
        parser.add_argument("--threads", type=int, default=4,
                            help=_("每个进程的线程数（默认 4）"))
        parser.add_argument("--timeout", type=int, default=60,
                            help=_("请求超时秒数（默认 60）"))
        parser.add_argument("--access-log", action="store_true",
                            help=_("在标准输出打印访问日志"))

    def handle(self, *, host: str, port: int, workers: int | None, threads: int, timeout: int,
               access_log: bool, **options) -> None:
        if not 0 < port < 65536:
            raise CommandError(_("端口必须在 1 到 65535 之间。"))
        if workers is not None and workers < 1:
            raise CommandError(_("--workers 至少为 1。"))
        workers = workers or default_workers()
        if connection.vendor == "sqlite" and workers > 1:
            self.stderr.write(_("SQLite 数据库：只启动 1 个工作进程（%(threads)d 个线程）。")
                              % {"threads": threads})
            workers = 1
        # The checks opened connections in this process; the workers it forks must not share them.
        connections.close_all()
        config = {
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": max(1, threads),
            "timeout": timeout,
            "graceful_timeout": 20,
            "proc_name": "fivestar",
            "accesslog": "-" if access_log else None,
            "errorlog": "-",
            "loglevel": "info",
            # Whose X-Forwarded-Proto says the request came over HTTPS (HTTPS_ONLY redirects
            # the others): the proxies the application trusts for the client address too.
            "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS")
            or ",".join(settings.TRUSTED_PROXIES) or "127.0.0.1",
            # One control socket per user by default: two servers on one host would collide.
            "control_socket_disable": True,
        }
        if os.path.isdir("/dev/shm"):
            config["worker_tmp_dir"] = "/dev/shm"  # heartbeat files off a slow disk
        FivestarServer(config).run()
