"""Every periodic job in one table: name, schedule (an interval or a daily Asia/Shanghai time) and dotted function path."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def resolve(path: str) -> Callable:
    """Return the function named by a dotted path ("package.module.function")."""
    module, _, attr = path.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def importable(path: str) -> bool:
    """Whether the dotted path names a function that exists in this installation (optional apps may be absent)."""
    try:
        return callable(resolve(path))
    except Exception:  # noqa: BLE001 - missing module, or an app whose models load only when it is in INSTALLED_APPS
        return False


@dataclass(frozen=True)
class PeriodicJob:
    """One periodic job: exactly one of `every` and `daily_at` is set."""

    name: str
    func: str
    every: dt.timedelta | None = None
    daily_at: dt.time | None = None  # Asia/Shanghai wall-clock time
    enabled: Callable[[], bool] | None = None  # None: enabled whenever `func` can be imported
    max_attempts: int = 3

    def __post_init__(self):
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"periodic job {self.name}: give exactly one of every= and daily_at=")

    def is_enabled(self) -> bool:
        """Whether the job should be scheduled here (its code is installed and its settings are configured)."""
        if not importable(self.func):
            return False
        return self.enabled() if self.enabled else True

    def first_run(self, now: dt.datetime) -> dt.datetime:
        """When a job never scheduled before is first due: interval jobs at once, daily jobs at the next daily time."""
        return now if self.every is not None else self.next_run(now)

    def next_run(self, after: dt.datetime) -> dt.datetime:
        """The next due time strictly after `after` (a worker that was down catches up with one run, not a burst)."""
        if self.every is not None:
            return after + self.every
        local = after.astimezone(LOCAL_TZ)
        candidate = dt.datetime.combine(local.date(), self.daily_at, tzinfo=LOCAL_TZ)
        if candidate <= local:
            candidate = dt.datetime.combine(local.date() + dt.timedelta(days=1), self.daily_at, tzinfo=LOCAL_TZ)
        return candidate.astimezone(dt.timezone.utc)


def _hotline12345_configured() -> bool:
    from gridgov.interop.hotline12345 import config

    cfg = config.load()
    return bool(cfg.push_url and cfg.secret)


MINUTE = dt.timedelta(minutes=1)

PERIODIC: tuple[PeriodicJob, ...] = (
    PeriodicJob("deadline_scan", "gridgov.alerts.scan.scan", every=MINUTE),
    PeriodicJob("notifications_delivery", "gridgov.notifications.delivery.deliver_pending", every=MINUTE),
    PeriodicJob("supervision_digests", "gridgov.supervision.jobs.send_daily_digests", daily_at=dt.time(8, 0)),
    PeriodicJob("hotline12345_push", "gridgov.runner.builtin.push_12345", every=MINUTE, enabled=_hotline12345_configured),
)


def periodic_jobs() -> list[PeriodicJob]:
    """The periodic jobs this installation can run."""
    return [job for job in PERIODIC if job.is_enabled()]
