"""Report periods: parsing, labels, local bounds and whole months (no database)."""

from datetime import date, datetime

import pytest

from gridgov.core.clock import LOCAL_TZ
from gridgov.core.errors import InvalidInput
from gridgov.metrics.periods import Period


@pytest.mark.parametrize("text,start,end,label", [
    ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026年"),
    ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), "2026年第二季度"),
    ("2026-02", date(2026, 2, 1), date(2026, 2, 28), "2026年2月"),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024年2月"),
    ("2026-W01", date(2025, 12, 29), date(2026, 1, 4), "2025年12月29日至2026年1月4日"),
    ("2026-05-03", date(2026, 5, 3), date(2026, 5, 3), "2026年5月3日"),
    ("2026-05-01..2026-05-20", date(2026, 5, 1), date(2026, 5, 20), "2026年5月1日至2026年5月20日"),
])
def test_parse_and_label(text, start, end, label):
    p = Period.parse(text)
    assert (p.start, p.end, p.label) == (start, end, label)
    assert Period.parse(p.slug) == p


@pytest.mark.parametrize("text", ["", "2026-13", "2026-Q5", "yesterday", "2026-05-20..2026-05-01", "2026-02-30"])
def test_bad_periods_are_refused_in_chinese(text):
    with pytest.raises(InvalidInput, match="统计期"):
        Period.parse(text)


def test_bounds_are_beijing_days():
    start, end = Period.parse("2026-05").bounds()
    assert start == datetime(2026, 5, 1, tzinfo=LOCAL_TZ) and end == datetime(2026, 6, 1, tzinfo=LOCAL_TZ)
    assert start.utcoffset().total_seconds() == 8 * 3600


def test_whole_months():
    assert Period.parse("2026-Q4").months() == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
    assert Period.parse("2026-01-01..2026-02-28").months() == [date(2026, 1, 1), date(2026, 2, 1)]
    assert Period.parse("2026-01-01..2026-02-27").months() is None
    assert Period.parse("2026-W10").months() is None


def test_previous():
    assert Period.parse("2026-01").previous() == Period.parse("2025-12")
    assert Period.parse("2026-Q1").previous() == Period.parse("2025-Q4")
    assert Period.parse("2026").previous() == Period.parse("2025")
    assert Period.parse("2026-05-11..2026-05-20").previous() == Period.parse("2026-05-01..2026-05-10")
