"""The outbox: status events become messages exactly once; the worker retries with backoff and sends once."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from gridgov.interop.hotline12345 import config, outbox
from gridgov.interop.hotline12345.models import OutboxMessage, SyncCursor
from gridgov.interop.hotline12345.wire import parse_event
from gridgov.interop.hotline12345 import transport
from gridgov.tickets.actions import do_merge, do_receive, do_reject, do_unmerge
from gridgov.tickets.models import TimelineEvent
from tests import factories as f
from tests.conftest import freeze_clock
from tests.interop.hotline12345.helpers import city_ticket, handled_to_close, returned

S = OutboxMessage.State


def _events(ticket):
    return list(OutboxMessage.objects.filter(ticket=ticket).order_by("pk").values_list("event", flat=True))


@pytest.fixture
def city(gateway, fake_city, settings):
    """The world, the adapter, and a fake city the outbox sends to."""
    settings.GRIDGOV_12345_URL = fake_city.url
    return fake_city


def test_status_changes_of_city_tickets_become_messages_exactly_once(gateway):
    t = handled_to_close(gateway)
    r = returned(gateway)
    assert outbox.collect() == 5
    # The support unit's 签收 and the centre's 派单 are not the city's business.
    assert _events(t) == ["sign", "request_extension", "report", "close"]
    assert _events(r) == ["return"]
    assert outbox.collect() == 0 and outbox.collect() == 0
    assert OutboxMessage.objects.count() == 5
    msg = OutboxMessage.objects.get(ticket=t, event="request_extension")
    ev = parse_event(msg.payload)
    assert (ev.message_id, ev.order_no, ev.ticket_no) == (str(msg.message_id), "SZ1", t.number)
    assert (ev.unit, ev.opinion, ev.extension_amount, ev.extension_unit) == ("望月湖街道办事处", "需协调物业", "2", "work_days")


def test_an_event_can_never_have_two_messages(gateway):
    handled_to_close(gateway)
    outbox.collect()
    msg = OutboxMessage.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxMessage.objects.create(ticket=msg.ticket, source_event=msg.source_event, event=msg.event, payload={},
                                     next_attempt_at=msg.next_attempt_at, created_at=msg.created_at)


def test_other_channels_and_tickets_without_city_number_are_not_sent(gateway):
    f.ChannelFactory(code="other-test", name="其他渠道", prefix="QT9")
    for channel, ext in (("other-test", "SZ9"), ("h12345", None)):
        t = do_receive(gateway.operator, channel=channel, category=gateway.cat_noise.code, title="t", description="d",
                       lon=0.5, lat=0.5, external_id=ext)
        do_reject(gateway.dispatcher, t.pk, reason="重复诉求")
    assert outbox.collect() == 0


def test_reject_of_a_city_ticket_is_sent_back(gateway):
    t = city_ticket("SZ7")
    do_reject(gateway.dispatcher, t.pk, reason="不属于本区")
    outbox.collect()
    assert _events(t) == ["reject"]


def test_the_cursor_waits_out_slow_transactions_before_moving(gateway, h12345, monkeypatch):
    clock = freeze_clock(monkeypatch)
    handled_to_close(gateway)
    outbox.collect()
    high = TimelineEvent.objects.latest("pk").pk
    cursor = SyncCursor.objects.get(name=outbox.COLLECT_CURSOR)
    assert (cursor.value, cursor.pending_value) == ("", str(high))
    # An event that was not yet visible at the first scan (its transaction committed late) is still found.
    late = OutboxMessage.objects.get(event="sign")
    late_event = late.source_event_id
    late.delete()
    clock.advance(seconds=299)
    assert outbox.collect() == 1
    assert OutboxMessage.objects.filter(source_event_id=late_event).count() == 1
    assert SyncCursor.objects.get(name=outbox.COLLECT_CURSOR).value == ""
    clock.advance(seconds=2)
    outbox.collect()
    assert SyncCursor.objects.get(name=outbox.COLLECT_CURSOR).value == str(high)


def test_start_from_now_skips_history(gateway):
    handled_to_close(gateway)
    outbox.start_from_now()
    assert outbox.collect() == 0
    r = returned(gateway)
    assert outbox.collect() == 1 and _events(r) == ["return"]


def test_backoff_doubles_is_capped_and_jittered():
    cfg = config.load()
    cfg = type(cfg)(**{**cfg.__dict__, "backoff_base": 10.0, "backoff_cap": 60.0})
    assert [outbox.backoff(n, cfg, rand=lambda: 0.0) for n in (1, 2, 3, 4, 5)] == [5, 10, 20, 30, 30]
    assert [outbox.backoff(n, cfg, rand=lambda: 1.0) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 60, 60]


def _push():
    return outbox.drain(config.load(), "test-worker")


def test_failing_twice_then_succeeding_is_retried_with_backoff_and_sent_once(gateway, city, monkeypatch):
    clock = freeze_clock(monkeypatch)
    city.fail_first = 2
    returned(gateway)
    outbox.collect()
    msg = OutboxMessage.objects.get()
    waits = []
    for attempt in (1, 2):
        assert _push() == {S.FAILED: 1}
        msg.refresh_from_db()
        assert (msg.state, msg.attempts, msg.claimed_until) == (S.FAILED, attempt, None)
        assert "HTTP 500" in msg.last_error
        waits.append((msg.next_attempt_at - clock.at).total_seconds())
        # Not due yet: nothing is sent before the backoff has passed.
        assert _push() == {} and len(city.requests) == attempt
        clock.at = msg.next_attempt_at
    # Base 10 s with equal jitter: the first wait is 5–10 s, the second 10–20 s.
    assert 5 <= waits[0] <= 10 and 10 <= waits[1] <= 20
    assert _push() == {S.SENT: 1}
    msg.refresh_from_db()
    assert (msg.state, msg.attempts, msg.sent_at, msg.last_error) == (S.SENT, 3, clock.at, "")
    clock.advance(days=1)
    assert _push() == {}
    assert city.keys() == [str(msg.message_id)] * 3
    # Two refused attempts and one delivery: the raw record, not the city's de-duplicated view.
    assert city.deliveries == [str(msg.message_id)] and city.duplicates() == 0
    assert city.accepted == {str(msg.message_id): 1} and city.bad_signatures == 0
    assert city.requests[-1]["body"] == msg.payload


def test_a_refused_message_is_dead_at_once_and_can_be_requeued(gateway, city):
    city.fail_first, city.fail_status = 1, 422
    returned(gateway)
    outbox.collect()
    assert _push() == {S.DEAD: 1}
    call_command("hotline12345", "requeue")
    assert _push() == {S.SENT: 1}
    assert OutboxMessage.objects.get().state == S.SENT


def test_too_many_failures_give_up(gateway, city, settings, monkeypatch):
    clock = freeze_clock(monkeypatch)
    settings.GRIDGOV_12345_MAX_ATTEMPTS = "3"
    city.fail_first = 99
    returned(gateway)
    outbox.collect()
    for _ in range(3):
        _push()
        clock.advance(hours=1)
    msg = OutboxMessage.objects.get()
    assert (msg.state, msg.attempts) == (S.DEAD, 3)
    assert _push() == {} and len(city.requests) == 3


def test_a_tickets_messages_go_in_order_and_a_failure_holds_only_that_ticket(gateway, city, monkeypatch):
    clock = freeze_clock(monkeypatch)
    city.fail_first = 1
    t = handled_to_close(gateway, "SZ1")
    r = returned(gateway, "SZ2")
    outbox.collect()
    # SZ1's 签收 fails: its later events wait; SZ2's 回退 goes.
    assert _push() == {S.FAILED: 1, S.SENT: 1}
    assert [m.state for m in OutboxMessage.objects.filter(ticket=t).order_by("pk")] == [S.FAILED, S.PENDING, S.PENDING, S.PENDING]
    clock.advance(minutes=5)
    assert _push() == {S.SENT: 4}
    sent = [parse_event(r["body"]).event for r in city.requests if r["body"]["orderNo"] == "SZ1"]
    assert sent == ["sign", "sign", "request_extension", "report", "close"]
    assert OutboxMessage.objects.filter(ticket=r, state=S.SENT).count() == 1


def test_an_unreachable_city_is_a_retryable_failure(gateway, h12345, settings):
    settings.GRIDGOV_12345_URL = "http://127.0.0.1:9/unreachable"
    returned(gateway)
    outbox.collect()
    assert _push() == {S.FAILED: 1}
    assert OutboxMessage.objects.get().last_error


def test_push_command_collects_and_sends(gateway, city):
    handled_to_close(gateway)
    call_command("hotline12345", "push")
    assert OutboxMessage.objects.filter(state=S.SENT).count() == 4
    assert len(city.accepted) == 4 and len(city.deliveries) == 4 and city.duplicates() == 0


def test_a_merged_city_order_is_reported_closed_naming_its_parent(gateway, city):
    parent = city_ticket("SZ-PARENT")
    child = city_ticket("SZ-CHILD")
    do_merge(gateway.dispatcher, child.pk, parent_id=parent.pk, note="同一工地，市民张三 13800000000 再次来电")
    assert outbox.collect() == 1
    assert _events(child) == ["merge"] and _events(parent) == []
    assert _push() == {S.SENT: 1}
    body = city.requests[-1]["body"]
    assert (body["orderNo"], body["ticketNo"], body["event"], body["eventName"]) == ("SZ-CHILD", child.number, "CLOSE", "办结")
    assert body["opinion"] == f"已并入工单 {parent.number}，由该工单统一办理"
    # The merge note is internal free text: none of it (here a name and a phone number) reaches the city.
    assert "张三" not in str(body) and "13800000000" not in str(body)


def test_a_merged_ticket_of_another_channel_is_not_reported(gateway, city):
    f.ChannelFactory(code="other-test", name="其他渠道", prefix="QT9")
    parent = city_ticket("SZ-PARENT")
    other = do_receive(gateway.operator, channel="other-test", category=gateway.cat_noise.code, title="t", description="d",
                       lon=0.5, lat=0.5, external_id="X1")
    do_merge(gateway.dispatcher, other.pk, parent_id=parent.pk)
    do_unmerge(gateway.dispatcher, other.pk)
    assert outbox.collect() == 0


def _cfg(**over):
    cfg = config.load()
    return type(cfg)(**{**cfg.__dict__, **over})


def test_push_refuses_a_lease_that_a_send_can_outlast(gateway, city):
    returned(gateway)
    outbox.collect()
    with pytest.raises(config.NotConfigured, match="GRIDGOV_12345_LEASE"):
        outbox.push_batch(_cfg(lease=5.0, timeout=5.0), "w")
    assert city.requests == [] and OutboxMessage.objects.get().claimed_by == ""


def test_a_lease_lapsing_mid_batch_never_sends_a_message_twice(gateway, city, monkeypatch):
    """Worker A claims five messages; the city answers slowly, so A's claim-time lease runs out after the
    third send and worker B claims what is still due. Neither may send what the other holds or has sent."""
    clock = freeze_clock(monkeypatch)
    cfg = _cfg(lease=60.0, timeout=30.0, batch=5)
    tickets = [returned(gateway, f"SZ-LEASE-{i}") for i in range(5)]
    assert outbox.collect() == 5
    start, real_request, b_counts = clock.at, transport.request, {}

    def slow_city(*args, **kw):
        reply = real_request(*args, **kw)
        clock.advance(seconds=25)  # each answer takes 25 s of the 30 s timeout
        if not b_counts and clock.at > start + timedelta(seconds=cfg.lease):
            # A is still inside its batch; B, a second worker, runs its own batch now.
            b_counts.update(outbox.push_batch(cfg, "worker-B") or {"none": 0})
        return reply

    monkeypatch.setattr(transport, "request", slow_city)
    a_counts = outbox.push_batch(cfg, "worker-A")
    assert b_counts, "the second worker never ran: the scenario did not happen"
    # Whatever neither worker got to is simply due for the next batch.
    outbox.drain(cfg, "worker-C")
    assert OutboxMessage.objects.filter(state=S.SENT).count() == 5
    assert city.duplicates() == 0, (a_counts, b_counts, city.deliveries)
    assert sorted(city.deliveries) == sorted(str(m) for m in OutboxMessage.objects.values_list("message_id", flat=True))
    assert {t.external_id for t in tickets} == {r["body"]["orderNo"] for r in city.requests}


def test_a_claim_never_takes_rows_another_worker_claimed_after_they_were_selected(gateway, monkeypatch):
    """Without SKIP LOCKED (SQLite) two workers can select the same due rows; only one may end up holding them."""
    handled_to_close(gateway, "SZ1")
    returned(gateway, "SZ2")
    outbox.collect()
    cfg = _cfg(batch=5)
    real_select, other = outbox._select_due, {}

    def select_then_race(cfg, now):
        ids = real_select(cfg, now)
        if "rows" not in other:
            # Between A's SELECT and A's UPDATE, worker B claims the same rows.
            other["rows"] = None
            other["rows"] = outbox.claim(cfg, "worker-B")
        return ids

    monkeypatch.setattr(outbox, "_select_due", select_then_race)
    mine = outbox.claim(cfg, "worker-A")
    theirs = other["rows"]
    assert len(theirs) == 2 and mine == []
    assert set(OutboxMessage.objects.exclude(claimed_by="").values_list("claimed_by", flat=True)) == {"worker-B"}
