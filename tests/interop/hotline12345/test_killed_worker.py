"""The outbox worker killed mid-batch: after a restart every message reaches the city, accepted exactly once."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gridgov.interop.hotline12345 import outbox
from tests.conftest import build_world
from tests.interop.hotline12345.conftest import SECRET, make_gateway
from tests.interop.hotline12345.helpers import OutboxDatabase, handled_to_close

ROOT = Path(__file__).resolve().parents[3]
TICKETS = 4  # four messages each: 签收, 延期申请, 办理反馈, 办结


def _worker(db: OutboxDatabase, city_url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": db.url, "GRIDGOV_12345_URL": city_url, "GRIDGOV_12345_SECRET": SECRET,
           "GRIDGOV_12345_LEASE": "3", "GRIDGOV_12345_TIMEOUT": "2", "GRIDGOV_12345_BATCH": "5", "GRIDGOV_12345_BACKOFF": "0.2"}
    return subprocess.Popen([sys.executable, "-m", "gridgov", "hotline12345", "push", "--loop", "--interval", "0.2"],
                            cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _wait(condition, seconds: float, what: str):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_loses_nothing_and_the_city_accepts_each_message_once(h12345, fake_city, tmp_path):
    world = build_world()
    make_gateway(world)
    for i in range(TICKETS):
        handled_to_close(world, f"SZ-KILL-{i}")
    assert outbox.collect() == 4 * TICKETS
    db = OutboxDatabase(tmp_path)
    fake_city.delay = 0.3  # slow enough that the kill lands in the middle of a batch

    first = _worker(db, fake_city.url, tmp_path / "worker.log")
    try:
        _wait(lambda: len(fake_city.requests) >= 3, 60, "the first worker to send three messages")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    rows = db.rows()
    sent_at_kill = sum(state == "sent" for _, state, _ in rows)
    orphaned = [mid for mid, state, by in rows if state == "pending" and by]
    assert 0 < sent_at_kill < len(rows), rows
    assert orphaned, "the dead worker should still hold claimed, unsent rows"

    second = _worker(db, fake_city.url, tmp_path / "worker.log")
    try:
        _wait(lambda: all(state == "sent" for _, state, _ in db.rows()), 90, "the second worker to send everything")
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(15)
        except subprocess.TimeoutExpired:
            second.kill()
    assert second.returncode == 0, (tmp_path / "worker.log").read_text()

    ids = {mid for mid, _, _ in db.rows()}
    assert len(ids) == 4 * TICKETS
    assert set(fake_city.accepted) == ids
    # At least once: only the message in flight when the worker died may have been delivered twice
    # (counted on the raw deliveries, not on what the city's de-duplication kept).
    assert set(fake_city.deliveries) == ids
    assert fake_city.duplicates() <= 1, fake_city.deliveries
    assert fake_city.bad_signatures == 0
    # The city saw each ticket's events in order.
    order = {}
    for r in fake_city.requests:
        seen = order.setdefault(r["body"]["orderNo"], [])
        if not seen or seen[-1] != r["body"]["event"]:
            seen.append(r["body"]["event"])
    assert set(map(tuple, order.values())) == {("SIGN", "EXTENSION_REQUEST", "REPORT", "CLOSE")}
