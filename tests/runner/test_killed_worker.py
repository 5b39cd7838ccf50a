"""A worker killed (SIGKILL) while holding a claim: after a restart its job runs again and nothing is lost."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from gridgov.runner import queue

ROOT = Path(__file__).resolve().parents[2]


class WorkerDatabase:
    """The database a worker subprocess can open: the PostgreSQL test database, or a file copy of SQLite's in-memory one."""

    def __init__(self, tmp_path: Path):
        s = connection.settings_dict
        if connection.vendor == "sqlite":
            self.path = tmp_path / "worker.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.path)
            connection.connection.backup(target)
            target.close()
            self.url = f"sqlite:///{self.path}"
        else:
            auth = quote(s["USER"] or "") + (":" + quote(s["PASSWORD"]) if s["PASSWORD"] else "")
            self.url = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
            self.path = None

    def jobs(self) -> dict[str, tuple]:
        """name → (state, attempts, claimed_by) as committed right now."""
        sql = "SELECT name, state, attempts, claimed_by FROM runner_job WHERE name LIKE 'test-%'"
        if self.path:
            with sqlite3.connect(self.path, timeout=20) as db:
                rows = db.execute(sql).fetchall()
        else:
            with connection.cursor() as cur:
                cur.execute(sql)
                rows = cur.fetchall()
        return {name: (state, attempts, by) for name, state, attempts, by in rows}


def _worker(db: WorkerDatabase, log: Path) -> subprocess.Popen:
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
    db = WorkerDatabase(tmp_path)
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
