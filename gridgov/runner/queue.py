"""Enqueue, claim under a lease, run and settle jobs; a worker killed mid-job leaves a claim that lapses and is retried."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import threading
import traceback
import uuid

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from gridgov.core import clock
from gridgov.runner.models import Job
from gridgov.runner.registry import resolve

log = logging.getLogger(__name__)
S = Job.State
UNFINISHED = (S.QUEUED, S.RUNNING)


def _setting(name: str, default: float) -> float:
    value = getattr(settings, name, None)
    return float(value if value not in (None, "") else os.environ.get(name, default))


def lease_seconds() -> float:
    """How long a claim holds; a job must finish within it or be run again by another worker."""
    return _setting("GRIDGOV_RUNNER_LEASE", 600)


def backoff(attempt: int) -> float:
    """Seconds before retry number `attempt` (1, 2, …): doubling from the base, capped."""
    base, cap = _setting("GRIDGOV_RUNNER_BACKOFF", 10), _setting("GRIDGOV_RUNNER_BACKOFF_CAP", 3600)
    return min(cap, base * 2 ** max(0, attempt - 1))


def worker_name() -> str:
    """A name unique to this process, recorded on the jobs it claims."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def enqueue(func: str, args: dict | None = None, *, name: str = "", run_after: dt.datetime | None = None,
            max_attempts: int = 5, unique_key: str | None = None) -> Job | None:
    """Queue a call of `func` (dotted path) with keyword `args`; with a unique_key already queued, return None."""
    now = clock.now()
    job = Job(name=name or func, func=func, args=args or {}, run_after=run_after or now, max_attempts=max_attempts,
              unique_key=unique_key, created_at=now)
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        if unique_key is None:
            raise
        return None
    return job


def _due(now) -> Q:
    """Queued jobs whose time has come, and running jobs whose worker let the lease lapse (killed or hung)."""
    return Q(state=S.QUEUED, run_after__lte=now) | Q(state=S.RUNNING, claimed_until__lt=now)


def claim(worker: str, now: dt.datetime | None = None) -> Job | None:
    """Take the next due job for `worker`, or None; two workers never hold the same job at once."""
    now = now or clock.now()
    taken = dict(state=S.RUNNING, claimed_by=worker, claimed_until=now + dt.timedelta(seconds=lease_seconds()),
                 attempts=F("attempts") + 1)
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: each worker skips rows another is claiming, so workers do not queue behind one another.
        with transaction.atomic():
            pk = (Job.objects.select_for_update(skip_locked=True).filter(_due(now))
                  .order_by("run_after", "id").values_list("pk", flat=True).first())
            if pk is None:
                return None
            Job.objects.filter(pk=pk).update(**taken)
    else:
        # SQLite: no row locks; the UPDATE repeats the due condition, so of two racing workers only one matches.
        pk = None
        for candidate in Job.objects.filter(_due(now)).order_by("run_after", "id").values_list("pk", flat=True)[:20]:
            if Job.objects.filter(_due(now), pk=candidate).update(**taken):
                pk = candidate
                break
        if pk is None:
            return None
    job = Job.objects.get(pk=pk)
    if job.attempts > job.max_attempts:
        # Only a lapsed lease gets here (a failure is settled below): the job killed its worker too often.
        _settle(job, worker, S.FAILED, error=job.last_error or "执行进程多次中断（占用超时）", now=now)
        return claim(worker, now)
    return job


def _settle(job: Job, worker: str, state: str, *, now, error: str = "", result=None, run_after=None) -> bool:
    """Record how a run ended; only the lease holder may (a worker whose lease lapsed must not undo a newer run)."""
    fields = dict(state=state, claimed_by="", claimed_until=None, last_error=error)
    if state in (S.DONE, S.FAILED):
        fields["finished_at"] = now
    if state == S.DONE:
        fields["result"] = result
    if run_after is not None:
        fields["run_after"] = run_after
    return bool(Job.objects.filter(pk=job.pk, claimed_by=worker, state=S.RUNNING).update(**fields))


@contextlib.contextmanager
def _heartbeat(pk: int, worker: str):
    """Keep extending the claim while the job runs, so a long job is not taken over by another worker."""
    stop = threading.Event()

    def beat():
        interval = lease_seconds() / 3
        try:
            while not stop.wait(interval):
                # Real time, not clock.now(): the lease guards against real workers, whatever a test froze.
                until = timezone.now() + dt.timedelta(seconds=lease_seconds())
                if not Job.objects.filter(pk=pk, claimed_by=worker, state=S.RUNNING).update(claimed_until=until):
                    return  # the claim was lost (settled or taken over): nothing left to keep
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _jsonable(value):
    return value if isinstance(value, (dict, list, str, int, float, bool, type(None))) else str(value)


def run(job: Job, worker: str) -> str:
    """Run a claimed job and settle it: done, queued again after a backoff, or failed for good. Returns the state."""
    from gridgov.runner.models import PeriodicState

    started = clock.now()
    try:
        with _heartbeat(job.pk, worker):
            result = resolve(job.func)(**(job.args or {}))
    except Exception:  # noqa: BLE001 - any failure of the job is recorded and retried, never kills the worker
        error = traceback.format_exc(limit=8)[-4000:]
        now = clock.now()
        if job.attempts < job.max_attempts:
            state, run_after = S.QUEUED, now + dt.timedelta(seconds=backoff(job.attempts))
        else:
            state, run_after = S.FAILED, None
        _settle(job, worker, state, now=now, error=error, run_after=run_after)
        PeriodicState.objects.filter(name=job.name).update(last_run_at=started, last_error=error)
        log.warning("后台任务 %s #%s 第%d次执行失败：%s", job.name, job.pk, job.attempts, error.strip().splitlines()[-1])
        return state
    now = clock.now()
    _settle(job, worker, S.DONE, now=now, result=_jsonable(result))
    PeriodicState.objects.filter(name=job.name).update(last_run_at=started, last_ok_at=now,
                                                        last_result=_jsonable(result), last_error="")
    return S.DONE
