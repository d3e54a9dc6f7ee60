"""The periodic sweeps ``fivestar worker`` runs: a small registry apps add to in ``ready()``.

    from fivestar.core import periodic
    periodic.register("sla.sweep", run_sla_sweep, every_seconds=60)

A sweep is a function without arguments. Several workers on several hosts may run the same
sweep at the same time, so every sweep must be idempotent and claim its rows with row locks
(DESIGN "Processes"); the registry only decides *when* a process runs it, not *who alone*.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import close_old_connections

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func: Callable[[], object]
    # 0: on every tick of the worker's sweep loop (``--sweep-interval``).
    every_seconds: float = 0


_jobs: dict[str, PeriodicJob] = {}


def register(name: str, func: Callable[[], object], every_seconds: float = 0) -> None:
    """Run ``func`` from every worker at most every ``every_seconds`` (and never more often than
    the worker's tick). Registering a name again replaces the job."""
    if every_seconds < 0:
        raise ValueError("every_seconds must be zero or more")
    _jobs[name] = PeriodicJob(name=name, func=func, every_seconds=every_seconds)


def unregister(name: str) -> None:
    _jobs.pop(name, None)


def registered() -> list[PeriodicJob]:
    return list(_jobs.values())


@dataclass
class Scheduler:
    """When this process last ran each job (monotonic clock), and running the due ones."""

    last_run: dict[str, float] = field(default_factory=dict)

    def due_jobs(self, *, now: float | None = None) -> list[PeriodicJob]:
        now = time.monotonic() if now is None else now
        return [
            job for job in registered()
            if job.name not in self.last_run
            or now - self.last_run[job.name] >= job.every_seconds
        ]

    def run_due(self, *, force: bool = False) -> dict[str, object]:
        """Run each due job (every job when ``force``); a failing job is logged and does not
        stop the others. Returns each job's result (the exception for a failed one)."""
        results: dict[str, object] = {}
        jobs = registered() if force else self.due_jobs()
        for job in jobs:
            self.last_run[job.name] = time.monotonic()
            # Like a request: a connection that died while we slept is replaced, not used.
            close_old_connections()
            try:
                results[job.name] = job.func()
            except Exception as exc:
                logger.exception("periodic job %s failed", job.name)
                results[job.name] = exc
            finally:
                close_old_connections()
        return results
