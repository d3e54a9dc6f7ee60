"""``fivestar worker``: runs queued tasks and the periodic sweeps, until Ctrl-C or SIGTERM.

Tasks are run by django-tasks-db's own ``Worker`` in the main thread (it owns the signal
handlers: the first Ctrl-C lets the running task finish, a second one forces). The sweeps
registered in ``fivestar.core.periodic`` run in a second thread every ``--sweep-interval``
seconds, so a back-off retry or an SLA deadline does not wait for a task to be enqueued. On
stop the sweep thread finishes the sweep in hand, then the process exits.

``--once`` runs every sweep once, then the tasks that are due, and exits (tests, cron).
"""

import logging
import os
import socket
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, task_backends
from django.tasks.exceptions import InvalidTaskBackend
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import (
    Worker,
    valid_interval,
    validate_worker_id,
)

from fivestar.core import periodic

logger = logging.getLogger("fivestar.worker")


def _sweep_loop(scheduler: periodic.Scheduler, interval: float, stop: threading.Event) -> None:
    try:
        while not stop.is_set():
            scheduler.run_due()
            stop.wait(interval)
    finally:
        # This thread's own connections; the main thread's are its own business.
        connections.close_all()


class Command(BaseCommand):
    help = _("运行后台任务和定时巡检（通知发送、SLA 预警等），Ctrl-C 停止。")

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--sweep-interval", type=valid_interval, default=15.0,
            help=_("定时巡检的间隔秒数（默认 15）。"),
        )
        parser.add_argument(
            "--once", action="store_true",
            help=_("运行一次全部巡检和到期任务后退出（用于测试和 cron）。"),
        )
        parser.add_argument(
            "--interval", type=valid_interval, default=1.0,
            help=_("任务队列为空时再次检查前等待的秒数（默认 1）。"),
        )
        parser.add_argument(
            "--queue-name", default=DEFAULT_TASK_QUEUE_NAME,
            help=_("处理的任务队列，多个用逗号分隔，'*' 表示全部。"),
        )
        parser.add_argument("--backend", default=DEFAULT_TASK_BACKEND_ALIAS, dest="backend_name",
                            help=_("任务后端（默认 default）。"))
        parser.add_argument("--worker-id", type=validate_worker_id, default=None,
                            help=_("在所有 worker 中唯一的标识（默认自动生成）。"))

    def handle(self, *, sweep_interval: float, once: bool, interval: float, queue_name: str,
               backend_name: str, worker_id: str | None, **options) -> None:
        worker_id = worker_id or (
            f"{socket.gethostname()[:30]}:{os.getpid()}:{get_random_string(8)}"
        )
        try:
            backend = task_backends[backend_name]
        except InvalidTaskBackend as exc:
            raise CommandError(str(exc)) from exc
        # With another backend (immediate, dummy) tasks run or vanish at enqueue: sweeps only.
        runs_tasks = isinstance(backend, DatabaseBackend)
        scheduler = periodic.Scheduler()
        names = ", ".join(job.name for job in periodic.registered()) or "-"

        if once:
            results = scheduler.run_due(force=True)
            if runs_tasks:
                self._task_worker(queue_name=queue_name, interval=0, batch=True,
                                  backend_name=backend_name, worker_id=worker_id).run()
            for name, result in results.items():
                self.stdout.write(f"{name}: {result!r}" if isinstance(result, Exception)
                                  else f"{name}: {result}")
            failed = [name for name, result in results.items() if isinstance(result, Exception)]
            if failed:
                # A cron job must notice: exit status 1.
                raise CommandError(_("巡检失败：%(names)s") % {"names": ", ".join(failed)})
            return

        logger.info("worker %s: tasks=%s sweeps every %ss: %s", worker_id,
                    queue_name if runs_tasks else "-", sweep_interval, names)
        stop = threading.Event()
        sweeper = threading.Thread(
            target=_sweep_loop, args=(scheduler, sweep_interval, stop),
            name="fivestar-sweeps", daemon=True,
        )
        sweeper.start()
        try:
            if runs_tasks:
                worker = self._task_worker(queue_name=queue_name, interval=interval, batch=False,
                                           backend_name=backend_name, worker_id=worker_id)
                worker.configure_signals()
                worker.run()
            else:
                self._wait_for_signal(stop)
        finally:
            stop.set()
            # A daemon thread: a second Ctrl-C during this wait ends the process anyway.
            sweeper.join()
            logger.info("worker %s stopped", worker_id)

    @staticmethod
    def _task_worker(*, queue_name: str, interval: float, batch: bool, backend_name: str,
                     worker_id: str) -> Worker:
        queues = [name.strip() for name in queue_name.split(",") if name.strip()]
        return Worker(
            queue_names=queues or [DEFAULT_TASK_QUEUE_NAME],
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=not batch,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )

    @staticmethod
    def _wait_for_signal(stop: threading.Event) -> None:
        import signal

        def on_signal(signum, frame) -> None:
            stop.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, on_signal)
        while not stop.wait(1.0):
            pass
