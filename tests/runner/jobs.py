"""Job functions the runner tests queue (importable by a worker subprocess, too)."""

import time
from pathlib import Path

CALLS: list = []


def record(**kwargs):
    CALLS.append(kwargs)
    return {"seen": kwargs}


def flaky(failures: int = 1, key: str = "flaky"):
    """Fail the first `failures` calls, then succeed."""
    CALLS.append(key)
    if CALLS.count(key) <= failures:
        raise RuntimeError(f"transient failure {CALLS.count(key)}")
    return "ok"


def slow_first_time(marker: str, done: str):
    """The first run announces itself and hangs (to be killed); a later run finishes."""
    m = Path(marker)
    if not m.exists():
        m.write_text("started")
        time.sleep(120)
    Path(done).write_text("done")
    return "finished"


def nap(seconds: float):
    """Take a while: longer than the claim's lease."""
    time.sleep(seconds)
    return "rested"
