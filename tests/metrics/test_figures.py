"""Every metric over a hand-made month of tickets with known answers: joint tickets, extensions, rework, merges, holidays."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from gridgov.core.models import Holiday
from gridgov.metrics import cube
from gridgov.metrics.behind import tickets_behind
from gridgov.metrics.compute import Scope, breakdown, counts, crosstab, figures
from gridgov.metrics.definitions import ALL_COUNTERS
from gridgov.metrics.periods import Period
from gridgov.tickets import actions
from tests.conftest import MONDAY_10AM

T = MONDAY_10AM  # 2026-03-02 10:00 Beijing, a Monday
MARCH = Period.month(2026, 3)
MARCH_AS_RANGE = Period.range(date(2026, 3, 1), date(2026, 3, 31))
NOW = datetime(2026, 4, 2, 2, 0, tzinfo=timezone.utc)  # when the figures are read


def at(**delta):
    return T + timedelta(**delta)


def _receive(w, minutes, category=None):
    return actions.do_receive(w.operator, channel="h12345", category=(category or w.cat_noise).code, title="诉求",
                              description="诉求内容", lon=0.5, lat=0.5, now=at(minutes=minutes))


def _lead(t):
    return t.assignments.get(role="lead", round=t.__class__.objects.get(pk=t.pk).dispatch_round)


@pytest.fixture
def march(world):
    """The month: eight tickets in March, one in April."""
    w = world
    d, h = w.dispatcher, w.handler_a
    tickets = {}

    # T1: plain, on time, satisfied and resolved.
    t1 = tickets["t1"] = _receive(w, 0)
    actions.do_dispatch(d, t1.pk, lead_unit_id=w.unit_a.pk, now=at(minutes=1))
    actions.do_sign(h, t1.pk, assignment_id=_lead(t1).pk, now=at(minutes=5))
    actions.do_report(h, t1.pk, assignment_id=_lead(t1).pk, result="已处理", now=at(days=1))
    actions.do_close(d, t1.pk, now=at(days=1, hours=1))
    actions.do_callback(w.operator, t1.pk, method="phone", satisfaction="satisfied", resolved=True, now=at(days=2))

    # T2: joint (street lead + department support); unsatisfied, investigated, the street found responsible.
    t2 = tickets["t2"] = _receive(w, 10, w.cat_road)
    actions.do_dispatch(d, t2.pk, lead_unit_id=w.unit_a.pk, support_unit_ids=[w.dept_city.pk], now=at(minutes=11))
    actions.do_sign(h, t2.pk, assignment_id=_lead(t2).pk, now=at(minutes=15))
    support = t2.assignments.get(role="support")
    actions.do_sign(w.handler_city, t2.pk, assignment_id=support.pk, now=at(minutes=20))
    actions.do_report(w.handler_city, t2.pk, assignment_id=support.pk, result="已配合", now=at(hours=20))
    actions.do_report(h, t2.pk, assignment_id=_lead(t2).pk, result="已处理", now=at(days=1))
    actions.do_close(d, t2.pk, now=at(days=1, hours=2))
    actions.do_callback(w.operator, t2.pk, method="phone", satisfaction="unsatisfied", resolved=False, now=at(days=2))
    inv = actions.do_open_investigation(w.investigator, t2.pk, now=at(days=2, hours=1))
    actions.do_conclude_investigation(w.investigator, t2.pk, investigation_id=inv.pk, finding="responsible",
                                      responsible_unit_id=w.unit_a.pk, deduction_points=Decimal("2.00"), note="处置不到位",
                                      now=at(days=3))

    # T3: a department signs late, gets an extension and closes after the original deadline but inside the new one.
    t3 = tickets["t3"] = _receive(w, 20, w.cat_wages)
    actions.do_dispatch(d, t3.pk, lead_unit_id=w.dept_labour.pk, now=at(minutes=21))
    lead3 = _lead(t3)
    actions.do_sign(w.handler_labour, t3.pk, assignment_id=lead3.pk, now=at(hours=3))  # sign limit: 1 working hour
    ext = actions.do_request_extension(w.handler_labour, t3.pk, assignment_id=lead3.pk, amount=3, limit_unit="work_days",
                                       reason="需调查取证", now=at(days=2))
    actions.do_approve_extension(d, t3.pk, extension_id=ext.pk, now=at(days=2, hours=1))
    actions.do_report(w.handler_labour, t3.pk, assignment_id=lead3.pk, result="已追回", now=datetime(2026, 3, 24, 2, tzinfo=timezone.utc))
    actions.do_close(d, t3.pk, now=datetime(2026, 3, 25, 2, tzinfo=timezone.utc))  # 15 working days end 03-23 10:00
    actions.do_callback(w.operator, t3.pk, method="phone", satisfaction="basic", resolved=True, now=datetime(2026, 3, 26, 2, tzinfo=timezone.utc))

    # T4: sent back once (rework), closed; the first callback did not get through, the second did.
    t4 = tickets["t4"] = _receive(w, 30)
    actions.do_dispatch(d, t4.pk, lead_unit_id=w.unit_a.pk, now=at(minutes=31))
    actions.do_sign(h, t4.pk, assignment_id=_lead(t4).pk, now=at(minutes=35))
    actions.do_report(h, t4.pk, assignment_id=_lead(t4).pk, result="初次处理", now=at(hours=5))
    actions.do_rework(d, t4.pk, reason="未到现场", now=at(hours=6))
    actions.do_report(h, t4.pk, assignment_id=_lead(t4).pk, result="到现场处理", now=at(days=2))
    actions.do_close(d, t4.pk, now=at(days=2, hours=1))
    actions.do_callback(w.operator, t4.pk, method="phone", answered=False, now=at(days=3))
    actions.do_callback(w.operator, t4.pk, method="phone", satisfaction="satisfied", resolved=True, now=at(days=4))

    # T5: dispatched, then merged into T1 (its assignment is withdrawn).
    t5 = tickets["t5"] = _receive(w, 40)
    actions.do_dispatch(d, t5.pk, lead_unit_id=w.unit_a.pk, now=at(minutes=41))
    actions.do_merge(d, t5.pk, parent_id=t1.pk, now=at(minutes=45))

    # T6: rejected.
    t6 = tickets["t6"] = _receive(w, 50)
    actions.do_reject(d, t6.pk, reason="不属于受理范围", now=at(minutes=51))

    # T7: dispatched, never signed: overdue when the figures are read.
    t7 = tickets["t7"] = _receive(w, 60)
    actions.do_dispatch(d, t7.pk, lead_unit_id=w.unit_a.pk, now=at(minutes=61))

    # Th: closed on 03-16 15:00 — late by the plain calendar (deadline 03-16 10:00), on time because 03-16 is a holiday here.
    Holiday.objects.create(date=date(2026, 3, 16), is_workday=False, name="测试假日")
    th = tickets["th"] = _receive(w, 70)
    actions.do_dispatch(d, th.pk, lead_unit_id=w.unit_a.pk, now=at(minutes=71))
    actions.do_sign(h, th.pk, assignment_id=_lead(th).pk, now=at(minutes=75))
    actions.do_report(h, th.pk, assignment_id=_lead(th).pk, result="已处理", now=datetime(2026, 3, 16, 6, tzinfo=timezone.utc))
    actions.do_close(d, th.pk, now=datetime(2026, 3, 16, 7, tzinfo=timezone.utc))

    # April: outside the month.
    tickets["april"] = actions.do_receive(w.operator, channel="h12345", category=w.cat_noise.code, title="四月", description="四月",
                                          lon=0.5, lat=0.5, now=datetime(2026, 4, 1, 2, tzinfo=timezone.utc))
    return tickets


EXPECTED_TICKET_BASIS = {
    "received": 8, "rejected": 1, "merged": 1, "closed": 5, "closed_on_time": 5, "overdue_open": 1,
    "assigned": 8, "signed": 6, "signed_on_time": 5, "called": 4, "answered": 4, "satisfied": 3, "resolved": 3,
    "unsatisfied": 1, "investigated": 1, "responsible": 1, "deduction": Decimal("2.00"),
}


def _values(figs):
    return {code: f.value for code, f in figs.items()}


@pytest.mark.parametrize("period", [MARCH, MARCH_AS_RANGE], ids=["month", "range"])
@pytest.mark.parametrize("fresh", [False, True], ids=["stored", "counted"])
def test_ticket_basis_figures(march, period, fresh):
    raw = counts(period, now=NOW, fresh=fresh)[None]
    assert {k: raw[k] for k in EXPECTED_TICKET_BASIS} == EXPECTED_TICKET_BASIS
    f = figures(period, now=NOW, fresh=fresh)
    assert f["received"].value == 8
    assert (f["close_rate"].numerator, f["close_rate"].denominator) == (5, 6)  # 应办结 = 5 closed + 1 overdue
    assert f["close_rate"].value == f["ontime_close_rate"].value == Decimal(5) / Decimal(6)
    assert f["close_rate"].display == "83.33%"
    assert (f["signed_rate"].numerator, f["signed_rate"].denominator) == (6, 8)
    assert (f["timely_sign_rate"].numerator, f["response_rate"].numerator, f["response_rate"].denominator) == (5, 5, 8)
    assert (f["callback_rate"].numerator, f["callback_rate"].denominator) == (4, 5)
    assert (f["satisfaction_rate"].value, f["resolution_rate"].value) == (Decimal("0.75"), Decimal("0.75"))
    # Equal thirds of 62.5% response, 75% resolution, 75% satisfaction.
    assert f["three_rates"].value.quantize(Decimal("0.000001")) == Decimal("0.708333")
    assert f["three_rates"].percent == Decimal("70.83")
    assert (f["unsatisfied"].value, f["investigated"].value, f["responsible"].value) == (1, 1, 1)
    assert f["deduction"].value == Decimal("2.00")
    assert "按工单计" in f["satisfaction_rate"].base


def test_weights_of_the_composite_are_configurable(march):
    f = figures(MARCH, now=NOW, weights={"response_rate": 2, "resolution_rate": 1, "satisfaction_rate": 1})
    assert f["three_rates"].value == Decimal("0.6875")  # (2×0.625 + 0.75 + 0.75) / 4


@pytest.mark.parametrize("fresh", [False, True], ids=["stored", "counted"])
def test_joint_tickets_count_once_per_unit_on_the_unit_basis(world, march, fresh):
    rows = {r.key: r for r in breakdown(MARCH, "unit", codes=["received", "unsatisfied", "responsible", "deduction",
                                                                "signed_rate", "close_rate"], now=NOW, fresh=fresh)}
    a, city, labour = rows[str(world.unit_a.pk)], rows[str(world.dept_city.pk)], rows[str(world.dept_labour.pk)]
    # unit_a signed T1, T2, T4, Th; T5's assignment was withdrawn and T7's never signed.
    assert a.figures["received"].value == 4
    assert (a.figures["signed_rate"].numerator, a.figures["signed_rate"].denominator) == (4, 6)
    assert (a.figures["close_rate"].numerator, a.figures["close_rate"].denominator) == (4, 5)  # T7 is its overdue work
    assert (a.figures["unsatisfied"].value, a.figures["responsible"].value, a.figures["deduction"].value) == (1, 1, Decimal("2.00"))
    # The supporting department shares the unsatisfied joint ticket but not the finding.
    assert (city.figures["received"].value, city.figures["unsatisfied"].value, city.figures["responsible"].value) == (1, 1, 0)
    assert labour.figures["received"].value == 1
    total_unit = figures(MARCH, basis="unit", now=NOW, fresh=fresh)
    assert total_unit["unsatisfied"].value == 2 and figures(MARCH, now=NOW)["unsatisfied"].value == 1
    assert total_unit["received"].value == 6
    assert "每个签收单位各计一次" in total_unit["unsatisfied"].base
    groups = {r.key: r.figures["unsatisfied"].value for r in breakdown(MARCH, "unit_group", codes=["unsatisfied"], now=NOW, fresh=fresh)}
    assert groups["territorial"] == 1 and groups["经济管理"] == 1 and groups["社会发展"] == 0


def test_breakdowns_include_areas_without_tickets_and_agree_with_a_recount(world, march):
    streets = {r.key: r.figures["received"].value for r in breakdown(MARCH, "street", now=NOW)}
    assert streets == {world.street_a.code: 8, world.street_b.code: 0}
    grids = {r.key: r.figures["received"].value for r in breakdown(MARCH, "grid3", Scope(area=world.street_a.code), now=NOW)}
    assert grids == {world.grid_a1.code: 8, "430104001001002": 0}
    for by in ("street", "community", "category", "category_class", "channel", "month", "unit"):
        stored = [(r.key, _values(r.figures)) for r in breakdown(MARCH, by, now=NOW)]
        counted = [(r.key, _values(r.figures)) for r in breakdown(MARCH, by, now=NOW, fresh=True)]
        assert stored == counted, by
    classes = {r.label: r.figures["received"].value for r in breakdown(MARCH, "category_class", now=NOW)}
    assert classes == {"城市管理": 7, "劳资纠纷": 1}
    days = {r.key: r.figures["received"].value for r in breakdown(MARCH, "day", now=NOW)}
    assert days == {"2026-03-02": 8}


def test_scopes_narrow_the_ticket_set(world, march):
    assert figures(MARCH, Scope(category="0201"), now=NOW)["received"].value == 1
    assert figures(MARCH, Scope(area=world.street_b.code), now=NOW)["received"].value == 0
    assert figures(MARCH, Scope(channel="other"), now=NOW)["received"].value == 0
    assert figures(MARCH, Scope(unit=world.dept_labour.pk), now=NOW)["timely_sign_rate"].value == Decimal(0)
    assert figures(Period.month(2026, 4), now=NOW)["received"].value == 1


def test_the_stored_counts_equal_a_recount(march):
    assert cube.differences() == []


@pytest.mark.parametrize("counter", [c for c in ALL_COUNTERS if c != "handle_seconds"] + ["due"])
def test_the_tickets_behind_a_figure_are_the_ones_it_counts(world, march, counter):
    raw = counts(MARCH, now=NOW)[None]
    expected = raw["closed"] + raw["overdue_open"] if counter == "due" else raw[counter]
    behind = tickets_behind(world.dispatcher, MARCH, Scope(), counter, now=NOW)
    if counter in ("assigned", "signed", "signed_on_time"):
        assert behind.count() <= expected  # assignments: the list shows their distinct tickets
    elif counter == "deduction":
        assert behind.count() == raw["responsible"]
    else:
        assert behind.count() == expected


def test_the_tickets_behind_a_figure_respect_visibility(world, march):
    assert tickets_behind(world.handler_b, MARCH, Scope(), "received", now=NOW).count() == 0
    assert set(tickets_behind(world.handler_city, MARCH, Scope(), "received", now=NOW)) == {march["t2"]}
    unit_a = tickets_behind(world.dispatcher, MARCH, Scope(unit=world.unit_a.pk), "unsatisfied", now=NOW)
    assert list(unit_a) == [march["t2"]]


@pytest.mark.parametrize("fresh", [False, True], ids=["stored", "counted"])
def test_cross_table_category_by_street(world, march, fresh):
    table = crosstab(MARCH, "street", "category_class", codes=["received", "unsatisfied"], now=NOW, fresh=fresh)
    assert [k for k, _ in table.rows] == [world.street_a.code, world.street_b.code]
    assert [label for _, label in table.cols] == ["城市管理", "劳资纠纷"]
    assert table.value(world.street_a.code, "01", "received") == 7
    assert table.value(world.street_a.code, "02", "received") == 1
    assert table.value(world.street_b.code, "01", "received") == 0
    assert table.value(world.street_a.code, "01", "unsatisfied") == 1
    groups = crosstab(MARCH, "unit_group", "category_class", codes=["unsatisfied"], now=NOW, fresh=fresh)
    assert groups.value("territorial", "01", "unsatisfied") == 1 and groups.value("经济管理", "01", "unsatisfied") == 1
