"""Status changes back to the city: collected from the timeline, claimed under a lease, sent at least once, marked sent once.

Why the timeline and not a signal: a TimelineEvent commits in the same transaction as the
change it records, so a process that dies after the commit loses nothing — the next `collect`
finds the row. Each event yields at most one message (unique source_event); the city
de-duplicates the one remaining window (sent, then killed before marking) by the
Idempotency-Key header, which is the message id.
"""

import logging
import os
import random
import socket
import uuid
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q

from gridgov.core import clock
from gridgov.interop.hotline12345 import config, transport, wire
from gridgov.interop.hotline12345.models import OutboxMessage, SyncCursor
from gridgov.tickets.models import Assignment, TimelineEvent

log = logging.getLogger(__name__)

COLLECT_CURSOR = "collect"
CHUNK = 1000
# The city refuses these for good (malformed or unknown order); retrying cannot help, so staff must look.
PERMANENT = frozenset({400, 404, 410, 422})
RETRYABLE = (OutboxMessage.State.PENDING, OutboxMessage.State.FAILED)


def worker_name() -> str:
    """Return a name unique to this process, recorded on the rows it claims."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def status_event(event: TimelineEvent, message_id: str) -> wire.StatusEvent:
    """Describe a timeline event in the wire format's terms."""
    data = event.data or {}
    opinion = event.note or ""
    if event.verb == "merge":
        # A merged order is finished as part of its parent. Only the parent's number goes out: the merge note
        # is free text written for colleagues and may quote the citizen.
        opinion = f"已并入工单 {data.get('parent', '')}，由该工单统一办理"
    return wire.StatusEvent(
        message_id=message_id, order_no=event.ticket.external_id, ticket_no=event.ticket.number, event=event.verb,
        at=event.at, unit=event.assignment.unit.name if event.assignment_id else "", opinion=opinion,
        extension_amount=str(data.get("amount", "")), extension_unit=str(data.get("limit_unit", "")),
    )


def _candidates(after: int):
    """Timeline events after `after` that the city must hear about and that have no message yet."""
    # Support units' steps are internal: the city deals with the district, whose answer is the lead's.
    lead_or_centre = Q(assignment__isnull=True) | Q(assignment__role=Assignment.Role.LEAD)
    return (TimelineEvent.objects
            .filter(lead_or_centre, pk__gt=after, verb__in=list(wire.EVENT_CODES),
                    ticket__channel_id=config.CHANNEL, ticket__external_id__isnull=False)
            .filter(~Exists(OutboxMessage.objects.filter(source_event=OuterRef("pk"))))
            .select_related("ticket", "assignment__unit").order_by("pk"))


def collect(cfg: config.Config | None = None) -> int:
    """Enqueue one message for every new status event; safe to run twice or concurrently. Returns how many."""
    cfg = cfg or config.load()
    SyncCursor.objects.get_or_create(name=COLLECT_CURSOR)
    created = 0
    with transaction.atomic():
        # One collector at a time; a second waits and then finds nothing new.
        cursor = SyncCursor.objects.select_for_update().get(name=COLLECT_CURSOR)
        now = clock.now()
        # Read the high-water mark first: everything at or below it is scanned now or re-scanned later.
        high = TimelineEvent.objects.aggregate(m=Max("pk"))["m"] or 0
        after = int(cursor.value or 0)
        while True:
            events = list(_candidates(after)[:CHUNK])
            if not events:
                break
            messages = []
            for ev in events:
                mid = uuid.uuid4()
                messages.append(OutboxMessage(
                    message_id=mid, ticket_id=ev.ticket_id, source_event=ev, event=ev.verb, created_at=now,
                    next_attempt_at=now, payload=wire.serialize_event(status_event(ev, str(mid))),
                ))
            OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
            created += len(messages)
            after = events[-1].pk
        # Ids are allocated at insert but become visible at commit, so a slow transaction can commit an id
        # below one already seen. The cursor therefore only advances to a mark at least `grace` seconds old:
        # every transaction that held a lower id has finished by then (re-scanning is harmless).
        if cursor.pending_since is None or now - cursor.pending_since >= timedelta(seconds=cfg.grace):
            if cursor.pending_since is not None:
                cursor.value = cursor.pending_value
            cursor.pending_value, cursor.pending_since = str(high), now
        cursor.save()
    return created


def start_from_now() -> int:
    """Set the collect cursor to the newest event, so turning the adapter on does not replay history."""
    high = TimelineEvent.objects.aggregate(m=Max("pk"))["m"] or 0
    SyncCursor.objects.update_or_create(name=COLLECT_CURSOR, defaults={"value": str(high), "pending_value": "", "pending_since": None})
    return high


def backoff(attempt: int, cfg: config.Config, rand=random.random) -> float:
    """Seconds to wait after the `attempt`-th failure: doubling, capped, with jitter so workers do not retry in step."""
    delay = min(cfg.backoff_cap, cfg.backoff_base * 2 ** (attempt - 1))
    return delay / 2 + rand() * delay / 2


def _due(now) -> Q:
    """Rows a worker may take now: retryable, due, and not under anyone's live lease."""
    return (Q(state__in=RETRYABLE, next_attempt_at__lte=now)
            & (Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)))


def _select_due(cfg: config.Config, now) -> list[int]:
    """Ids of up to a batch of due messages, oldest first and one per ticket at a time."""
    # A ticket's events reach the city in order: nothing is sent while an earlier one waits or retries.
    earlier = OutboxMessage.objects.filter(ticket_id=OuterRef("ticket_id"), pk__lt=OuterRef("pk"), state__in=RETRYABLE)
    qs = OutboxMessage.objects.filter(_due(now)).filter(~Exists(earlier)).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True)
    return list(qs.values_list("pk", flat=True)[: cfg.batch])


def claim(cfg: config.Config, worker: str) -> list[OutboxMessage]:
    """Lease up to a batch of due messages to this worker; returns only the rows this worker really holds."""
    now = clock.now()
    with transaction.atomic():
        ids = _select_due(cfg, now)
        if not ids:
            return []
        # The UPDATE repeats the due condition: without SKIP LOCKED (SQLite) another worker may have claimed
        # a selected row in between, and then this UPDATE must leave that row alone.
        OutboxMessage.objects.filter(_due(now), pk__in=ids).update(
            claimed_until=now + timedelta(seconds=cfg.lease), claimed_by=worker)
        return list(OutboxMessage.objects.filter(pk__in=ids, claimed_by=worker, state__in=RETRYABLE).order_by("pk"))


def renew(msg: OutboxMessage, cfg: config.Config, worker: str) -> bool:
    """Extend this worker's lease on one message just before sending it; False if the lease is no longer ours.

    A batch is claimed once but sent one message at a time, so the end of a batch can outlive the lease
    taken at claim time. Renewing is guarded: it succeeds only while the lease is still live and ours and the
    message still unsent, so a row that another worker has claimed (or sent) since is skipped, never sent twice.
    """
    now = clock.now()
    return bool(OutboxMessage.objects.filter(pk=msg.pk, claimed_by=worker, state__in=RETRYABLE, claimed_until__gt=now)
                .update(claimed_until=now + timedelta(seconds=cfg.lease)))


def check_lease(cfg: config.Config) -> None:
    """Refuse a lease that a single send may outlast: the renewed lease must cover one whole request."""
    if cfg.lease <= cfg.timeout:
        raise config.NotConfigured(
            f"占用租约（GRIDGOV_12345_LEASE={cfg.lease:g}秒）必须大于发送超时（GRIDGOV_12345_TIMEOUT={cfg.timeout:g}秒），"
            "否则一条消息尚在发送时租约就已过期，其他进程会重复发送")


def deliver(msg: OutboxMessage, cfg: config.Config, worker: str) -> str:
    """Send one claimed message and record the outcome; returns the message's new state."""
    reply = transport.request("POST", cfg.push_url, secret=config.require_secret(cfg), body=wire.encode(msg.payload),
                              headers={wire.IDEMPOTENCY_HEADER: str(msg.message_id)}, timeout=cfg.timeout)
    now = clock.now()
    S = OutboxMessage.State
    if reply.ok:
        # Marked sent and released in one statement; even if our lease lapsed, the city has it now.
        OutboxMessage.objects.filter(pk=msg.pk, state__in=RETRYABLE).update(
            state=S.SENT, sent_at=now, attempts=F("attempts") + 1, claimed_until=None, claimed_by="", last_error="")
        return S.SENT
    tried = msg.attempts + 1
    error = (reply.error or f"HTTP {reply.status}") + (": " + reply.body[:300].decode("utf-8", "replace") if reply.body else "")
    if reply.status in PERMANENT or tried >= cfg.max_attempts:
        state, next_at = S.DEAD, msg.next_attempt_at
    else:
        state, next_at = S.FAILED, now + timedelta(seconds=backoff(tried, cfg))
    # Only the lease holder records a failure: a worker whose lease lapsed must not undo another's success.
    OutboxMessage.objects.filter(pk=msg.pk, claimed_by=worker, state__in=RETRYABLE).update(
        state=state, attempts=F("attempts") + 1, next_attempt_at=next_at, claimed_until=None, claimed_by="", last_error=error)
    log.warning("12345回传失败 %s（第%d次）：%s", msg.message_id, tried, error)
    return state


def push_batch(cfg: config.Config, worker: str, stop=lambda: False) -> dict[str, int]:
    """Claim one batch and send it; returns counts by resulting state."""
    if not cfg.push_url:
        raise config.NotConfigured("未配置市平台回传地址（GRIDGOV_12345_URL）")
    config.require_secret(cfg)
    check_lease(cfg)
    counts: dict[str, int] = {}
    for msg in claim(cfg, worker):
        if stop():
            # Unsent claims are released so a restart need not wait for the lease.
            OutboxMessage.objects.filter(pk=msg.pk, claimed_by=worker, state__in=RETRYABLE).update(claimed_until=None, claimed_by="")
            continue
        if not renew(msg, cfg, worker):
            # Our lease lapsed while earlier messages of the batch were sent: another worker may hold it now.
            log.info("12345回传消息 %s 的占用已过期，跳过（由其他进程或下一批发送）", msg.message_id)
            continue
        state = deliver(msg, cfg, worker)
        counts[state] = counts.get(state, 0) + 1
    return counts


def drain(cfg: config.Config, worker: str, *, once: bool = False, stop=lambda: False) -> dict[str, int]:
    """Send batches until nothing is due (or one batch with `once`); returns counts by resulting state."""
    total: dict[str, int] = {}
    while not stop():
        counts = push_batch(cfg, worker, stop)
        for k, v in counts.items():
            total[k] = total.get(k, 0) + v
        if once or not counts:
            break
    return total
