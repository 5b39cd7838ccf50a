"""吹哨报到 actions: blowing, checking in on time and late, on site, feedback, closing, and who may do what."""

from datetime import datetime, timezone

import pytest

from gridgov.audit.models import AuditLog
from gridgov.core.errors import Forbidden, InvalidInput, InvalidState, NotFound
from gridgov.notifications.models import Notification
from gridgov.tickets import actions as ticket_actions
from gridgov.tickets.models import Ticket, TimelineEvent
from gridgov.whistles import actions, rules
from gridgov.whistles.models import Whistle, WhistleSummons
from tests.whistles.conftest import FRIDAY_4PM, MONDAY_0930, street_ticket

pytestmark = pytest.mark.django_db
S = WhistleSummons.State


def summons_of(whistle, unit) -> WhistleSummons:
    return whistle.summons.get(unit=unit)


def test_a_street_blows_on_its_ticket_summoning_two_departments(world, clock):
    t = street_ticket(world)
    w = actions.do_blow(world.handler_a, t.pk, unit_ids=[world.dept_city.pk, world.dept_labour.pk], reason="夜间施工需城管、人社到场")
    assert w.unit == world.unit_a and w.blown_by == world.handler_a and w.state == Whistle.State.OPEN
    rows = list(w.summons.order_by("unit__code"))
    assert [s.unit for s in rows] == [world.dept_city, world.dept_labour]
    # Two working hours from Monday 10:00 Beijing: 12:00, the same for every department.
    assert {s.deadline for s in rows} == {datetime(2026, 3, 2, 4, 0, tzinfo=timezone.utc)}
    assert all(s.state == S.SUMMONED for s in rows)
    event = TimelineEvent.objects.filter(ticket=t).order_by("-seq").first()
    assert event.verb == "whistle" and "区城市管理和综合执法局、区人力资源和社会保障局" in event.note
    assert event.from_state == event.to_state == Ticket.objects.get(pk=t.pk).state
    assert AuditLog.objects.filter(action="whistle.blow", object_id=str(w.pk), actor=world.handler_a).exists()
    # Each summoned department's staff are told at once, and nobody else.
    told = set(Notification.objects.filter(kind="whistle", ticket=t, urgent=True).values_list("user__username", flat=True))
    assert told == {"handler_city", "handler_labour"}


def test_check_in_on_time_and_late_across_a_weekend(world, clock):
    clock.at = FRIDAY_4PM
    t = street_ticket(world)
    w = actions.do_blow(world.leader_a, t.pk, unit_ids=[world.dept_city.pk, world.dept_labour.pk], reason="联合执法")
    city, labour = summons_of(w, world.dept_city), summons_of(w, world.dept_labour)
    assert city.deadline == MONDAY_0930  # 1.5 hours on Friday, the weekend skipped, 0.5 hours on Monday

    clock.at = datetime(2026, 3, 9, 1, 20, tzinfo=timezone.utc)  # Monday 09:20
    city = actions.do_check_in(world.handler_city, city.pk, note="已到场")
    assert city.state == S.CHECKED_IN and city.checked_in_by == world.handler_city and city.checkin_note == "已到场"
    assert not rules.is_late(city.deadline, city.checked_in_at, None, clock.at)
    assert rules.status(labour.deadline, None, None, clock.at) == rules.PENDING

    clock.at = datetime(2026, 3, 9, 1, 40, tzinfo=timezone.utc)  # Monday 09:40, ten minutes late
    assert rules.status(labour.deadline, None, None, clock.at) == rules.PENDING_LATE
    labour = actions.do_check_in(world.handler_labour, labour.pk)
    assert rules.status(labour.deadline, labour.checked_in_at, None, clock.at) == rules.LATE
    events = {e.data["unit"]: e for e in TimelineEvent.objects.filter(ticket=t, verb="whistle_checkin")}
    assert events[world.dept_city.pk].data["late"] is False and "按时报到" in events[world.dept_city.pk].note
    assert events[world.dept_labour.pk].data["late"] is True and "迟到报到" in events[world.dept_labour.pk].note
    with pytest.raises(InvalidState, match="已报到"):
        actions.do_check_in(world.handler_labour, labour.pk)


def test_on_site_check_in_refuses_far_away_and_accepts_on_the_spot(world, clock):
    t = street_ticket(world)
    w = actions.do_blow(world.handler_a, t.pk, unit_ids=[world.dept_city.pk], reason="现场查处", onsite_required=True,
                        onsite_radius_m=300)
    s = summons_of(w, world.dept_city)
    with pytest.raises(InvalidInput, match="要求现场报到"):
        actions.do_check_in(world.handler_city, s.pk)
    with pytest.raises(InvalidInput, match="超出现场报到范围300米"):
        actions.do_check_in(world.handler_city, s.pk, lon="0.5", lat="0.51")  # about 1.1 km away
    s.refresh_from_db()
    assert s.state == S.SUMMONED and s.checked_in_at is None
    s = actions.do_check_in(world.handler_city, s.pk, lon="0.501", lat="0.5")
    assert s.state == S.CHECKED_IN and s.checkin_distance_m == pytest.approx(111.2, abs=0.1)
    assert (s.checkin_lon, s.checkin_lat) == (0.501, 0.5)


def test_on_site_without_a_point_means_inside_the_tickets_grid(world, clock):
    t = ticket_actions.do_receive(world.operator, channel="h12345", category=world.cat_noise.code, title="噪音",
                                  description="噪音", reporter_area_code=world.grid_a1.code)
    ticket_actions.do_dispatch(world.dispatcher, t.pk, lead_unit_id=world.unit_a.pk)
    assert t.lon is None and t.area_id == world.grid_a1.code
    s = summons_of(actions.do_blow(world.handler_a, t.pk, unit_ids=[world.dept_city.pk], reason="到场", onsite_required=True),
                   world.dept_city)
    with pytest.raises(InvalidInput, match="不在事发网格“金茂第1网格”范围内"):
        actions.do_check_in(world.handler_city, s.pk, lon=1.5, lat=0.5)
    assert actions.do_check_in(world.handler_city, s.pk, lon=0.2, lat=0.7).checkin_distance_m is None


def test_who_may_blow(world, clock):
    t = street_ticket(world, support=[world.dept_city.pk])
    kw = {"unit_ids": [world.dept_labour.pk], "reason": "协调"}
    # A department that handles the ticket sees it but cannot summon other departments.
    with pytest.raises(Forbidden):
        actions.do_blow(world.handler_city, t.pk, **kw)
    with pytest.raises(Forbidden):
        actions.do_blow(world.operator, t.pk, **kw)  # sees the ticket, has no whistle.blow
    # Another street does not see the ticket at all: not found, as for a missing ticket.
    with pytest.raises(NotFound):
        actions.do_blow(world.handler_b, t.pk, **kw)
    with pytest.raises(NotFound):
        actions.do_blow(world.handler_a, 999999, **kw)
    # The centre blows with its area grant, in no unit's name.
    assert actions.do_blow(world.dispatcher, t.pk, **kw).unit is None
    assert Whistle.objects.count() == 1


def test_who_may_check_in(world, clock):
    t = street_ticket(world)
    s = summons_of(actions.do_blow(world.handler_a, t.pk, unit_ids=[world.dept_labour.pk], reason="讨薪"), world.dept_labour)
    with pytest.raises(NotFound):
        actions.do_check_in(world.handler_b, s.pk)  # an unrelated street sees neither ticket nor summons
    with pytest.raises(NotFound):
        actions.do_check_in(world.handler_city, s.pk)  # another department, not summoned
    with pytest.raises(Forbidden):
        actions.do_check_in(world.handler_a, s.pk)  # the street sees the summons but is not the summoned unit
    s.refresh_from_db()
    assert s.state == S.SUMMONED
    # The summoned department checks in although the ticket itself is not assigned to it.
    assert actions.do_check_in(world.handler_labour, s.pk).state == S.CHECKED_IN


def test_refusals_change_nothing(world, clock):
    t = street_ticket(world)
    with pytest.raises(InvalidInput, match="区直部门"):
        actions.do_blow(world.handler_a, t.pk, unit_ids=[world.unit_b.pk], reason="x")
    with pytest.raises(InvalidInput, match="至少一个"):
        actions.do_blow(world.handler_a, t.pk, unit_ids=[], reason="x")
    with pytest.raises(InvalidInput, match="吹哨事由"):
        actions.do_blow(world.handler_a, t.pk, unit_ids=[world.dept_city.pk], reason=" ")
    with pytest.raises(InvalidInput, match="报到时限"):
        actions.do_blow(world.handler_a, t.pk, unit_ids=[world.dept_city.pk], reason="x", checkin_limit=0)
    actions.do_blow(world.handler_a, t.pk, unit_ids=[world.dept_city.pk], reason="x")
    with pytest.raises(InvalidInput, match="已被召集且尚未办结"):
        actions.do_blow(world.handler_a, t.pk, unit_ids=[world.dept_city.pk, world.dept_labour.pk], reason="再次")
    assert WhistleSummons.objects.count() == 1
    rejected = ticket_actions.do_receive(world.operator, channel="h12345", category=world.cat_noise.code, title="t",
                                         description="d", lon=0.5, lat=0.5)
    ticket_actions.do_reject(world.dispatcher, rejected.pk, reason="重复")
    with pytest.raises(InvalidState, match="不予受理"):
        actions.do_blow(world.dispatcher, rejected.pk, unit_ids=[world.dept_city.pk], reason="x")


def test_feedback_and_closing(world, clock):
    t = street_ticket(world)
    w = actions.do_blow(world.handler_a, t.pk, unit_ids=[world.dept_city.pk, world.dept_labour.pk], reason="联合处置")
    city, labour = summons_of(w, world.dept_city), summons_of(w, world.dept_labour)
    with pytest.raises(InvalidState, match="报到后"):
        actions.do_finish(world.handler_city, city.pk, result="已处理")
    actions.do_check_in(world.handler_city, city.pk)
    with pytest.raises(InvalidInput, match="协办情况"):
        actions.do_finish(world.handler_city, city.pk, result="")
    city = actions.do_finish(world.handler_city, city.pk, result="已责令停工")
    assert city.state == S.DONE and city.result == "已责令停工"
    with pytest.raises(Forbidden):
        actions.do_close(world.handler_city, w.pk)  # the summoned department does not end the whistle
    clock.advance(hours=30)  # past the labour bureau's deadline
    w = actions.do_close(world.handler_a, w.pk, note="问题已解决")
    labour.refresh_from_db()
    assert w.state == Whistle.State.CLOSED and labour.state == S.WITHDRAWN and labour.ended_at == clock.at
    assert rules.status(labour.deadline, labour.checked_in_at, labour.ended_at, clock.at) == rules.WITHDRAWN_LATE
    with pytest.raises(InvalidState):
        actions.do_check_in(world.handler_labour, labour.pk)
    with pytest.raises(InvalidState):
        actions.do_close(world.handler_a, w.pk)
    verbs = list(TimelineEvent.objects.filter(ticket=t).values_list("verb", flat=True).order_by("seq"))
    assert verbs[-4:] == ["whistle", "whistle_checkin", "whistle_done", "whistle_close"]
    assert set(AuditLog.objects.filter(action__startswith="whistle.").values_list("action", flat=True)) == {
        "whistle.blow", "whistle.checkin", "whistle.done", "whistle.close"}


def test_a_new_matter_and_its_whistle_are_made_together_or_not_at_all(world, clock, whistle_channel):
    kw = {"category": world.cat_road.code, "title": "路面塌陷", "description": "主干道路面塌陷，需城管到场", "lon": 0.5, "lat": 0.5}
    w = actions.do_blow_new(world.dispatcher, unit_ids=[world.dept_city.pk], checkin_limit=1, **kw)
    t = w.ticket
    assert t.channel_id == "whistle" and t.number.startswith("CS") and w.reason == "路面塌陷"
    assert list(TimelineEvent.objects.filter(ticket=t).values_list("verb", flat=True).order_by("seq")) == ["receive", "whistle"]
    before = Ticket.objects.count()
    with pytest.raises(InvalidInput, match="区直部门"):
        actions.do_blow_new(world.dispatcher, unit_ids=[world.unit_a.pk], **kw)  # the ticket is rolled back with the whistle
    with pytest.raises(Forbidden):
        actions.do_blow_new(world.handler_city, unit_ids=[world.dept_labour.pk], **kw)
    assert Ticket.objects.count() == before
