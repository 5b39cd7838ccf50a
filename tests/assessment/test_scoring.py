"""Pure scoring: transformations, ties at band boundaries, quotas, thresholds, awards, deductions, determinism, diff."""

import random
from decimal import Decimal

import pytest

from gridgov.assessment.scoring import Subject, diff, parse_spec, score
from gridgov.core.errors import InvalidInput

D = Decimal


def rate_spec(**extra):
    """One rate term weighted 1, unsatisfied breaking ties, then whatever the test adds."""
    spec = {"terms": [{"metric": "satisfaction_rate", "transform": "rate", "weight": 1}],
            "tie_break": [{"metric": "unsatisfied", "order": "asc"}]}
    spec.update(extra)
    return parse_spec(spec)


def subjects(*rows):
    """Subjects from (key, satisfaction rate, unsatisfied[, kind]) rows."""
    return [Subject(key, f"对象{key}", {"satisfaction_rate": rate, "unsatisfied": uns}, kind=rest[0] if rest else "")
            for key, rate, uns, *rest in rows]


PERCENT_30_60_10 = {"method": "percentage", "bands": [
    {"klass": "一类", "share": 30}, {"klass": "二类", "share": 60}, {"klass": "三类", "share": 10}]}


def test_weighted_sum_of_transformed_metrics():
    spec = parse_spec({"terms": [
        {"metric": "response_rate", "transform": "rate", "weight": 30},
        {"metric": "satisfaction_rate", "transform": "rate", "weight": 70},
        {"metric": "unsatisfied", "transform": "linear", "lo": 10, "hi": 0, "weight": 0.5},
    ]})
    out = score(spec, [Subject("a", "甲", {"response_rate": D("0.9"), "satisfaction_rate": D("0.8"), "unsatisfied": 4})])
    # (90×30 + 80×70 + 60×0.5) / 100.5 = 8330 / 100.5
    assert out.results[0].score == D("82.89")
    assert [p["sub"] for p in out.results[0].parts] == ["90.00", "80.00", "60.00"]


def test_linear_is_clipped_and_inverse_and_per_thousand_favour_fewer():
    spec = parse_spec({"terms": [
        {"metric": "avg_handle_hours", "transform": "inverse", "target": 24, "weight": 1},
        {"metric": "received", "transform": "per_thousand", "target": 2, "weight": 1},
        {"metric": "close_rate", "transform": "linear", "lo": "0.5", "hi": "0.9", "weight": 1},
    ]})
    out = score(spec, [Subject("a", "甲", {"avg_handle_hours": 48, "received": 8, "close_rate": "0.95"}, population=1000)])
    # 24/48 → 50; 8 per thousand vs target 2 → 25; 0.95 above hi → clipped to 100
    assert [p["sub"] for p in out.results[0].parts] == ["50.00", "25.00", "100.00"]
    assert out.results[0].score == D("58.33")


def test_missing_values_follow_the_stated_rule():
    spec = parse_spec({"terms": [
        {"metric": "satisfaction_rate", "transform": "rate", "weight": 1, "missing": "full"},
        {"metric": "resolution_rate", "transform": "rate", "weight": 1, "missing": "zero"},
        {"metric": "received", "transform": "per_thousand", "target": 1, "weight": 1, "missing": "zero"},
    ]})
    out = score(spec, [Subject("a", "甲", {"satisfaction_rate": None, "resolution_rate": None, "received": 3})])
    # No population: the per-thousand value is missing too.
    assert [p["sub"] for p in out.results[0].parts] == ["100.00", "0.00", "0.00"]
    assert "无数据时按满分计" in "".join(out.rules)


def test_deductions_subtract_points_with_a_cap():
    spec = parse_spec({"terms": [
        {"metric": "satisfaction_rate", "transform": "rate", "weight": 1},
        {"metric": "deduction", "transform": "deduct"},
        {"metric": "responsible", "transform": "deduct", "factor": 2, "cap": 5},
    ]})
    out = score(spec, [Subject("a", "甲", {"satisfaction_rate": D("0.95"), "deduction": D("1.5"), "responsible": 4}),
                       Subject("b", "乙", {"satisfaction_rate": D("0.95"), "deduction": None, "responsible": 0})])
    a, b = sorted(out.results, key=lambda r: r.key)
    assert (a.score, a.deduction) == (D("88.50"), D("6.50"))
    assert (b.score, b.deduction) == (D("95.00"), D("0.00"))
    assert [r.key for r in out.results] == ["b", "a"]


def test_percentage_bands_round_half_up_and_last_band_takes_the_rest():
    spec = rate_spec(classing=PERCENT_30_60_10)
    rows = [(f"k{i:02d}", D(100 - i) / 100, 0) for i in range(25)]
    out = score(spec, subjects(*rows))
    # 30% of 25 = 7.5 → 8; 90% of 25 = 22.5 → 23; the rest (2) are 三类.
    assert out.class_counts == {"一类": 8, "二类": 15, "三类": 2}
    assert "四舍五入" in out.rules[-1]


def test_ties_at_a_band_boundary_are_resolved_by_the_stated_order():
    spec = rate_spec(classing=PERCENT_30_60_10)
    # 10 objects: 一类 gets 3. Ranks 3 and 4 tie on score: fewer unsatisfied wins, then the code.
    rows = [("a", D("0.99"), 0), ("b", D("0.98"), 0), ("z", D("0.97"), 1), ("c", D("0.97"), 2),
            ("y", D("0.97"), 1), ("d", D("0.90"), 0), ("e", D("0.89"), 0), ("f", D("0.88"), 0),
            ("g", D("0.87"), 0), ("h", D("0.50"), 0)]
    out = score(spec, subjects(*rows))
    order = [(r.rank, r.key, r.klass) for r in out.results]
    assert order[:5] == [(1, "a", "一类"), (2, "b", "一类"), (3, "y", "一类"), (4, "z", "二类"), (5, "c", "二类")]
    assert out.results[-1].klass == "三类"
    assert "不满意量少者在前，再按对象编码升序" in "".join(out.rules)


def test_missing_tie_break_values_go_last():
    out = score(rate_spec(), subjects(("a", D("0.9"), None), ("b", D("0.9"), 3)))
    assert [r.key for r in out.results] == ["b", "a"]


def test_quota_takes_the_top_n_and_the_rest_by_thresholds():
    spec = rate_spec(classing={"method": "quota", "quota": 2, "klass": "优秀",
                               "bands": [{"klass": "合格", "min": 60}], "default": "基本合格"})
    out = score(spec, subjects(("a", D("0.95"), 0), ("b", D("0.90"), 1), ("c", D("0.90"), 0),
                               ("d", D("0.70"), 0), ("e", D("0.40"), 0)))
    assert [(r.key, r.klass) for r in out.results] == [
        ("a", "优秀"), ("c", "优秀"), ("b", "合格"), ("d", "合格"), ("e", "基本合格")]


def test_quota_larger_than_the_number_of_objects_lets_all_qualify():
    spec = rate_spec(classing={"method": "quota", "quota": 355, "klass": "优秀", "default": "合格"})
    out = score(spec, subjects(("a", D("0.5"), 0), ("b", D("0.1"), 0)))
    assert out.class_counts == {"优秀": 2}


def test_quota_with_a_minimum_score():
    spec = rate_spec(classing={"method": "quota", "quota": 355, "klass": "优秀", "min_score": 80, "default": "合格"})
    out = score(spec, subjects(("a", D("0.85"), 0), ("b", D("0.79"), 0)))
    assert [(r.key, r.klass) for r in out.results] == [("a", "优秀"), ("b", "合格")]


def test_thresholds():
    spec = rate_spec(classing={"method": "thresholds", "default": "不合格",
                               "bands": [{"klass": "合格", "min": 60}, {"klass": "优秀", "min": 90}]})
    out = score(spec, subjects(("a", D("0.9"), 0), ("b", D("0.8999"), 0), ("c", D("0.6"), 0), ("d", D("0.5999"), 0)))
    # 89.99 rounds to 89.99 (below 90); 59.99 is below 60.
    assert [r.klass for r in out.results] == ["优秀", "合格", "合格", "不合格"]


def test_zero_complaint_award_urban_and_rural_in_decimal_yuan():
    spec = parse_spec({"awards": [{"name": "零投诉奖励",
                                   "when": {"metric": "received", "scope_channel": "h12345", "op": "==", "value": 0},
                                   "amount": {"urban": "5000.00", "default": "3000.00"}}]})
    subs = [Subject("c1", "金茂社区", {"received@h12345": 0}, kind="urban"),
            Subject("c2", "桐木村", {"received@h12345": 0}, kind="rural"),
            Subject("c3", "桃花岭社区", {"received@h12345": 2}, kind="urban"),
            Subject("c4", "无数据村", {"received@h12345": None}, kind="rural")]
    out = score(spec, subs)
    awards = {r.key: r.award for r in out.results}
    assert awards == {"c1": D("5000.00"), "c2": D("3000.00"), "c3": D("0.00"), "c4": D("0.00")}
    assert all(isinstance(a, Decimal) for a in awards.values())
    assert out.total_award == D("8000.00")
    assert [m.key for m in spec.metric_refs()] == ["received@h12345"]


def test_awards_by_class_and_by_score():
    spec = rate_spec(classing={"method": "quota", "quota": 1, "klass": "优秀", "default": "合格"},
                     awards=[{"name": "优秀奖", "when": {"klass": "优秀"}, "amount": "1000"},
                             {"name": "高分奖", "when": {"on": "score", "op": ">=", "value": 80}, "amount": "100.5"}])
    out = score(spec, subjects(("a", D("0.9"), 0), ("b", D("0.85"), 0), ("c", D("0.1"), 0)))
    assert [(r.key, r.award) for r in out.results] == [("a", D("1100.50")), ("b", D("100.50")), ("c", D("0.00"))]
    assert out.results[0].award_items == [{"name": "优秀奖", "amount": "1000.00"}, {"name": "高分奖", "amount": "100.50"}]


def test_same_inputs_give_identical_results_whatever_the_input_order():
    spec = rate_spec(classing=PERCENT_30_60_10)
    rng = random.Random(7)
    rows = [(f"g{i:03d}", D(rng.randint(80, 100)) / 100, rng.randint(0, 3)) for i in range(200)]
    first = [r.as_dict() for r in score(spec, subjects(*rows)).results]
    rng.shuffle(rows)
    second = [r.as_dict() for r in score(spec, subjects(*rows)).results]
    assert first == second
    assert [r["rank"] for r in first] == list(range(1, 201))


def test_string_and_int_inputs_equal_decimal_inputs():
    spec = rate_spec()
    a = score(spec, subjects(("a", "0.875", "2"))).results[0].as_dict()
    b = score(spec, subjects(("a", D("0.875"), 2))).results[0].as_dict()
    assert a == b and a["score"] == "87.50"


def test_diff_lists_changed_added_and_removed_objects():
    spec = rate_spec(classing={"method": "thresholds", "bands": [{"klass": "合格", "min": 60}], "default": "不合格"})
    old = score(spec, subjects(("a", D("0.9"), 0), ("b", D("0.7"), 0), ("c", D("0.5"), 0))).results
    new = score(spec, subjects(("a", D("0.9"), 0), ("b", D("0.55"), 0), ("d", D("0.8"), 0))).results
    changes = diff(old, new)
    assert [(c["key"], c["change"]) for c in changes] == [("b", "changed"), ("c", "removed"), ("d", "added")]
    assert changes[0]["fields"] == {"score": ["70.00", "55.00"], "klass": ["合格", "不合格"]}
    assert diff(old, [r.as_dict() for r in old]) == []


@pytest.mark.parametrize("spec, message", [
    ({"terms": [{"metric": "nope", "weight": 1}]}, "未知的指标编码"),
    ({"terms": [{"metric": "received", "transform": "square", "weight": 1}]}, "未知的换算方式"),
    ({"terms": [{"metric": "received", "weight": 0}]}, "权重必须大于0"),
    ({"terms": [{"metric": "received", "transform": "linear", "lo": 1, "hi": 1, "weight": 1}]}, "不能相等"),
    ({"classing": {"method": "percentage", "bands": [{"klass": "一类", "share": 30}, {"klass": "二类", "share": 60}]}}, "合计为100"),
    ({"classing": {"method": "quota", "quota": -1, "klass": "优秀", "default": "合格"}}, "非负整数"),
    ({"classing": {"method": "thresholds", "bands": [{"klass": "合格", "min": 60}]}}, "default"),
    ({"awards": [{"when": {"metric": "received", "value": 0}, "amount": {"urban": "5000"}}]}, "default"),
    ({"terms": [], "awards": []}, "至少要有"),
    ({"weights": {}}, "未知的项"),
    ([], "JSON对象"),
])
def test_invalid_specs_are_refused_in_chinese(spec, message):
    with pytest.raises(InvalidInput) as e:
        parse_spec(spec)
    assert message in e.value.message


def test_duplicate_object_keys_are_refused():
    with pytest.raises(InvalidInput):
        score(rate_spec(), subjects(("a", 1, 0), ("a", 1, 0)))


def test_channel_names_make_the_rule_text_readable():
    spec = parse_spec({"awards": [{"when": {"metric": "received", "channel": "h12345", "value": 0}, "amount": "1"}]})
    out = score(spec, [], channel_names={"h12345": "12345热线"})
    assert "受理量（12345热线）==0" in "".join(out.rules)
