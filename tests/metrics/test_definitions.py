"""Metric arithmetic over counters: denominators, empty denominators, display, the composite (no database)."""

from decimal import Decimal

from gridgov.metrics.definitions import METRICS, compute, figures


def test_every_rate_names_its_denominator_and_base():
    for code, metric in METRICS.items():
        if metric.kind == "rate":
            assert metric.denominator, code
            assert compute(code, {metric.denominator: 1}).base.startswith(("交办", "应办结", "已办结", "有效回访"))
    assert "按交办记录计" in compute("signed_rate", {}, basis="ticket").base


def test_close_rate_is_over_closed_plus_overdue():
    f = compute("close_rate", {"closed": 97, "overdue_open": 3})
    assert (f.numerator, f.denominator, f.value, f.display) == (97, 100, Decimal("0.97"), "97.00%")


def test_rates_round_only_for_display():
    f = compute("satisfaction_rate", {"satisfied": 3537, "answered": 12516})
    assert f.value == Decimal(3537) / Decimal(12516) and f.display == "28.26%"
    # 50/101 = 49.50495…%: rounded once, not via a 6-place fraction first (which would give 49.51%).
    assert compute("satisfaction_rate", {"satisfied": 50, "answered": 101}).display == "49.50%"


def test_empty_denominator_gives_no_value():
    f = compute("satisfaction_rate", {})
    assert f.value is None and f.display == "—" and f.percent is None


def test_counts_and_sums_display():
    assert compute("received", {"received": 12516}).display == "12,516"
    assert compute("deduction", {"deduction": Decimal("27.5")}).display == "27.50"
    assert compute("avg_handle_hours", {"handle_seconds": 7200 * 3, "closed": 3}).value == Decimal("2.00")
    assert compute("per_thousand", {"received": 30, "population": 12000}).value == Decimal("2.50")


def test_three_rates_composite_is_weighted_and_none_when_a_part_is_missing():
    c = {"signed_on_time": 9, "assigned": 10, "resolved": 8, "satisfied": 7, "answered": 10}
    assert compute("three_rates", c).value == Decimal("0.8")
    assert compute("three_rates", c, weights={"response_rate": 1, "resolution_rate": 0, "satisfaction_rate": 0}).value == Decimal("0.9")
    assert compute("three_rates", {"assigned": 1}).value is None


def test_figures_evaluates_all_metrics_by_default():
    assert set(figures({})) == set(METRICS)
