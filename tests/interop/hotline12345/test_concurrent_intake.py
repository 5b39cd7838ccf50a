"""A push repeated 10 times concurrently against a live server yields one ticket."""

import json
import threading
import urllib.request

import pytest
from django.db import connection

from gridgov.interop.hotline12345.models import InboundOrder
from gridgov.tickets.models import Ticket, TimelineEvent
from tests.conftest import build_world
from tests.interop.hotline12345.conftest import make_gateway, order_json, signed

PUSHES = 10


def _post(url: str, raw: bytes, headers: dict) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=raw, method="POST", headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_duplicate_pushes_make_one_ticket(live_server, h12345):
    if connection.vendor == "sqlite":
        pytest.skip("pytest-django's SQLite test database is a shared-cache in-memory database: the live server's "
                    "threads then fail with 'database table is locked' instead of waiting for each other, so "
                    "they cannot race as real connections do; this test runs on PostgreSQL")
    make_gateway(build_world())
    raw, meta = signed(order_json("SZ-CONCURRENT-1"))
    headers = {k[5:].replace("_", "-"): v for k, v in meta.items()}  # HTTP_X_12345_TIMESTAMP → X-12345-TIMESTAMP
    start = threading.Barrier(PUSHES)
    results = []

    def push():
        start.wait()  # release all ten at once, so they really race
        results.append(_post(f"{live_server.url}/interop/12345/orders", raw, headers))

    threads = [threading.Thread(target=push) for _ in range(PUSHES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert len(results) == PUSHES
    assert {status for status, _ in results} == {200}, results
    numbers = {body["ticket"] for _, body in results}
    assert len(numbers) == 1
    assert sum(body["created"] for _, body in results) == 1
    assert Ticket.objects.filter(external_id="SZ-CONCURRENT-1").count() == 1
    assert Ticket.objects.get().number in numbers
    assert InboundOrder.objects.count() == 1
    assert TimelineEvent.objects.filter(verb="receive").count() == 1
