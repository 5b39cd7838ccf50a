"""Pull mode: poll the city for orders since a remembered cursor and feed them through the same intake."""

import json
from dataclasses import dataclass
from urllib.parse import urlencode

from gridgov.core import clock
from gridgov.core.errors import DomainError
from gridgov.interop.hotline12345 import config, transport, wire
from gridgov.interop.hotline12345.intake import receive_order
from gridgov.interop.hotline12345.models import InboundOrder, RejectedOrder, SyncCursor

PULL_CURSOR = "pull"


class PullError(Exception):
    """The city did not answer a poll usefully; the cursor stays where it was."""


@dataclass
class PullResult:
    """What one pull run did."""

    fetched: int = 0
    created: int = 0
    duplicates: int = 0
    rejected: int = 0
    cursor: str = ""


def pull(cfg: config.Config | None = None, *, limit: int = 100, max_pages: int = 1000) -> PullResult:
    """Fetch pages of new orders until the city has no more; the cursor moves only after a page is fully taken in."""
    cfg = cfg or config.load()
    if not cfg.pull_url:
        raise config.NotConfigured("未配置市平台拉取地址（GRIDGOV_12345_PULL_URL）")
    secret = config.require_secret(cfg)
    cursor, _ = SyncCursor.objects.get_or_create(name=PULL_CURSOR)
    result = PullResult(cursor=cursor.value)
    for _page in range(max_pages):
        query = urlencode({"since": cursor.value, "limit": limit})
        sep = "&" if "?" in cfg.pull_url else "?"
        reply = transport.request("GET", f"{cfg.pull_url}{sep}{query}", secret=secret, signed=query.encode(), timeout=cfg.timeout)
        if not reply.ok:
            raise PullError(f"市平台拉取失败：{reply.error or reply.status}")
        try:
            orders, next_cursor, more = wire.parse_pull_page(json.loads(reply.body))
        except (ValueError, wire.WireError) as exc:
            raise PullError(f"市平台拉取结果无法解析：{exc}") from None
        for raw in orders:
            result.fetched += 1
            _take(raw, cfg, result)
        # Intake is idempotent, so a crash before this line only means the page is read again.
        if next_cursor and next_cursor != cursor.value:
            cursor.value = next_cursor
            cursor.save(update_fields=["value", "updated_at"])
            result.cursor = next_cursor
        if not more or not orders or not next_cursor:
            break
    return result


def _take(raw, cfg: config.Config, result: PullResult) -> None:
    try:
        _ticket, created = receive_order(wire.parse_order(raw), source=InboundOrder.Source.PULL, cfg=cfg)
    except wire.WireError as exc:
        _reject(raw, "invalid_order", exc.message)
        result.rejected += 1
    except config.NotConfigured:
        raise
    except DomainError as exc:
        _reject(raw, exc.code, exc.message)
        result.rejected += 1
    else:
        if created:
            result.created += 1
        else:
            result.duplicates += 1


def _reject(raw, code: str, message: str) -> None:
    # Nobody is on the line to hear a refusal in pull mode: keep it where staff will see it.
    # NUL characters are why some orders are refused, and PostgreSQL stores none: keep the body without them.
    raw = wire.strip_nul(raw)
    order_no = str(raw.get(wire.FIELDS["order_no"], "")) if isinstance(raw, dict) else ""
    RejectedOrder.objects.create(external_id=order_no[:64], payload=raw if isinstance(raw, dict) else {"value": raw},
                                 code=code, message=wire.strip_nul(message)[:300], at=clock.now())
