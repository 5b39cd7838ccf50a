"""The department figures 报到次数 and 迟到报到: live counts from the summons, by unit and period, never stored."""

from datetime import datetime, timezone

import pytest

from gridgov.metrics.behind import tickets_behind
from gridgov.metrics.compute import Scope, breakdown, counts, figures
from gridgov.metrics.definitions import METRICS, STORED_COUNTERS, compute
from gridgov.metrics.models import UnitMonthCount
from gridgov.metrics.periods import Period
from gridgov.whistles import actions
from tests.whistles.conftest import street_ticket

pytestmark = pytest.mark.django_db
MARCH = Period.month(2026, 3)
CODES = ["whistle_checkins", "whistle_late"]


@pytest.fixture
def march(world, clock):
    """Three whistles in March and one in April.

    区城管局: on time once, late once. 区人社局: not checked in past its deadline, and one summons not yet due.
    """
    t1 = street_ticket(world)
    w1 = actions.do_blow(world.handler_a, t1.pk, unit_ids=[world.dept_city.pk, world.dept_labour.pk], reason="一")
    actions.do_check_in(world.handler_city, w1.summons.get(unit=world.dept_city).pk)  # at once: on time
    clock.advance(days=1)
    t2 = street_ticket(world)
    w2 = actions.do_blow(world.handler_a, t2.pk, unit_ids=[world.dept_city.pk], reason="二", checkin_limit=1, checkin_limit_unit="hours")
    clock.advance(hours=3)
    actions.do_check_in(world.handler_city, w2.summons.get(unit=world.dept_city).pk)  # two hours late
    clock.at = datetime(2026, 3, 31, 7, 0, tzinfo=timezone.utc)  # 31 March 15:00 Beijing
    t3 = street_ticket(world)
    actions.do_blow(world.handler_a, t3.pk, unit_ids=[world.dept_labour.pk], reason="三", checkin_limit=1)  # due 16:00
    clock.at = datetime(2026, 4, 1, 2, 0, tzinfo=timezone.utc)
    t4 = street_ticket(world)
    actions.do_blow(world.handler_a, t4.pk, unit_ids=[world.dept_city.pk], reason="四月")
    clock.at = datetime(2026, 3, 31, 7, 30, tzinfo=timezone.utc)  # before the third summons is due
    return {"t1": t1, "t2": t2, "t3": t3, "t4": t4}


def test_the_metrics_are_defined_once_with_their_base():
    assert METRICS["whistle_checkins"].name == "报到次数" and METRICS["whistle_late"].name == "迟到报到"
    assert not set(CODES) & set(STORED_COUNTERS)
    f = compute("whistle_late", {"whistle_late": 3})
    assert (f.value, f.display) == (3, "3") and "按吹哨召集计" in f.base


def test_late_check_ins_per_department_for_a_month(world, march, clock):
    city = figures(MARCH, Scope(unit=world.dept_city.pk), codes=CODES)
    assert (city["whistle_checkins"].value, city["whistle_late"].value) == (2, 1)
    labour = figures(MARCH, Scope(unit=world.dept_labour.pk), codes=CODES)
    assert (labour["whistle_checkins"].value, labour["whistle_late"].value) == (0, 1)  # the first, never checked in
    # Lateness is derived from the clock: once the third summons' deadline passes it counts too.
    later = datetime(2026, 3, 31, 8, 30, tzinfo=timezone.utc)
    assert figures(MARCH, Scope(unit=world.dept_labour.pk), codes=CODES, now=later)["whistle_late"].value == 2
    rows = {r.key: r.figures for r in breakdown(MARCH, "unit", codes=CODES)}
    assert rows[str(world.dept_city.pk)]["whistle_late"].value == 1
    assert rows[str(world.dept_labour.pk)]["whistle_late"].value == 1
    assert rows[str(world.unit_a.pk)]["whistle_checkins"].value == 0
    # April's whistle is April's: the period is the tickets received in it, as for every figure.
    april = figures(Period.month(2026, 4), Scope(unit=world.dept_city.pk), codes=CODES)
    assert (april["whistle_checkins"].value, april["whistle_late"].value) == (0, 0)
    district = figures(MARCH, codes=CODES)
    assert (district["whistle_checkins"].value, district["whistle_late"].value) == (2, 2)


def test_the_stored_counts_neither_hold_nor_change_the_whistle_figures(world, march):
    assert not any(hasattr(UnitMonthCount, c) for c in CODES)
    for scope in (Scope(unit=world.dept_city.pk), Scope(unit_group="社会发展"), Scope()):
        stored, fresh = counts(MARCH, scope), counts(MARCH, scope, fresh=True)
        assert {c: stored[None][c] for c in CODES} == {c: fresh[None][c] for c in CODES}


def test_the_tickets_behind_the_late_figure(world, march):
    late = tickets_behind(world.dispatcher, MARCH, Scope(unit=world.dept_city.pk), "whistle_late")
    assert list(late.values_list("pk", flat=True)) == [march["t2"].pk]
    behind = tickets_behind(world.dispatcher, MARCH, Scope(), "whistle_checkins")
    assert set(behind.values_list("pk", flat=True)) == {march["t1"].pk, march["t2"].pk}
    # Through the viewer's visibility, like every list: another street sees none of them.
    assert not tickets_behind(world.handler_b, MARCH, Scope(), "whistle_checkins").exists()
