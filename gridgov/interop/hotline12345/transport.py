"""Signed HTTP requests to the city platform (standard library only: government intranets have no package mirror)."""

import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from gridgov.interop.hotline12345 import wire


@dataclass(frozen=True)
class Reply:
    """The city's answer: status 0 means no answer at all (network error or timeout)."""

    status: int
    body: bytes
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def request(method: str, url: str, *, secret: str, body: bytes = b"", signed: bytes | None = None,
            headers: dict | None = None, timeout: float = 10) -> Reply:
    """Send one signed request; `signed` is what the signature covers when it is not the body (GET: the query)."""
    all_headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json", **(headers or {})}
    all_headers.update(wire.sign_headers(secret, body if signed is None else signed, time.time()))
    req = urllib.request.Request(url, data=body if method != "GET" else None, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - the URL is the operator's setting
            return Reply(resp.status, resp.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.read() or b"", f"HTTP {exc.code}")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return Reply(0, b"", f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}")
