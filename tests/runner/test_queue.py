"""The database queue: retries with backoff, leases that lapse, periodic jobs scheduled once per slot."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from gridgov.runner import queue, worker
from gridgov.runner.models import Job, PeriodicState
from gridgov.runner.registry import PERIODIC, PeriodicJob
from tests.conftest import MONDAY_10AM, freeze_clock
from tests.runner import jobs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_calls():
    jobs.CALLS.clear()


@pytest.fixture
def clock(monkeypatch, settings):
    settings.GRIDGOV_RUNNER_BACKOFF = 10
    settings.GRIDGOV_RUNNER_LEASE = 60
    return freeze_clock(monkeypatch)


def test_a_queued_job_runs_once(db, clock):
    job = queue.enqueue("tests.runner.jobs.record", {"a": 1})
    assert worker.run_due("w1") == {"done": 1}
    assert worker.run_due("w1") == {}
    job.refresh_from_db()
    assert (job.state, job.attempts, job.result, job.claimed_by) == ("done", 1, {"seen": {"a": 1}}, "")
    assert jobs.CALLS == [{"a": 1}]


def test_a_failing_job_is_retried_with_backoff_then_succeeds(db, clock):
    job = queue.enqueue("tests.runner.jobs.flaky", {"failures": 2}, max_attempts=5)
    assert worker.run_due("w1") == {"queued": 1}
    job.refresh_from_db()
    assert job.state == "queued" and "transient failure 1" in job.last_error
    assert job.run_after == MONDAY_10AM + dt.timedelta(seconds=10)
    assert worker.run_due("w1") == {}  # not before its backoff
    clock.advance(seconds=10)
    assert worker.run_due("w1") == {"queued": 1}
    job.refresh_from_db()
    assert job.run_after == clock.at + dt.timedelta(seconds=20)  # doubled
    clock.advance(seconds=20)
    assert worker.run_due("w1") == {"done": 1}
    job.refresh_from_db()
    assert (job.state, job.attempts, job.result, job.last_error) == ("done", 3, "ok", "")


def test_a_job_that_keeps_failing_ends_failed(db, clock):
    job = queue.enqueue("tests.runner.jobs.flaky", {"failures": 99}, max_attempts=2)
    worker.run_due("w1")
    clock.advance(hours=1)
    assert worker.run_due("w1") == {"failed": 1}
    clock.advance(hours=1)
    assert worker.run_due("w1") == {}
    job.refresh_from_db()
    assert job.state == "failed" and job.finished_at and "transient failure 2" in job.last_error


def test_a_lapsed_claim_is_taken_over_and_the_old_holder_cannot_settle_it(db, clock):
    job = queue.enqueue("tests.runner.jobs.record", {"b": 2})
    assert queue.claim("dead").pk == job.pk  # … and the worker dies here
    assert queue.claim("w2") is None  # the lease still holds
    clock.advance(seconds=61)
    taken = queue.claim("w2")
    assert taken.pk == job.pk and taken.attempts == 2 and taken.claimed_by == "w2"
    assert not queue._settle(job, "dead", "done", now=clock.at)
    assert queue.run(taken, "w2") == "done"


def test_a_job_whose_worker_keeps_dying_is_given_up(db, clock):
    job = queue.enqueue("tests.runner.jobs.record", max_attempts=1)
    queue.claim("dead")
    clock.advance(seconds=61)
    assert queue.claim("w2") is None
    job.refresh_from_db()
    assert job.state == "failed"


def test_unique_keys_make_enqueueing_idempotent(db, clock):
    assert queue.enqueue("tests.runner.jobs.record", unique_key="k@1")
    assert queue.enqueue("tests.runner.jobs.record", unique_key="k@1") is None
    assert Job.objects.count() == 1


EVERY_MINUTE = PeriodicJob("every_minute", "tests.runner.jobs.record", every=dt.timedelta(minutes=1))
DAILY = PeriodicJob("daily", "tests.runner.jobs.record", daily_at=dt.time(8, 0))


def test_periodic_jobs_are_queued_once_per_slot(db, clock):
    assert worker.schedule(jobs=[EVERY_MINUTE, DAILY]) == ["every_minute"]
    assert worker.schedule(jobs=[EVERY_MINUTE, DAILY]) == []  # same slot: nothing more
    worker.run_due("w1")
    clock.advance(seconds=30)
    assert worker.schedule(jobs=[EVERY_MINUTE]) == []
    clock.advance(seconds=30)
    assert worker.schedule(jobs=[EVERY_MINUTE]) == ["every_minute"]
    # A run still waiting covers later slots: a stopped worker catches up with one run, not a burst.
    clock.advance(hours=3)
    assert worker.schedule(jobs=[EVERY_MINUTE]) == []
    assert worker.run_due("w1") == {"done": 1}
    assert len(jobs.CALLS) == 2
    state = PeriodicState.objects.get(name="every_minute")
    assert state.last_ok_at == clock.at and state.next_run_at == clock.at + dt.timedelta(minutes=1)
    # Monday 10:00 Beijing time: the daily job is first due Tuesday 08:00 Beijing time.
    assert PeriodicState.objects.get(name="daily").next_run_at == dt.datetime(2026, 3, 3, 0, 0, tzinfo=dt.timezone.utc)


def test_the_daily_job_runs_at_8_beijing_time_once(db, clock):
    worker.schedule(jobs=[DAILY])
    clock.at = dt.datetime(2026, 3, 3, 0, 0, tzinfo=dt.timezone.utc)
    assert worker.schedule(jobs=[DAILY]) == ["daily"]
    worker.run_due("w1")
    clock.advance(hours=5)
    assert worker.schedule(jobs=[DAILY]) == []
    assert PeriodicState.objects.get(name="daily").next_run_at == dt.datetime(2026, 3, 4, 0, 0, tzinfo=dt.timezone.utc)


def test_a_failing_periodic_run_is_recorded(db, clock):
    job = PeriodicJob("flaky", "tests.runner.jobs.flaky", every=dt.timedelta(minutes=1))
    worker.schedule(jobs=[job])
    worker.run_due("w1")
    assert "transient failure" in PeriodicState.objects.get(name="flaky").last_error


def test_the_registry_holds_the_four_jobs():
    by_name = {j.name: j for j in PERIODIC}
    assert by_name["deadline_scan"].every == dt.timedelta(minutes=1)
    assert by_name["supervision_digests"].daily_at == dt.time(8, 0)
    assert by_name["deadline_scan"].is_enabled()
    assert not PeriodicJob("x", "gridgov.nowhere.f", every=dt.timedelta(1)).is_enabled()


def test_the_12345_push_runs_only_when_configured(settings):
    by_name = {j.name: j for j in PERIODIC}
    settings.GRIDGOV_12345_URL = ""
    settings.GRIDGOV_12345_SECRET = ""
    assert not by_name["hotline12345_push"].is_enabled()
    settings.GRIDGOV_12345_URL = "http://127.0.0.1:9/push"
    settings.GRIDGOV_12345_SECRET = "s"
    assert by_name["hotline12345_push"].is_enabled()


def test_worker_once_runs_the_deadline_scan(world, clock, settings):
    settings.GRIDGOV_12345_URL = ""
    call_command("worker", "--once")
    assert Job.objects.get(name="deadline_scan").state == "done"
    assert PeriodicState.objects.get(name="deadline_scan").last_ok_at == clock.at


def test_worker_help_works():
    out = subprocess.run([sys.executable, "-m", "gridgov", "worker", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "--once" in out.stdout and "--loop" in out.stdout


@pytest.mark.django_db(transaction=True)
def test_a_job_longer_than_its_lease_keeps_its_claim(settings):
    """The running worker's heartbeat extends the claim, so a second worker does not take the job over."""
    import threading
    import time

    settings.GRIDGOV_RUNNER_LEASE = 0.6  # the heartbeat renews every 0.2 s
    job = queue.enqueue("tests.runner.jobs.nap", {"seconds": 1.5})
    mine = queue.claim("worker-a")
    outcome = {}
    runner = threading.Thread(target=lambda: outcome.setdefault("state", queue.run(mine, "worker-a")))
    runner.start()
    time.sleep(1.0)  # well past the original lease
    assert queue.claim("worker-b") is None
    runner.join()
    job.refresh_from_db()
    assert outcome["state"] == Job.State.DONE and (job.state, job.attempts) == (Job.State.DONE, 1)
