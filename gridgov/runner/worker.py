"""The worker: enqueue periodic jobs that are due, then run whatever is due, once or in a loop."""

from __future__ import annotations

import logging
import time

from django.db import close_old_connections, connection, transaction

from gridgov.core import clock
from gridgov.runner import queue
from gridgov.runner.models import Job, PeriodicState
from gridgov.runner.registry import PeriodicJob, periodic_jobs

log = logging.getLogger(__name__)


def schedule(now=None, jobs: list[PeriodicJob] | None = None) -> list[str]:
    """Queue one run of every periodic job that is due; safe to call from several workers at once. Returns names."""
    now = now or clock.now()
    queued = []
    for pj in periodic_jobs() if jobs is None else jobs:
        PeriodicState.objects.get_or_create(name=pj.name, defaults={"next_run_at": pj.first_run(now)})
        with transaction.atomic():
            lock = PeriodicState.objects.select_for_update() if connection.features.has_select_for_update else PeriodicState.objects
            state = lock.get(name=pj.name)
            if state.next_run_at > now:
                continue
            slot = state.next_run_at
            state.next_run_at = pj.next_run(max(now, slot))
            state.last_enqueued_at = now
            state.save(update_fields=["next_run_at", "last_enqueued_at"])
            # A run still waiting or in progress covers this slot too: periodic jobs catch up on their own.
            if Job.objects.filter(name=pj.name, state__in=queue.UNFINISHED).exists():
                continue
            if queue.enqueue(pj.func, name=pj.name, max_attempts=pj.max_attempts,
                             unique_key=f"{pj.name}@{slot.isoformat()}"):
                queued.append(pj.name)
    return queued


def run_due(worker: str, stop=lambda: False, limit: int | None = None) -> dict[str, int]:
    """Claim and run due jobs until none is left (or `limit` ran, or stop()); returns counts by final state."""
    counts: dict[str, int] = {}
    ran = 0
    while not stop() and (limit is None or ran < limit):
        job = queue.claim(worker)
        if job is None:
            break
        state = queue.run(job, worker)
        counts[str(state)] = counts.get(str(state), 0) + 1
        ran += 1
    return counts


def run_once(worker: str | None = None, stop=lambda: False) -> dict[str, int]:
    """One pass: schedule due periodic jobs, then run every due job."""
    worker = worker or queue.worker_name()
    schedule()
    return run_due(worker, stop)


def loop(worker: str | None = None, interval: float = 5.0, stop=lambda: False) -> None:
    """Run passes until stop() is true, sleeping `interval` seconds between idle passes."""
    worker = worker or queue.worker_name()
    while not stop():
        close_old_connections()
        try:
            counts = run_once(worker, stop)
        except Exception:  # noqa: BLE001 - a database hiccup must not end the worker; the next pass retries
            log.exception("后台任务调度出错，%s 秒后重试", interval)
            counts = {}
        if counts:
            log.info("后台任务：%s", counts)
            continue
        deadline = time.monotonic() + interval
        while not stop() and time.monotonic() < deadline:
            time.sleep(min(0.2, interval))


def start_in_thread(interval: float = 5.0):
    """Run a worker loop in a daemon thread (the demo serves and works in one process); returns the thread."""
    import threading

    name = queue.worker_name()
    thread = threading.Thread(target=loop, args=(name, interval), name=f"gridgov-worker {name}", daemon=True)
    thread.start()
    return thread
