"""催办 and 督办 actions: timeline, notifications, the 催办次数 figure, permissions, and the daily digest."""

from datetime import date, datetime, timezone

import pytest

from gridgov.core.errors import Forbidden, InvalidInput, InvalidState, NotFound
from gridgov.metrics.behind import tickets_behind
from gridgov.metrics.compute import Scope, breakdown, counts, figures
from gridgov.metrics.definitions import METRICS, STORED_COUNTERS, compute
from gridgov.metrics.periods import Period
from gridgov.notifications.models import Notification
from gridgov.supervision import actions
from gridgov.supervision.jobs import send_daily_digests
from gridgov.supervision.models import DigestRun, Supervision, Urge
from gridgov.tickets import actions as ticket_actions
from gridgov.tickets.models import TimelineEvent
from tests.supervision.conftest import street_ticket

pytestmark = pytest.mark.django_db
MARCH = Period.month(2026, 3)


def _notified(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind))


def test_the_centre_urges_an_open_assignment(world, clock):
    t = street_ticket(world)
    a = t.assignments.get()
    urge = actions.do_urge(world.dispatcher, t.pk, assignment_id=a.pk, message="请今日内签收并联系诉求人")
    assert (urge.unit, urge.by, urge.source, urge.at) == (world.unit_a, world.dispatcher, Urge.Source.MANUAL, clock.at)
    event = TimelineEvent.objects.filter(ticket=t).order_by("-seq").first()
    assert event.verb == "urge" and "请今日内签收" in event.note and event.data["unit"] == world.unit_a.pk
    assert event.actor == world.dispatcher and event.from_state == event.to_state == "dispatched"
    for person in (world.handler_a, world.leader_a):
        [n] = _notified(person, "urged")
        assert n.ticket_id == t.pk and t.number in n.title and "请今日内签收" in n.body
        assert world.cat_noise.name in n.title and t.title not in n.title + n.body  # the title may name the citizen
    assert not _notified(world.handler_b, "urged") and not _notified(world.dispatcher, "urged")
    t.refresh_from_db()
    assert t.state == "dispatched"  # an urge changes no state


def test_urges_count_in_the_unit_figure_by_period(world, clock):
    t1, t2 = street_ticket(world), street_ticket(world, "道路积水")
    for t in (t1, t1, t2):
        actions.do_urge(world.dispatcher, t.pk, assignment_id=t.assignments.get().pk, message="催办")
    clock.at = datetime(2026, 4, 1, 2, 0, tzinfo=timezone.utc)
    t3 = street_ticket(world, "四月工单")
    actions.do_urge(world.dispatcher, t3.pk, assignment_id=t3.assignments.get().pk, message="催办")
    assert METRICS["urges"].name == "催办次数" and "urges" not in STORED_COUNTERS
    assert "按催办记录计" in compute("urges", {"urges": 2}).base
    unit = figures(MARCH, Scope(unit=world.unit_a.pk), codes=["urges"])["urges"]
    assert (unit.value, unit.display) == (3, "3")
    assert figures(MARCH, Scope(unit=world.unit_b.pk), codes=["urges"])["urges"].value == 0
    assert figures(Period.month(2026, 4), Scope(unit=world.unit_a.pk), codes=["urges"])["urges"].value == 1
    rows = {r.key: r.figures["urges"].value for r in breakdown(MARCH, "unit", codes=["urges"])}
    assert rows[str(world.unit_a.pk)] == 3 and rows[str(world.unit_b.pk)] == 0
    assert figures(MARCH, codes=["urges"])["urges"].value == 3
    # Live like the whistle figures: the stored monthly counts give the same answer as a fresh count.
    assert counts(MARCH, Scope(unit=world.unit_a.pk))[None]["urges"] == counts(MARCH, Scope(unit=world.unit_a.pk), fresh=True)[None]["urges"] == 3
    behind = tickets_behind(world.dispatcher, MARCH, Scope(unit=world.unit_a.pk), "urges")
    assert set(behind.values_list("pk", flat=True)) == {t1.pk, t2.pk}
    assert not tickets_behind(world.handler_b, MARCH, Scope(), "urges").exists()


def test_urging_is_the_centres_and_only_for_open_assignments(world, clock):
    t = street_ticket(world)
    a = t.assignments.get()
    with pytest.raises(Forbidden) as refused:
        actions.do_urge(world.handler_a, t.pk, assignment_id=a.pk, message="催办")
    assert "网格化中心" in refused.value.message
    with pytest.raises(Forbidden):
        actions.do_urge(world.viewer, t.pk, assignment_id=a.pk, message="催办")
    with pytest.raises(NotFound):
        actions.do_urge(world.handler_b, t.pk, assignment_id=a.pk, message="催办")  # cannot see unit_a's ticket
    with pytest.raises(NotFound):
        actions.do_urge(world.dispatcher, t.pk, assignment_id=999999, message="催办")
    with pytest.raises(InvalidInput):
        actions.do_urge(world.dispatcher, t.pk, assignment_id=a.pk, message="  ")
    ticket_actions.do_sign(world.handler_a, t.pk, assignment_id=a.pk)
    ticket_actions.do_report(world.handler_a, t.pk, assignment_id=a.pk, result="已处理")
    with pytest.raises(InvalidState):
        actions.do_urge(world.dispatcher, t.pk, assignment_id=a.pk, message="催办")
    assert not Urge.objects.exists() and not Notification.objects.filter(kind="urged").exists()
    fresh = street_ticket(world)
    assert actions.do_urge(world.admin, fresh.pk, assignment_id=fresh.assignments.get().pk, message="管理员催办").by == world.admin


def test_record_urge_can_leave_the_telling_to_its_caller(world, clock):
    t = street_ticket(world)
    t.refresh_from_db()
    a = t.assignments.select_related("unit").get()
    urge = actions.record_urge(t, a, None, clock.at, "自动催办", source=Urge.Source.AUTO, notify=False)
    assert urge.source == Urge.Source.AUTO and TimelineEvent.objects.filter(ticket=t, verb="urge").count() == 1
    assert not Notification.objects.filter(kind="urged").exists()


def test_a_leader_supervises_and_the_centre_ends_it(world, clock):
    t = street_ticket(world)
    sup = actions.do_supervise(world.viewer, t.pk, note="群众反映强烈，限期解决", due_date="2026-03-06")
    assert (sup.by, sup.due_date, sup.is_open) == (world.viewer, date(2026, 3, 6), True)
    event = TimelineEvent.objects.filter(ticket=t).order_by("-seq").first()
    assert event.verb == "supervise" and "2026-03-06" in event.note
    for person in (world.handler_a, world.leader_a):
        [n] = _notified(person, "supervised")
        assert n.ticket_id == t.pk and t.number in n.title and t.title not in n.title + n.body
    with pytest.raises(InvalidState):
        actions.do_supervise(world.dispatcher, t.pk, note="再督办", due_date="2026-03-06")
    with pytest.raises(Forbidden):
        actions.do_supervise(world.handler_a, t.pk, note="x", due_date="2026-03-06")
    with pytest.raises(Forbidden):
        actions.do_end_supervision(world.handler_a, t.pk, note="x")
    with pytest.raises(NotFound):
        actions.do_supervise(world.handler_b, t.pk, note="x", due_date="2026-03-06")
    ended = actions.do_end_supervision(world.dispatcher, t.pk, note="已办结")
    assert ended.ended_by == world.dispatcher and not ended.is_open
    assert TimelineEvent.objects.filter(ticket=t).order_by("-seq").first().verb == "end_supervision"
    with pytest.raises(InvalidState):
        actions.do_end_supervision(world.dispatcher, t.pk, note="再结束")
    # Once ended, it may be supervised again.
    actions.do_supervise(world.dispatcher, t.pk, note="再次督办", due_date=date(2026, 3, 9))
    assert Supervision.objects.filter(ticket=t).count() == 2


def test_supervision_needs_a_note_and_a_date_not_in_the_past(world, clock):
    t = street_ticket(world)
    with pytest.raises(InvalidInput):
        actions.do_supervise(world.viewer, t.pk, note="", due_date="2026-03-06")
    with pytest.raises(InvalidInput):
        actions.do_supervise(world.viewer, t.pk, note="督办", due_date="下周")
    with pytest.raises(InvalidInput):
        actions.do_supervise(world.viewer, t.pk, note="督办", due_date="2026-03-01")
    assert not Supervision.objects.exists()


def test_the_daily_digest_goes_once_a_day_to_the_responsible_leader(world, clock):
    t1, t2 = street_ticket(world), street_ticket(world, "占道经营")
    other = street_ticket(world, "不督办的工单")
    actions.do_supervise(world.viewer, t1.pk, note="限期解决", due_date="2026-03-03")
    actions.do_supervise(world.dispatcher, t2.pk, note="限期解决", due_date="2026-03-10")
    assert send_daily_digests() == 1
    [digest] = _notified(world.leader_a, "digest")
    assert t1.number in digest.body and t2.number in digest.body and other.number not in digest.body
    assert world.cat_noise.name in digest.body and t1.title not in digest.body and t2.title not in digest.body
    assert "2件" in digest.title
    assert not _notified(world.handler_a, "digest")  # the leader's, not every handler's
    assert DigestRun.objects.get(user=world.leader_a).tickets == [t1.pk, t2.pk]
    # A second run the same day sends nothing.
    clock.advance(hours=5)
    assert send_daily_digests() == 0
    assert len(_notified(world.leader_a, "digest")) == 1
    # Another day, another digest; the one past its due date says so.
    clock.advance(days=2)
    assert send_daily_digests() == 1
    latest = Notification.objects.filter(user=world.leader_a, kind="digest").order_by("-created_at").first()
    assert "1件已逾期" in latest.title and "（已逾期）" in latest.body


def test_no_digest_without_open_supervised_work(world, clock):
    t = street_ticket(world)
    actions.do_supervise(world.viewer, t.pk, note="限期解决", due_date="2026-03-06")
    actions.do_end_supervision(world.viewer, t.pk, note="已解决")
    assert send_daily_digests() == 0 and not DigestRun.objects.exists()
    assert send_daily_digests(now=clock.advance(days=1)) == 0
