"""A push repeated 10 times concurrently against a live server yields one ticket."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from gridgov.interop.hotline12345.models import InboundOrder
from gridgov.tickets.models import Ticket, TimelineEvent
from tests.conftest import build_world
from tests.interop.hotline12345.conftest import SECRET, make_gateway, order_json, signed
from tests.worker_db import WorkerDatabase

PUSHES = 10
ROOT = Path(__file__).resolve().parents[3]


def _post(url: str, raw: bytes, headers: dict) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=raw, method="POST", headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _race(url: str, order_no: str) -> list[tuple[int, dict]]:
    """Push the same signed order from ten threads released at the same instant."""
    raw, meta = signed(order_json(order_no))
    headers = {k[5:].replace("_", "-"): v for k, v in meta.items()}  # HTTP_X_12345_TIMESTAMP → X-12345-TIMESTAMP
    start = threading.Barrier(PUSHES)
    results = []

    def push():
        start.wait()
        results.append(_post(f"{url}/interop/12345/orders", raw, headers))

    threads = [threading.Thread(target=push) for _ in range(PUSHES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    return results


def _one_ticket(results) -> str:
    assert len(results) == PUSHES
    assert {status for status, _ in results} == {200}, results
    numbers = {body["ticket"] for _, body in results}
    assert len(numbers) == 1
    assert sum(body["created"] for _, body in results) == 1
    return numbers.pop()


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_duplicate_pushes_make_one_ticket(live_server, h12345):
    if connection.vendor == "sqlite":
        pytest.skip("pytest-django's SQLite test database is a shared-cache in-memory database: the live server's "
                    "threads then fail with 'database table is locked' instead of waiting for each other; "
                    "SQLite is covered by the file-database test below")
    make_gateway(build_world())
    number = _one_ticket(_race(live_server.url, "SZ-CONCURRENT-1"))
    assert Ticket.objects.filter(external_id="SZ-CONCURRENT-1").count() == 1
    assert Ticket.objects.get().number == number
    assert InboundOrder.objects.count() == 1
    assert TimelineEvent.objects.filter(verb="receive").count() == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_duplicate_pushes_make_one_ticket_on_an_sqlite_file(h12345, tmp_path):
    """The laptop set-up: a threaded server process on a SQLite file, as `gridgov demo` runs it."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite file variant; PostgreSQL is covered by the live-server test above")
    make_gateway(build_world())
    db = WorkerDatabase(tmp_path)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db.url, "GRIDGOV_12345_SECRET": SECRET}
    log = tmp_path / "server.log"
    server = subprocess.Popen([sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}", "--threads=10",
                               "gridgov.wsgi:application"], cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, log.read_text()
                time.sleep(0.1)
        number = _one_ticket(_race(f"http://127.0.0.1:{port}", "SZ-CONCURRENT-2"))
    finally:
        server.terminate()
        server.wait(15)
    assert db.query("SELECT number FROM tickets_ticket WHERE external_id = 'SZ-CONCURRENT-2'") == [(number,)]
    assert db.query("SELECT COUNT(*) FROM hotline12345_inboundorder") == [(1,)]
    assert db.query("SELECT COUNT(*) FROM tickets_timelineevent WHERE verb = 'receive'") == [(1,)]
