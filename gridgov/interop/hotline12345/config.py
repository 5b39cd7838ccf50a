"""The adapter's settings, read from Django settings first and the environment second, on every call."""

import os
from dataclasses import dataclass

from django.conf import settings

from gridgov.core.errors import DomainError

CHANNEL = "h12345"


class NotConfigured(DomainError):
    """The adapter lacks a secret, an endpoint or its system account."""

    status = 503

    def __init__(self, message: str):
        super().__init__("not_configured", message)


@dataclass(frozen=True)
class Config:
    """Everything the intake, the outbox worker and the pull client need to know."""

    secret: str
    push_url: str
    pull_url: str
    username: str
    timeout: float
    tolerance: int
    lease: float
    batch: int
    max_attempts: int
    backoff_base: float
    backoff_cap: float
    grace: float


def _get(name: str, default: str = "") -> str:
    value = getattr(settings, name, None)
    return str(value) if value not in (None, "") else os.environ.get(name, default)


def load() -> Config:
    """Return the current configuration (tests and deployments change env or settings without a restart)."""
    return Config(
        secret=_get("GRIDGOV_12345_SECRET"),
        push_url=_get("GRIDGOV_12345_URL"),
        pull_url=_get("GRIDGOV_12345_PULL_URL"),
        username=_get("GRIDGOV_12345_USER", "hotline12345"),
        timeout=float(_get("GRIDGOV_12345_TIMEOUT", "10")),
        tolerance=int(_get("GRIDGOV_12345_TOLERANCE", "300")),
        lease=float(_get("GRIDGOV_12345_LEASE", "120")),
        batch=int(_get("GRIDGOV_12345_BATCH", "20")),
        max_attempts=int(_get("GRIDGOV_12345_MAX_ATTEMPTS", "12")),
        backoff_base=float(_get("GRIDGOV_12345_BACKOFF", "30")),
        backoff_cap=float(_get("GRIDGOV_12345_BACKOFF_CAP", "3600")),
        grace=float(_get("GRIDGOV_12345_COLLECT_GRACE", "300")),
    )


def require_secret(cfg: Config) -> str:
    """Return the shared secret or refuse: an unsigned exchange with the city is never acceptable."""
    if not cfg.secret:
        raise NotConfigured("未配置12345对接密钥（GRIDGOV_12345_SECRET）")
    return cfg.secret
