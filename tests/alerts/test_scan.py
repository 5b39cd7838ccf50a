"""The deadline scan on hand-made deadlines: each level once, escalation timing, the right people told."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gridgov.supervision.models import Urge
from gridgov.alerts.models import AlertRecord
from gridgov.alerts.scan import scan
from gridgov.notifications.models import Notification
from gridgov.tickets import actions
from gridgov.tickets.models import Assignment, Ticket, TimelineEvent
from tests.conftest import MONDAY_10AM, freeze_clock

SH = ZoneInfo("Asia/Shanghai")


def cst(m, d, hh=0, mm=0):
    return dt.datetime(2026, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def lead(world):
    """A signed assignment dispatched Monday 2026-03-02 10:00, due (by hand) Wednesday 17:30: 20 working hours."""
    t = actions.do_receive(world.operator, channel="h12345", category=world.cat_noise.code, title="噪音", description="夜间噪音",
                           lon=0.5, lat=0.5, now=MONDAY_10AM)
    actions.do_dispatch(world.dispatcher, t.pk, lead_unit_id=world.unit_a.pk, now=MONDAY_10AM)
    a = Assignment.objects.get(ticket=t, unit=world.unit_a)
    actions.do_sign(world.handler_a, t.pk, assignment_id=a.pk, now=MONDAY_10AM + dt.timedelta(minutes=10))
    Assignment.objects.filter(pk=a.pk).update(handle_deadline=cst(3, 4, 17, 30))
    return Assignment.objects.get(pk=a.pk)


def events(a, verb):
    return list(TimelineEvent.objects.filter(ticket_id=a.ticket_id, verb=verb))


def told(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind))


def test_each_level_fires_once_at_its_time_and_tells_the_right_people(world, lead):
    assert scan(cst(3, 4, 13, 29)) == {"warn": 0, "overdue": 0, "escalate_leader": 0, "escalate_centre": 0}
    assert scan(cst(3, 4, 13, 30))["warn"] == 1  # 4 of 20 working hours left
    assert scan(cst(3, 4, 13, 45))["warn"] == 0
    assert len(events(lead, "warn")) == 1 and len(told(world.handler_a, "warning")) == 1
    assert told(world.leader_a, "warning") == []

    assert scan(cst(3, 4, 17, 30))["overdue"] == 0  # due at 17:30 is not yet late
    assert scan(cst(3, 4, 17, 31))["overdue"] == 1
    assert scan(cst(3, 4, 20))["overdue"] == 0
    assert len(told(world.handler_a, "overdue")) == 1 and told(world.leader_a, "overdue") == []
    # The day the deadline lapses the unit is urged automatically, counted with the hand urges (催办次数).
    [urge] = Urge.objects.filter(assignment=lead)
    assert urge.source == Urge.Source.AUTO and urge.by_id is None and len(events(lead, "urge")) == 1

    # Four working hours after the deadline: Thursday 09:00–12:00 and 13:30–14:30.
    assert scan(cst(3, 5, 14, 30))["escalate_leader"] == 0
    assert scan(cst(3, 5, 14, 31))["escalate_leader"] == 1
    assert len(told(world.leader_a, "escalated")) == 1 and told(world.dispatcher, "escalated") == []
    # One office day after the deadline: the centre.
    assert scan(cst(3, 5, 17, 31))["escalate_centre"] == 1
    assert len(told(world.dispatcher, "escalated")) == 1
    assert len(told(world.leader_a, "escalated")) == 2  # the leader hears of the second step too

    before = (TimelineEvent.objects.count(), Notification.objects.count(), AlertRecord.objects.count())
    assert sum(scan(cst(3, 9, 12)).values()) == 0
    assert before == (TimelineEvent.objects.count(), Notification.objects.count(), AlertRecord.objects.count())
    assert [e.data["level"] for e in events(lead, "escalate")] == ["escalate_leader", "escalate_centre"]
    assert all(e.actor_id is None and e.data["assignment"] == lead.pk for e in events(lead, "escalate"))
    assert set(AlertRecord.objects.values_list("level", flat=True)) == {"warn", "overdue", "escalate_leader", "escalate_centre"}
    assert told(world.handler_b, "escalated") == [] and told(world.outsider, "escalated") == []


def test_escalation_waits_for_working_hours_over_a_weekend(world, lead):
    Assignment.objects.filter(pk=lead.pk).update(handle_deadline=cst(3, 6, 17, 30))  # Friday evening
    scan(cst(3, 6, 17, 31))
    assert scan(cst(3, 8, 23))["escalate_leader"] == 0  # Sunday: no office hours have passed
    assert scan(cst(3, 9, 14, 31))["escalate_leader"] == 1


def test_a_deadline_found_already_past_is_not_warned_about_afterwards(world, lead):
    counts = scan(cst(3, 5, 10))
    assert counts == {"warn": 0, "overdue": 1, "escalate_leader": 0, "escalate_centre": 0}
    assert events(lead, "warn") == [] and told(world.handler_a, "warning") == []
    assert AlertRecord.objects.filter(level="warn", notified=0).count() == 1


def test_an_extension_brings_fresh_warnings_for_the_new_deadline(world, lead):
    scan(cst(3, 4, 17, 31))
    Assignment.objects.filter(pk=lead.pk).update(handle_deadline=cst(3, 11, 17, 30))
    assert sum(scan(cst(3, 5, 10)).values()) == 0
    assert scan(cst(3, 11, 16))["warn"] == 1
    assert len(told(world.handler_a, "overdue")) == 1


def test_a_done_assignment_is_left_alone(world, lead):
    Assignment.objects.filter(pk=lead.pk).update(state="reported")
    assert sum(scan(cst(3, 9)).values()) == 0
    assert AlertRecord.objects.count() == 0


def test_an_unsigned_assignment_is_chased_on_its_sign_deadline(world):
    t = actions.do_receive(world.operator, channel="h12345", category=world.cat_noise.code, title="噪音", description="夜间噪音",
                           lon=0.5, lat=0.5, now=MONDAY_10AM)
    actions.do_dispatch(world.dispatcher, t.pk, lead_unit_id=world.unit_a.pk, now=MONDAY_10AM)
    a = Assignment.objects.get(ticket=t)
    Assignment.objects.filter(pk=a.pk).update(sign_deadline=cst(3, 2, 11))
    counts = scan(cst(3, 2, 11, 1))
    assert counts["overdue"] == 1
    assert AlertRecord.objects.get(level="overdue").stage == "sign"


def test_urgent_tickets_escalate_on_the_clock_and_ignore_quiet_hours(world, lead):
    Ticket.objects.filter(pk=lead.ticket_id).update(urgency="urgent")
    Assignment.objects.filter(pk=lead.pk).update(handle_deadline=cst(3, 2, 22))  # a two-hour limit, say, at night
    scan(cst(3, 2, 22, 1))
    assert scan(cst(3, 3, 2, 1))["escalate_leader"] == 1  # four clock hours later, at night
    note = told(world.leader_a, "escalated")[0]
    assert note.urgent


def test_normal_tickets_are_not_urgent(world, lead):
    scan(cst(3, 5, 14, 31))
    assert not told(world.leader_a, "escalated")[0].urgent


def test_settings_choose_the_thresholds(world, lead, settings):
    settings.GRIDGOV_WARN_WORK_HOURS = 1
    settings.GRIDGOV_ESCALATE_LEADER_AFTER = 0.5
    assert scan(cst(3, 4, 16, 29))["warn"] == 0
    assert scan(cst(3, 4, 16, 30))["warn"] == 1
    scan(cst(3, 4, 17, 31))
    assert scan(cst(3, 5, 9, 31))["escalate_leader"] == 1


def test_the_scan_uses_the_clock_when_run_as_a_job(world, lead, monkeypatch):
    clock = freeze_clock(monkeypatch, cst(3, 4, 17, 31).astimezone(dt.timezone.utc))
    assert scan()["overdue"] == 1
    clock.advance(days=1)
    assert scan()["escalate_centre"] == 1
