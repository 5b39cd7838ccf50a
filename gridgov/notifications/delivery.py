"""Outbound delivery: queue a notification for the user's channels, then send due rows with retries and backoff.

The outbound text is built only from the ticket number, category, unit, deadline and the kind, never from the
title or body the caller wrote nor from the ticket's own text, so no citizen's data leaves the platform.
"""

import logging
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q

from gridgov.core import clock
from gridgov.notifications.backends import SendError, configured, setting
from gridgov.notifications.models import KINDS, Delivery, Notification, Preference

log = logging.getLogger("gridgov.notifications")
LOCAL = ZoneInfo("Asia/Shanghai")
LEASE = timedelta(minutes=5)  # a claim older than this belongs to a killed sender; its rows are due again


def outbound_text(kind: str, ticket=None) -> str:
    """The one message every channel sends: kind, ticket number, category, unit and deadline."""
    text = f"【gridgov】{KINDS.get(kind, kind)}"
    if ticket is not None:
        from gridgov.tickets.models import Assignment, Ticket

        # Read afresh: the caller's object may predate the dispatch that set the deadline.
        ticket = Ticket.objects.select_related("category").only(
            "number", "dispatch_round", "handle_deadline", "category__name").get(pk=ticket.pk)
        lead = (Assignment.objects.filter(ticket_id=ticket.pk, round=ticket.dispatch_round, role=Assignment.Role.LEAD)
                .select_related("unit").first())
        facts = [f"工单{ticket.number}", f"分类：{ticket.category.name}"]
        if lead:
            facts.append(f"承办单位：{lead.unit.name}")
        if ticket.handle_deadline:
            facts.append(f"办理时限：{ticket.handle_deadline.astimezone(LOCAL):%Y-%m-%d %H:%M}")
        text += "：" + "，".join(facts)
    return text + "。请登录平台查看。"


def quiet_until(at: datetime, pref: Preference | None) -> datetime | None:
    """The end of the quiet hours `at` falls in (Beijing time), or None when it is not in them."""
    if pref is None or pref.quiet_start is None or pref.quiet_end is None or pref.quiet_start == pref.quiet_end:
        return None
    local = at.astimezone(LOCAL)
    t, start, end = local.time(), pref.quiet_start, pref.quiet_end
    inside = start <= t < end if start < end else (t >= start or t < end)  # a window may span midnight
    if not inside:
        return None
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=LOCAL)


def _schedule(at: datetime, pref: Preference | None, urgent: bool) -> datetime:
    """When a send due at `at` may go: urgent ones at once, others after the user's quiet hours."""
    return at if urgent else (quiet_until(at, pref) or at)


def wanted_backends(pref: Preference | None, kind: str, available) -> list[str]:
    """The configured backends the user's preference enables for this kind."""
    if pref is None:
        return list(available)
    if pref.kinds and kind not in pref.kinds:
        return []
    return [code for code in available if code in (pref.backends or [])]


def enqueue(notifications: list[Notification], now: datetime) -> list[Delivery]:
    """Create the pending deliveries of freshly created notifications (inside the caller's transaction)."""
    if not notifications:
        return []
    # Events recorded long after they happened (imports, the demo's simulated year) stay in-app only.
    max_age = timedelta(seconds=float(setting("GRIDGOV_NOTIFY_MAX_AGE_SECONDS", 24 * 3600)))
    notifications = [n for n in notifications if n.created_at >= clock.now() - max_age]
    if not notifications:
        return []
    available = configured()
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=[n.user_id for n in notifications])}
    texts: dict = {}
    rows = []
    for n in notifications:
        pref = prefs.get(n.user_id)
        for code in wanted_backends(pref, n.kind, available):
            if not available[code].reaches(n.user):
                continue
            key = (n.kind, n.ticket_id)
            if key not in texts:
                texts[key] = outbound_text(n.kind, n.ticket)
            rows.append(Delivery(notification=n, backend=code, text=texts[key], created_at=now,
                                 next_attempt_at=_schedule(now, pref, n.urgent)))
    return Delivery.objects.bulk_create(rows)


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: base × 2^(n-1), capped."""
    base = float(setting("GRIDGOV_NOTIFY_RETRY_BASE_SECONDS", 60))
    cap = float(setting("GRIDGOV_NOTIFY_RETRY_MAX_SECONDS", 6 * 3600))
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _claim(now: datetime, limit: int) -> tuple[str, list[int]]:
    """Mark up to `limit` due rows as ours with a fresh token, so a second sender running now skips them."""
    token = uuid.uuid4().hex
    due = (Q(state__in=[Delivery.State.PENDING, Delivery.State.FAILED], next_attempt_at__lte=now)
           & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)))
    with transaction.atomic():
        ids = list(Delivery.objects.select_for_update(skip_locked=True).filter(due)
                   .order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])
        # The filter is repeated so a row another sender claimed in between is not taken twice.
        Delivery.objects.filter(due, pk__in=ids).update(claim=token, claimed_until=now + LEASE)
    return token, list(Delivery.objects.filter(claim=token, pk__in=ids).values_list("id", flat=True))


def _renew(pk: int, token: str) -> bool:
    """Extend our claim on one row just before sending it; False when it lapsed (another sender may own it now)."""
    at = clock.now()
    return bool(Delivery.objects.filter(pk=pk, claim=token, claimed_until__gt=at).update(claimed_until=at + LEASE))


def deliver_pending(now: datetime | None = None, limit: int = 100) -> dict:
    """Send the due deliveries once each; failures are retried later with backoff, then given up. Safe to run twice.

    A batch may take longer than LEASE, so each row's claim is renewed right before its send: a row whose claim
    lapsed meanwhile is skipped (another sender may have re-claimed and sent it), never sent twice.
    """
    now = now or clock.now()
    token, ids = _claim(now, limit)
    available = configured()
    max_attempts = int(setting("GRIDGOV_NOTIFY_MAX_ATTEMPTS", 6))
    counts = {"sent": 0, "failed": 0, "dead": 0}
    rows = Delivery.objects.filter(pk__in=ids, claim=token).select_related("notification__user").order_by("id")
    for d in rows:
        if not _renew(d.pk, token):
            log.info("外发跳过（%s，投递#%d）：占用已过期，留给其他发送进程", d.backend, d.pk)
            continue
        n = d.notification
        attempt = d.attempts + 1
        backend = available.get(d.backend)
        try:
            if backend is None:
                raise SendError(f"渠道“{d.backend}”已不在配置中")
            backend.send(n.user, d.text, urgent=n.urgent)
        except Exception as exc:  # noqa: BLE001 - a broken backend must not stop the others
            error = str(exc)[:500] or type(exc).__name__
            dead = attempt >= max_attempts
            state = Delivery.State.DEAD if dead else Delivery.State.FAILED
            pref = Preference.objects.filter(user_id=n.user_id).first()
            retry_at = None if dead else _schedule(now + backoff(attempt), pref, n.urgent)
            log.warning("外发失败（%s，第%d次，消息#%d）：%s%s", d.backend, attempt, n.pk, error,
                        "，放弃发送" if dead else f"，{retry_at:%Y-%m-%d %H:%M:%S%z} 重试")
            fields = {"state": state, "last_error": error, "next_attempt_at": retry_at}
            counts["dead" if dead else "failed"] += 1
        else:
            log.info("外发成功（%s，第%d次，消息#%d）", d.backend, attempt, n.pk)
            fields = {"state": Delivery.State.SENT, "sent_at": now, "next_attempt_at": None}
            error = ""
            counts["sent"] += 1
        d.history.append({"at": now.isoformat(), "ok": not error, "error": error})
        # Only while our claim holds: a sender whose lease ran out must not overwrite a newer attempt's result.
        Delivery.objects.filter(pk=d.pk, claim=token).update(
            attempts=attempt, history=d.history, claim="", claimed_until=None, **fields)
    return counts

