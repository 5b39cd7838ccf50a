"""The deadline scan on hand-made deadlines: each level once, escalation timing, the right people told."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gridgov.accounts.people import dispatchers_for
from gridgov.alerts import scan as scan_module
from gridgov.alerts.models import AlertRecord
from gridgov.alerts.scan import scan
from gridgov.supervision.models import Urge
from gridgov.notifications.models import Notification
from gridgov.tickets import actions
from gridgov.tickets.models import Assignment, Ticket, TimelineEvent
from tests.conftest import MONDAY_10AM, freeze_clock
from tests.factories import GrantFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")


def cst(m, d, hh=0, mm=0):
    return dt.datetime(2026, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def lead(world):
    """A signed assignment dispatched Monday 2026-03-02 10:00, due (by hand) Wednesday 17:30: 20 working hours."""
    t = actions.do_receive(world.operator, channel="h12345", category=world.cat_noise.code, title="张三反映夜间噪音",
                           description="夜间噪音", lon=0.5, lat=0.5, now=MONDAY_10AM)
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
    # … and told once: the 已超期 notice says it all, no second "urged" one; the leader hears nothing yet.
    assert Notification.objects.filter(user=world.handler_a).exclude(kind="warning").count() == 1
    assert not Notification.objects.filter(user=world.leader_a).exists()
    [note] = told(world.handler_a, "overdue")
    assert lead.ticket.number in note.title and world.cat_noise.name in note.title
    assert "张三" not in note.title + note.body  # the title names the citizen

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


def test_levels_found_together_are_recorded_and_only_the_highest_announced(world, lead):
    # Found a working day after the deadline (first install, a worker outage): all four levels at once.
    counts = scan(cst(3, 5, 17, 31))
    assert counts == {"warn": 0, "overdue": 0, "escalate_leader": 0, "escalate_centre": 1}
    quiet = AlertRecord.objects.filter(notified=0).values_list("level", flat=True)
    assert sorted(quiet) == sorted(["warn", "overdue", "escalate_leader"])
    assert [e.verb for e in TimelineEvent.objects.filter(ticket_id=lead.ticket_id, actor__isnull=True)] == ["escalate"]
    assert not Urge.objects.exists()  # a lapse found this late is history, not an urge
    assert len(told(world.handler_a, "escalated")) == 1 and len(told(world.dispatcher, "escalated")) == 1
    assert Notification.objects.filter(user=world.handler_a).count() == 1
    assert sum(scan(cst(3, 9, 12)).values()) == 0


def test_a_lapse_found_within_a_working_day_is_still_urged(world, lead):
    assert scan(cst(3, 5, 10))["overdue"] == 1
    assert Urge.objects.filter(assignment=lead, source=Urge.Source.AUTO).count() == 1


def test_a_lapse_found_later_than_a_working_day_is_announced_but_not_urged(world, lead, settings):
    settings.GRIDGOV_ESCALATE_LEADER_AFTER = 70
    settings.GRIDGOV_ESCALATE_CENTRE_AFTER = 70
    assert scan(cst(3, 9, 10))["overdue"] == 1
    assert len(told(world.handler_a, "overdue")) == 1 and not Urge.objects.exists()


def test_the_scan_can_be_limited_to_some_assignments(world, lead):
    assert sum(scan(cst(3, 4, 17, 31), assignment_ids=[lead.pk + 1000]).values()) == 0
    assert not AlertRecord.objects.exists()
    assert scan(cst(3, 4, 17, 31), assignment_ids=[lead.pk])["overdue"] == 1


def test_one_bad_row_is_logged_and_skipped(world, lead, monkeypatch, caplog):
    t = actions.do_receive(world.operator, channel="h12345", category=world.cat_noise.code, title="噪音", description="夜间噪音",
                           lon=0.5, lat=0.5, now=MONDAY_10AM)
    actions.do_dispatch(world.dispatcher, t.pk, lead_unit_id=world.unit_b.pk, now=MONDAY_10AM)
    bad = Assignment.objects.get(ticket=t)
    Assignment.objects.filter(pk=bad.pk).update(sign_deadline=cst(2, 1), handle_deadline=cst(2, 2))  # crafted: a broken row
    real = scan_module.alert_times

    def alert_times(start, deadline, *args, **kw):
        if deadline in (cst(2, 1), cst(2, 2)):
            raise ValueError("no working time before the deadline")
        return real(start, deadline, *args, **kw)

    monkeypatch.setattr(scan_module, "alert_times", alert_times)
    assert scan(cst(3, 4, 17, 31))["overdue"] == 1  # the good row still acted on
    assert AlertRecord.objects.filter(assignment=bad).count() == 0
    assert f"交办记录 {bad.pk} 处理失败" in caplog.text


def test_an_unlocated_ticket_escalates_only_to_district_wide_dispatchers(world, lead):
    street = UserFactory(username="street_dispatcher")
    GrantFactory(user=street, role="dispatcher", area=world.street_a)
    assert dispatchers_for(None) == [world.dispatcher]
    assert set(dispatchers_for(world.grid_a1.code)) == {world.dispatcher, street}
    assert dispatchers_for(world.grid_b1.code) == [world.dispatcher]
    Ticket.objects.filter(pk=lead.ticket_id).update(area=None)
    scan(cst(3, 5, 17, 31))
    assert len(told(world.dispatcher, "escalated")) == 1 and told(street, "escalated") == []


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
