"""Outbound delivery: queued per preference, retried with backoff, deferred by quiet hours, never carrying citizen data."""

import json
import logging
from datetime import time, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemEmail
from django.core.management import call_command

from gridgov.notifications import backends
from gridgov.notifications.api import notify
from gridgov.notifications.backends import Backend, SendError
from gridgov.notifications.delivery import deliver_pending, outbound_text, quiet_until
from gridgov.notifications.models import Delivery, Preference
from tests.conftest import MONDAY_10AM, freeze_clock
from tests.notifications.helpers import CITIZEN, dispatched

pytestmark = pytest.mark.django_db
T = MONDAY_10AM  # 10:00 Beijing time


class Flaky(Backend):
    """Fails the first `failures` sends, then takes every message."""

    code, label = "flaky", "测试渠道"
    failures = 2
    calls: list = []

    def send(self, user, text, *, urgent=False):
        Flaky.calls.append((user.username, text))
        if len(Flaky.calls) <= Flaky.failures:
            raise SendError(f"网关暂不可用 #{len(Flaky.calls)}")


@pytest.fixture
def flaky(settings, monkeypatch):
    # Through monkeypatch, so a test changing them (even one that fails) leaves the next test the defaults.
    monkeypatch.setattr(Flaky, "failures", 2)
    monkeypatch.setattr(Flaky, "calls", [])
    settings.GRIDGOV_NOTIFY_BACKENDS = ["tests.notifications.test_delivery.Flaky"]
    settings.GRIDGOV_NOTIFY_RETRY_BASE_SECONDS = 60
    return Flaky


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    """The clock at T, so notifications dated around T count as fresh."""
    return freeze_clock(monkeypatch)


def test_old_events_stay_in_app_only(world, frozen):
    notify(world.handler_a, "urged", "历史催办", now=T - timedelta(days=2))
    assert not Delivery.objects.exists()
    notify(world.handler_a, "urged", "今天的催办", now=T - timedelta(hours=1))
    assert Delivery.objects.count() == 1


def test_console_is_the_default_and_logs(world, caplog):
    notify(world.handler_a, "urged", "催办")
    d = Delivery.objects.get()
    assert d.backend == "console" and d.state == "pending" and d.next_attempt_at == d.created_at
    with caplog.at_level(logging.WARNING, logger="gridgov.notifications"):
        assert deliver_pending(now=d.created_at) == {"sent": 1, "failed": 0, "dead": 0}
    d.refresh_from_db()
    assert d.state == "sent" and d.attempts == 1 and "【gridgov】催办" in caplog.text


def test_a_backend_failing_twice_is_retried_with_backoff_logged_and_sent_once(world, flaky, caplog):
    notify(world.handler_a, "urged", "催办", now=T)
    d = Delivery.objects.get()
    with caplog.at_level(logging.INFO, logger="gridgov.notifications"):
        assert deliver_pending(now=T)["failed"] == 1
        d.refresh_from_db()
        assert (d.state, d.attempts, d.next_attempt_at, d.last_error) == ("failed", 1, T + timedelta(seconds=60), "网关暂不可用 #1")
        assert deliver_pending(now=T + timedelta(seconds=59)) == {"sent": 0, "failed": 0, "dead": 0}  # not yet due
        assert deliver_pending(now=T + timedelta(seconds=60))["failed"] == 1
        d.refresh_from_db()
        assert d.attempts == 2 and d.next_attempt_at == T + timedelta(seconds=60 + 120)  # the wait doubles
        assert deliver_pending(now=T + timedelta(seconds=180))["sent"] == 1
    d.refresh_from_db()
    assert d.state == "sent" and d.attempts == 3 and d.sent_at == T + timedelta(seconds=180) and d.next_attempt_at is None
    assert [h["ok"] for h in d.history] == [False, False, True]
    assert "第1次" in caplog.text and "第2次" in caplog.text and "外发成功" in caplog.text
    # Running again (or twice at once) sends nothing more.
    assert deliver_pending(now=T + timedelta(days=1)) == {"sent": 0, "failed": 0, "dead": 0}
    assert len(flaky.calls) == 3


def test_gives_up_after_the_last_attempt(world, flaky, settings):
    settings.GRIDGOV_NOTIFY_MAX_ATTEMPTS = 2
    notify(world.handler_a, "urged", "催办", now=T)
    deliver_pending(now=T)
    assert deliver_pending(now=T + timedelta(minutes=1))["dead"] == 1
    d = Delivery.objects.get()
    assert d.state == "dead" and d.next_attempt_at is None
    assert deliver_pending(now=T + timedelta(days=1)) == {"sent": 0, "failed": 0, "dead": 0}


def test_claimed_rows_are_not_taken_by_a_second_sender(world, flaky):
    flaky.failures = 0
    notify([world.handler_a, world.leader_a], "urged", "催办", now=T)
    first = Delivery.objects.order_by("id").first()
    Delivery.objects.filter(pk=first.pk).update(claim="other-sender", claimed_until=T + timedelta(minutes=5))
    assert deliver_pending(now=T)["sent"] == 1
    # A sender killed mid-run: its claim lapses and the row is sent by the next run.
    assert deliver_pending(now=T + timedelta(minutes=6))["sent"] == 1
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


class Slow(Backend):
    """Each send takes two minutes of the frozen clock; at the send that passes `rival_at`, a second sender runs."""

    code, label = "slow", "慢渠道"
    clock = None
    rival_at = None
    rival = None
    calls: list = []

    def send(self, user, text, *, urgent=False):
        Slow.calls.append(user.username)
        Slow.clock.at += timedelta(minutes=2)
        if Slow.rival_at is not None and Slow.clock.at >= Slow.rival_at:
            Slow.rival_at = None
            Slow.rival = deliver_pending(now=Slow.clock.at)


def test_a_batch_outliving_its_lease_never_sends_a_row_twice(world, frozen, settings, monkeypatch):
    settings.GRIDGOV_NOTIFY_BACKENDS = ["tests.notifications.test_delivery.Slow"]
    monkeypatch.setattr(Slow, "clock", frozen)
    monkeypatch.setattr(Slow, "calls", [])
    monkeypatch.setattr(Slow, "rival", None)
    monkeypatch.setattr(Slow, "rival_at", T + timedelta(minutes=6))  # after the third send, past the 5-minute lease
    users = [world.handler_a, world.handler_b, world.leader_a, world.dispatcher, world.operator]
    notify(users, "urged", "催办", now=T)
    assert Delivery.objects.count() == 5
    first = deliver_pending(now=T)
    # The first sender renewed each row's claim as it went; the rows it had not reached lapsed and the second
    # sender (running at T+6min) took them, so the first skipped them.
    assert Slow.rival == {"sent": 2, "failed": 0, "dead": 0}
    assert first == {"sent": 3, "failed": 0, "dead": 0}
    assert sorted(Slow.calls) == sorted(u.username for u in users)  # each user texted exactly once
    assert set(Delivery.objects.values_list("state", "attempts")) == {("sent", 1)}


def test_quiet_hours_defer_a_normal_message_to_their_end_and_not_an_urgent_one(world):
    Preference.objects.create(user=world.handler_a, backends=["console"], quiet_start=time(22), quiet_end=time(7))
    night = T + timedelta(hours=13)  # 23:00 Beijing time
    normal = notify(world.handler_a, "urged", "催办", now=night)[0]
    urgent = notify(world.handler_a, "escalated", "超期升级", urgent=True, now=night)[0]
    seven_am = T + timedelta(hours=21)  # next day 07:00 Beijing time
    assert normal.deliveries.get().next_attempt_at == seven_am
    assert urgent.deliveries.get().next_attempt_at == night
    assert deliver_pending(now=night)["sent"] == 1
    assert deliver_pending(now=seven_am - timedelta(seconds=1))["sent"] == 0
    assert deliver_pending(now=seven_am)["sent"] == 1
    # A window inside one day, and times outside it.
    pref = Preference(quiet_start=time(12), quiet_end=time(14))
    assert quiet_until(T, pref) is None
    assert quiet_until(T + timedelta(hours=3), pref) == T + timedelta(hours=4)


def test_preferences_choose_backends_and_kinds(world, settings):
    settings.GRIDGOV_NOTIFY_BACKENDS = ["console", "email", "sms"]
    world.handler_a.email, world.handler_a.phone = "a@example.org", ""
    world.handler_a.save()
    notify(world.handler_a, "urged", "催办")
    assert set(Delivery.objects.values_list("backend", flat=True)) == {"console", "email"}  # no phone, no SMS
    Delivery.objects.all().delete()
    Preference.objects.create(user=world.handler_a, backends=["email"], kinds=["overdue"])
    notify(world.handler_a, "urged", "催办")
    assert not Delivery.objects.exists()
    notify(world.handler_a, "overdue", "已超期")
    assert list(Delivery.objects.values_list("backend", flat=True)) == ["email"]
    deliver_pending()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["a@example.org"]


def test_outbound_text_has_no_citizen_data(world, django_capture_on_commit_callbacks, settings):
    settings.GRIDGOV_NOTIFY_BACKENDS = ["console", "email"]
    world.handler_a.email = "a@example.org"
    world.handler_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        t = dispatched(world)
    # A caller that (wrongly) puts citizen data in the title and body: it stays in the platform.
    notify(world.handler_a, "urged", f"催办 {CITIZEN['citizen_name']} {CITIZEN['citizen_phone']}",
           body=CITIZEN["description"], ticket=t)
    texts = list(Delivery.objects.values_list("text", flat=True))
    assert texts
    deliver_pending()
    sent = texts + [m.subject + m.body for m in mail.outbox]
    for text in sent:
        for value in CITIZEN.values():
            assert value not in text
        for fragment in ("张三丰", "1380000", "望月湖小区", "7栋", "酒吧", "无法入睡"):
            assert fragment not in text
    assert t.number in texts[0] and world.cat_noise.name in texts[0] and world.unit_a.name in texts[0]
    assert all("办理时限" in text and world.unit_a.name in text for text in texts)
    assert outbound_text("digest") == "【gridgov】督办日报。请登录平台查看。"


class Recorder:
    """Stands in for urllib's urlopen: records the request and answers with `reply`."""

    def __init__(self, reply=b'{"errcode": 0, "errmsg": "ok"}'):
        self.requests, self.reply = [], reply

    def __call__(self, req, timeout=None):
        self.requests.append(req)
        recorder = self

        class Resp:
            def __enter__(self):
                return self

            def __exit__(self, *a):
                return False

            def read(self):
                return recorder.reply

        return Resp()


class TimedEmail(LocmemEmail):
    """The locmem mail backend, remembering the timeout it was opened with."""

    timeouts: list = []

    def __init__(self, *args, timeout=None, **kwargs):
        super().__init__(*args, **kwargs)
        TimedEmail.timeouts.append(timeout)


def test_email_connection_has_a_timeout(world, settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.TimedEmail"
    monkeypatch.setattr(TimedEmail, "timeouts", [])
    monkeypatch.delenv("GRIDGOV_EMAIL_TIMEOUT", raising=False)
    world.handler_a.email = "a@example.org"
    backends.EmailBackend().send(world.handler_a, "文本")
    settings.GRIDGOV_EMAIL_TIMEOUT = 3
    backends.EmailBackend().send(world.handler_a, "文本")
    del settings.GRIDGOV_EMAIL_TIMEOUT
    monkeypatch.setenv("GRIDGOV_EMAIL_TIMEOUT", "2.5")  # like the other backends' settings: then the environment
    backends.EmailBackend().send(world.handler_a, "文本")
    assert TimedEmail.timeouts == [10, 3, 2.5]
    assert len(mail.outbox) == 3 and mail.outbox[0].to == ["a@example.org"]


def test_delivery_settings_fall_back_to_the_environment(monkeypatch):
    from gridgov.notifications.delivery import backoff

    monkeypatch.setenv("GRIDGOV_NOTIFY_RETRY_BASE_SECONDS", "7")
    assert backoff(1) == timedelta(seconds=7) and backoff(2) == timedelta(seconds=14)


def test_robot_and_sms_payloads(world, settings, monkeypatch):
    settings.GRIDGOV_WECOM_WEBHOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K"
    settings.GRIDGOV_DINGTALK_WEBHOOK = "https://oapi.dingtalk.com/robot/send?access_token=A"
    settings.GRIDGOV_DINGTALK_SECRET = "SEC"
    settings.GRIDGOV_SMS_URL = "https://sms.example.org/send"
    world.handler_a.phone = "13900000000"
    rec = Recorder()
    monkeypatch.setattr(backends.urllib.request, "urlopen", rec)
    backends.WeComBackend().send(world.handler_a, "文本")
    backends.DingTalkBackend().send(world.handler_a, "文本")
    backends.SmsBackend().send(world.handler_a, "文本", urgent=True)
    wecom, ding, sms = (json.loads(r.data) for r in rec.requests)
    assert wecom == {"msgtype": "text", "text": {"content": "文本", "mentioned_mobile_list": ["13900000000"]}}
    assert ding == {"msgtype": "text", "text": {"content": "文本"}, "at": {"atMobiles": ["13900000000"], "isAtAll": False}}
    assert "&timestamp=" in rec.requests[1].full_url and "&sign=" in rec.requests[1].full_url
    assert sms == {"phone": "13900000000", "text": "文本", "urgent": True}
    rec.reply = b'{"errcode": 310000, "errmsg": "sign not match"}'
    with pytest.raises(SendError, match="310000"):
        backends.DingTalkBackend().send(world.handler_a, "文本")


def test_deliver_command(world, capsys):
    notify(world.handler_a, "urged", "催办")
    call_command("notifications", "deliver")
    assert "已发送 1 条" in capsys.readouterr().out
    assert Delivery.objects.get().state == "sent"
