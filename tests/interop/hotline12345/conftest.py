"""Fixtures for the 12345 adapter: its settings, system account, category mapping, signed posts and a fake city."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from gridgov.core import clock
from gridgov.interop.hotline12345 import wire
from gridgov.interop.hotline12345.intake import grant_intake
from gridgov.interop.hotline12345.models import CategoryMapping
from tests import factories as f

SECRET = "test-secret-12345"


@pytest.fixture
def h12345(settings):
    """Adapter settings for tests: a secret, fast retries and a short lease."""
    settings.GRIDGOV_12345_SECRET = SECRET
    settings.GRIDGOV_12345_BACKOFF = "10"
    settings.GRIDGOV_12345_BACKOFF_CAP = "600"
    settings.GRIDGOV_12345_LEASE = "60"
    settings.GRIDGOV_12345_TIMEOUT = "5"
    settings.GRIDGOV_12345_MAX_ATTEMPTS = "5"
    return settings


def make_gateway(world):
    """Create the adapter's system account (话务员 over the district) and the category mapping."""
    user = f.UserFactory(username="hotline12345")
    grant_intake(user, world.district)
    CategoryMapping.objects.create(city_code="A0101", city_name="噪音", category=world.cat_noise)
    CategoryMapping.objects.create(city_code="B0201", city_name="欠薪", category=world.cat_wages)
    CategoryMapping.objects.create(city_code=CategoryMapping.FALLBACK, city_name="兜底", category=world.cat_road)
    return user


@pytest.fixture
def gateway(world, h12345):
    """The world plus the adapter's account and mapping."""
    make_gateway(world)
    return world


def order_json(order_no="SZ20260302000123", **over) -> dict:
    """A city work order as the city sends it."""
    body = {
        "orderNo": order_no, "categoryCode": "A0101", "categoryName": "噪音扰民", "title": "夜间施工噪音",
        "content": "金茂小区旁工地夜间施工，噪音扰民。", "address": "望月湖街道金茂社区", "lon": 0.5, "lat": 0.5,
        "citizenName": "张三", "citizenPhone": "138 0000 0000", "urgency": "一般",
        "deadline": "2026-03-09T18:00:00+08:00", "acceptedAt": "2026-03-02T09:55:00+08:00",
    }
    body.update(over)
    return {k: v for k, v in body.items() if v is not None}


def signed(body: dict | bytes, *, secret=SECRET, at=None) -> tuple[bytes, dict]:
    """Return (raw body, headers) signed as the city would at `at` (default: now on the platform's clock)."""
    raw = body if isinstance(body, bytes) else wire.encode(body)
    at = clock.now().timestamp() if at is None else at
    headers = wire.sign_headers(secret, raw, at)
    return raw, {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}


def post_order(client, body, **kw):
    """POST an order to the intake endpoint, signed."""
    raw, headers = signed(body, **kw)
    return client.post("/interop/12345/orders", data=raw, content_type="application/json", **headers)


@dataclass
class FakeCity:
    """A fake city platform: verifies signatures, records every call, de-duplicates by Idempotency-Key.

    `accepted` is what a well-behaved city keeps (each key once), so it cannot show a double send;
    `deliveries` is the raw record — the key of every request answered 2xx, repeats included — and
    `duplicates()` counts the deliveries beyond the first of each key.
    """

    fail_first: int = 0
    fail_status: int = 500
    delay: float = 0.0
    pages: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    accepted: dict = field(default_factory=dict)
    deliveries: list = field(default_factory=list)
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def keys(self) -> list[str]:
        return [r["key"] for r in self.requests if r["method"] == "POST"]

    def duplicates(self) -> int:
        """How many successful deliveries repeated a key already delivered."""
        with self.lock:
            keys = list(self.deliveries)
        return len(keys) - len(set(keys))


def _handler(city: FakeCity):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _verify(self, signed_part: bytes) -> bool:
            try:
                wire.verify(SECRET, self.headers.get(wire.TIMESTAMP_HEADER), self.headers.get(wire.SIGNATURE_HEADER),
                            signed_part, time.time())
            except wire.SignatureError:
                with city.lock:
                    city.bad_signatures += 1
                self._send(401, {"error": "bad signature"})
                return False
            return True

        def _send(self, status, body):
            raw = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if not self._verify(raw):
                return
            key = self.headers.get(wire.IDEMPOTENCY_HEADER)
            with city.lock:
                city.requests.append({"method": "POST", "key": key, "body": json.loads(raw)})
                failing = len(city.requests) <= city.fail_first
            if city.delay:
                time.sleep(city.delay)
            if failing:
                self._send(city.fail_status, {"error": "try later"})
                return
            with city.lock:
                city.deliveries.append(key)
                duplicate = key in city.accepted
                city.accepted[key] = city.accepted.get(key, 0) + (0 if duplicate else 1)
            self._send(200, {"ok": True, "duplicate": duplicate})

        def do_GET(self):
            query = urlsplit(self.path).query
            if not self._verify(query.encode()):
                return
            since = parse_qs(query).get("since", [""])[0]
            with city.lock:
                city.requests.append({"method": "GET", "key": None, "since": since})
            index = int(since or 0)
            if index >= len(city.pages):
                self._send(200, {"orders": [], "cursor": since, "hasMore": False})
                return
            self._send(200, {"orders": city.pages[index], "cursor": str(index + 1), "hasMore": index + 1 < len(city.pages)})

    return Handler


@pytest.fixture
def fake_city():
    """Run a FakeCity on a free local port for the test."""
    city = FakeCity()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(city))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    city.url = f"http://127.0.0.1:{server.server_address[1]}/status"
    yield city
    server.shutdown()
    server.server_close()
