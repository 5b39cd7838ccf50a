"""Scoring without a database: the seeds' correct figures are reproduced and scores never exceed their weights."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from gridgov.selfeval import scoring
from gridgov.selfeval.document import Indicator, in_wan, indicator_values, parse_value, wan
from tests.selfeval.seeds import SEED003_PAYOUTS, seed000, seed001, seed002, seed003
from tests.selfeval.sound import sound_department


def test_seed003_execution_371_76_of_400_scores_9_29_and_totals_99_29():
    data = seed003()
    assert in_wan(Decimal(sum(SEED003_PAYOUTS))) == Decimal("371.76")  # the quarterly payouts add up to what was executed
    assert scoring.execution_rate(data.amounts("total").executed, data.amounts("total").budget) == Decimal("92.94")
    assert scoring.execution_score(data) == Decimal("9.29")
    assert scoring.total_score(data) == Decimal("99.29")
    assert scoring.grade(scoring.total_score(data)) == "优"


def test_seed000_execution_is_9_84_not_the_9_printed():
    data = seed000()
    assert scoring.execution_rate(data.amounts("total").executed, data.amounts("total").budget) == Decimal("98.42")
    assert scoring.execution_score(data) == Decimal("9.84")
    assert scoring.total_score(data) == Decimal("99.84")


def test_seed000_line_rates_as_printed_where_right():
    data = seed000()
    rates = {key: scoring.execution_rate(a.executed, a.budget) for key, a in data.funds.items()}
    assert rates["personnel"] == Decimal("113.25") and rates["public"] == Decimal("73.48")
    assert rates["project"] == Decimal("82.88") and rates["basic"] == Decimal("109.91")
    hotline = data.projects[0].amounts
    assert scoring.execution_rate(hotline.executed, hotline.budget) == Decimal("67.09")  # printed 67%


def test_seed001_totals_and_grades():
    data = seed001()
    assert scoring.execution_score(data) == Decimal(10)
    assert scoring.total_score(data) == Decimal(95) and scoring.grade(Decimal(95)) == "优"
    totals = {c.project_name: scoring.total_score(c) for c in data.children}
    assert totals == {"网格员专项经费": Decimal(97), "城乡帮困项目": Decimal(96)}
    assert scoring.control_rate(12, 7) == Decimal("58.33")  # printed 58%
    assert scoring.weight_sums(data.children[1]) == {"产出指标": 60, "效益指标": 20, "满意度指标": 10}


def test_seed002_project_rates():
    rates = [scoring.execution_rate(p.amounts.executed, p.amounts.budget) for p in seed002().projects]
    assert rates == [Decimal("95.16"), Decimal("45.33")]


def test_grades_at_their_boundaries():
    assert [scoring.grade(Decimal(x)) for x in ("90", "89.99", "80", "79.99", "60", "59.99", "0")] == \
        ["优", "良", "良", "中", "中", "差", "差"]


def test_execution_above_100_percent_scores_the_weight():
    data = sound_department()
    data.funds["total"].executed = wan("500")
    assert scoring.execution_score(data) == Decimal(10)


def _indicator(target, actual, weight=10, level2="数量指标"):
    return Indicator("产出指标", level2, "x", Decimal(weight), **indicator_values(target, actual))


def test_positive_negative_equal_and_qualitative_indicators():
    assert scoring.indicator_score(_indicator("≥95%", "90%")) == Decimal("9.47")
    assert scoring.indicator_score(_indicator("≥95%", "99%")) == Decimal(10)
    assert scoring.indicator_score(_indicator("≤2天", "4天")) == Decimal(5)
    assert scoring.indicator_score(_indicator("≤2天", "1天")) == Decimal(10)
    assert scoring.indicator_score(_indicator("=12次", "9次")) == Decimal("7.50")
    assert scoring.indicator_score(_indicator("290.32万元", "300万元", level2="成本指标")) == Decimal("9.68")
    assert scoring.indicator_score(_indicator("不断提升", "有所提升")) is None
    assert scoring.indicator_score(_indicator("≥25个项目", "100%")) is None  # units differ: no formula applies


def test_qualitative_bands():
    row = _indicator("不断提升", "有所提升")
    row.score = Decimal(7)
    assert scoring.qualitative_band(row) == "部分达成"
    row.score = Decimal(9)
    assert scoring.qualitative_band(row) == "达成"


def test_parse_value():
    assert parse_value("≥25个项目") == ("≥", Decimal(25), "个项目")
    assert parse_value(">= 95 %") == ("≥", Decimal(95), "%")
    assert parse_value("290.32万元") == ("", Decimal("290.32"), "万元")
    assert parse_value("2022年1月-12月") is None and parse_value("不断提升") is None


@given(comparator=st.sampled_from(["≥", "≤", "="]),
       target=st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False),
       actual=st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False),
       weight=st.decimals(min_value=0, max_value=50, places=1, allow_nan=False))
def test_a_formula_score_is_never_above_its_weight_nor_negative(comparator, target, actual, weight):
    row = Indicator("产出指标", "数量指标", "x", weight, comparator=comparator, target=target, unit="件",
                    actual=actual, actual_unit="件")
    score = scoring.indicator_score(row)
    assert Decimal(0) <= score <= weight
