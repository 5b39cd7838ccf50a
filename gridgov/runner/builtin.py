"""Small adapters that turn other apps' batch functions into runner jobs."""

from gridgov.interop.hotline12345 import config, outbox


def push_12345() -> dict:
    """Collect new status events into the 12345 outbox and send one batch (the outbox's own lease keeps it exactly-once)."""
    cfg = config.load()
    collected = outbox.collect(cfg)
    counts = outbox.push_batch(cfg, outbox.worker_name())
    return {"collected": collected, **counts}
