"""A worker killed (SIGKILL) while holding a claim: after a restart its job runs again and nothing is lost."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gridgov.runner import queue
from tests.worker_db import WorkerDatabase

ROOT = Path(__file__).resolve().parents[2]


class JobDatabase(WorkerDatabase):
    """The worker database, read as the job queue."""

    def jobs(self) -> dict[str, tuple]:
        """name → (state, attempts, claimed_by) as committed right now."""
        rows = self.query("SELECT name, state, attempts, claimed_by FROM runner_job WHERE name LIKE 'test-%'")
        return {name: (state, attempts, by) for name, state, attempts, by in rows}


def _worker(db: JobDatabase, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": db.url, "GRIDGOV_RUNNER_LEASE": "2", "GRIDGOV_12345_URL": ""}
    return subprocess.Popen([sys.executable, "-m", "gridgov", "worker", "--loop", "--interval", "0.2"],
                            cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _wait(condition, seconds: float, what: str):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_job_completes_after_restart(tmp_path):
    marker, done = tmp_path / "started", tmp_path / "done"
    queue.enqueue("tests.runner.jobs.slow_first_time", {"marker": str(marker), "done": str(done)}, name="test-slow")
    queue.enqueue("tests.runner.jobs.record", {"x": 1}, name="test-quick")
    db = JobDatabase(tmp_path)
    log = tmp_path / "worker.log"

    first = _worker(db, log)
    try:
        _wait(marker.exists, 60, "the first worker to start the slow job")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    jobs = db.jobs()
    assert jobs["test-slow"][0] == "running" and jobs["test-slow"][2], jobs  # the dead worker's claim is left behind
    assert jobs["test-quick"][0] == "queued", jobs

    second = _worker(db, log)
    try:
        _wait(lambda: all(state == "done" for state, _, _ in db.jobs().values()), 60, "the second worker to finish both jobs")
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(15)
        except subprocess.TimeoutExpired:
            second.kill()
    assert second.returncode == 0, log.read_text()
    assert done.read_text() == "done"
    jobs = db.jobs()
    assert jobs["test-slow"] == ("done", 2, ""), jobs
    assert jobs["test-quick"] == ("done", 1, ""), jobs
