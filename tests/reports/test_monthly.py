"""The monthly 通报's content: key figures with month-on-month change, rankings, classes, metadata."""

from decimal import Decimal

import pytest

from django.db.models import F

from gridgov.assessment.models import Run, RunResult, RuleSet
from gridgov.callbacks.models import Callback
from gridgov.metrics import cube
from gridgov.tickets.models import Assignment, Ticket
from gridgov.core.errors import InvalidInput
from gridgov.reports import monthly
from gridgov.reports.monthly import RankRow, assign_classes
from tests.reports.conftest import NOW


def _rows(n):
    return [RankRow(i + 1, str(i), str(i), str(i), {}) for i in range(n)]


@pytest.mark.parametrize("n, expected", [
    (10, [3, 6, 1]), (17, [5, 10, 2]), (19, [6, 11, 2]), (2, [1, 1, 0]), (1, [0, 1, 0]), (0, [0, 0, 0]),
])
def test_classes_are_30_60_10_of_the_ranked_list_with_band_ends_rounded_half_up(n, expected):
    rows = _rows(n)
    assign_classes(rows)
    assert [sum(r.klass == k for r in rows) for k in ("一类", "二类", "三类")] == expected
    # Classes follow rank order: never a better class below a worse one.
    assert [r.klass for r in rows] == sorted((r.klass for r in rows), key="一类二类三类".index)


def test_parse_month_refuses_anything_but_a_month():
    assert monthly.parse_month("2026-05").slug == "2026-05"
    for bad in ("2026-13", "2026", "2026-Q2", "五月", ""):
        with pytest.raises(InvalidInput, match="YYYY-MM"):
            monthly.parse_month(bad)


@pytest.mark.django_db
def test_key_figures_with_month_on_month_change_and_their_bases(month):
    r = monthly.build(month.period)
    assert r.title == "岳麓区网格化综合服务中心 2026年5月工作通报"
    assert r.computed_at == NOW and r.previous.slug == "2026-04"
    k = {kf.figure.code: kf for kf in r.key_figures}
    assert list(k) == monthly.KEY_CODES
    assert (k["received"].figure.value, k["received"].previous.value) == (month.may_received, month.april_received)
    assert k["received"].change == 7 and k["received"].change_text == "+7件（+233.33%）"
    # 10 answered callbacks in May, 8 satisfied or basic; April all 3 satisfied.
    sat = k["satisfaction_rate"]
    assert (sat.figure.numerator, sat.figure.denominator, str(sat.figure.percent)) == (8, 10, "80.00")
    assert sat.change == Decimal("-20.00") and sat.change_text == "-20.00个百分点"
    assert "有效回访工单" in sat.figure.base and "按工单计" in sat.figure.base
    assert k["unsatisfied"].figure.value == 2 and k["overdue_open"].figure.value == 0
    # The ticket set behind the figures is recorded: every ticket received in May, located or not.
    assert r.ticket_count == month.may_received == len(r.tickets) and len(r.ticket_digest) == 64
    assert any("三率综合 = 响应率33.33%，解决率33.33%，满意率33.33%" in line for line in r.rules)
    assert "计算时间：2026-06-10 10:00" in r.footer() and "共2件" in r.footer()


@pytest.mark.django_db
def test_street_and_department_rankings_with_classes(month):
    r = monthly.build(month.period)
    streets, departments = r.rankings
    # 望月湖: response 100%, resolution and satisfaction 4/5 → 86.67%; 莲花镇: 人社 signed late, response 2/4 → 83.33%.
    assert [(x.rank, x.label, str(x.figures["three_rates"].percent), x.klass) for x in streets.rows] == [
        (1, "望月湖街道", "86.67", "一类"), (2, "莲花镇", "83.33", "二类")]
    assert streets.source == "按本通报规则计算" and "受理工单多者在前" in streets.order_rule
    assert "按工单计" in streets.basis
    # Unit basis: 人社 has 3 tickets (2 signed late, 1 unsatisfied): (1/3 + 2/3 + 2/3) / 3.
    assert [(x.rank, x.label, str(x.figures["three_rates"].percent), x.klass) for x in departments.rows] == [
        (1, "区城市管理和综合执法局", "100.00", "一类"), (2, "区人力资源和社会保障局", "55.56", "二类")]
    assert "按单位计" in departments.basis and departments.unranked == []
    assert [c.share.label for c in r.categories] == ["城市管理", "劳资纠纷"]
    assert [(c.share.count, c.share.base, str(c.share.percent)) for c in r.categories] == [(7, 10, "70.00"), (3, 10, "30.00")]


@pytest.mark.django_db
def test_ties_go_to_more_tickets_then_to_the_code(month):
    w = month.w
    # Everyone perfect: both streets' 三率综合 are 100%.
    Assignment.objects.update(signed_at=F("dispatched_at"))
    Callback.objects.update(satisfaction="satisfied", resolved=True)

    def order():
        cube.rebuild(month.period)
        return [(x.label, x.figures["received"].value) for x in monthly.build(month.period).rankings[0].rows]

    may_a = Ticket.objects.filter(area=w.grid_a1, received_at__month=5, category=w.cat_noise).order_by("pk")
    may_a.first().delete()
    assert order() == [("望月湖街道", 4), ("莲花镇", 4)]  # equal tickets: code order
    may_a.first().delete()
    assert order() == [("莲花镇", 4), ("望月湖街道", 3)]  # more tickets first


@pytest.mark.django_db
def test_a_published_assessment_run_gives_the_order_and_classes(month):
    w = month.w
    rule = RuleSet.objects.create(code="street-monthly", name="街道月度考核", object_kind="street", spec={
        "period_kind": "month", "terms": [{"metric": "received", "transform": "rate", "weight": 1}], "classing": {"method": "none"}})
    run = Run.objects.create(rule_set=rule, rule_code=rule.code, period_slug="2026-05", period_kind="month",
                             period_start=month.period.start, period_end=month.period.end, computed_at=NOW,
                             inputs={}, inputs_digest="0" * 64, results_digest="0" * 64, summary={"rules": ["按考核规则"]})
    RunResult.objects.create(run=run, object_key=w.street_b.code, label="莲花镇", rank=1, score=Decimal("99"), klass="一类")
    RunResult.objects.create(run=run, object_key=w.street_a.code, label="望月湖街道", rank=2, score=Decimal("90"), klass="三类")
    Run.objects.filter(pk=run.pk).update(state=Run.State.PUBLISHED, published_at=NOW)

    report = monthly.build(month.period)
    streets = report.rankings[0]
    assert [(x.rank, x.label, x.klass) for x in streets.rows] == [(1, "莲花镇", "一类"), (2, "望月湖街道", "三类")]
    assert streets.order_rule == "按考核规则" and any(line.startswith("街道（镇）排名：名次与档次取自") for line in report.rules)
    assert report.rankings[1].source == "按本通报规则计算"  # no published department run this month
    assert streets.source.startswith("名次与档次取自已发布的考核结果：街道月度考核（street-monthly v1") and f"计算#{run.pk}" in streets.source
    # A street's own report ranks its communities by the report's rule, not the district's run.
    own = monthly.build(month.period, area=w.street_a.code)
    assert own.title == "岳麓区网格化综合服务中心 2026年5月望月湖街道工作通报"
    assert own.rankings[0].object_name == "社区（村）" and own.rankings[0].source == "按本通报规则计算"
    assert own.ticket_count == 5


@pytest.mark.django_db
def test_unknown_area_is_refused_in_chinese(month):
    with pytest.raises(InvalidInput, match="区域不存在：999"):
        monthly.build(month.period, area="999")
