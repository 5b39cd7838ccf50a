"""Pure whistle rules: limits, distance, the on-site check and lateness (no database)."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from shapely.geometry import box, mapping

from gridgov.areas.distance import distance_m
from gridgov.core.errors import InvalidInput
from gridgov.whistles import rules

T = datetime(2026, 3, 9, 1, 30, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)


def test_distance_is_metres_on_the_sphere():
    assert distance_m(0, 0, 0.001, 0) == pytest.approx(111.2, abs=0.1)
    assert distance_m(112.9, 28.2, 112.9, 28.2) == 0
    # Longitude degrees shrink with latitude: at 60° a degree is half as long.
    assert distance_m(0, 60, 0.002, 60) == pytest.approx(111.2, abs=0.2)


def test_on_site_within_the_radius_of_the_point():
    assert rules.onsite_check(0.501, 0.5, point=(0.5, 0.5), radius_m=300) == pytest.approx(111.2, abs=0.1)
    with pytest.raises(InvalidInput, match="超出现场报到范围300米"):
        rules.onsite_check(0.5, 0.51, point=(0.5, 0.5), radius_m=300)


def test_on_site_inside_the_grid_when_the_matter_has_no_point():
    grid = mapping(box(0, 0, 1, 1))
    assert rules.onsite_check(0.2, 0.9, point=None, radius_m=300, boundary=grid) is None
    with pytest.raises(InvalidInput, match="不在事发网格“金茂第1网格”范围内"):
        rules.onsite_check(1.5, 0.5, point=None, radius_m=300, boundary=grid, area_name="金茂第1网格")
    with pytest.raises(InvalidInput, match="无法核验"):
        rules.onsite_check(0.5, 0.5, point=None, radius_m=300)


@pytest.mark.parametrize("checked_in, ended, now, late, status", [
    (T - MIN, None, T + 60 * MIN, False, rules.ON_TIME),
    (T, None, T + 60 * MIN, False, rules.ON_TIME),  # at the deadline is still on time
    (T + MIN, None, T + 60 * MIN, True, rules.LATE),
    (None, None, T - MIN, False, rules.PENDING),
    (None, None, T + MIN, True, rules.PENDING_LATE),  # not yet checked in and the deadline has passed
    (None, T - MIN, T + 60 * MIN, False, rules.WITHDRAWN),  # withdrawn in time: never late
    (None, T + MIN, T + 60 * MIN, True, rules.WITHDRAWN_LATE),
])
def test_lateness_is_derived_from_the_deadline(checked_in, ended, now, late, status):
    assert rules.is_late(T, checked_in, ended, now) is late
    assert rules.status(T, checked_in, ended, now) == status
    assert (status in rules.LATE_STATUSES) is late


def test_limits_and_radius_are_checked_in_chinese():
    assert rules.parse_limit("1.5", "work_hours") == (Decimal("1.5"), "work_hours")
    assert rules.parse_limit(2, "work_days") == (Decimal(2), "work_days")
    for amount, unit in [(0, "hours"), (-1, "hours"), ("abc", "hours"), ("1.5", "work_days"), (1, "weeks"), ("NaN", "hours"),
                         (10000, "hours"), ("0.001", "hours")]:
        with pytest.raises(InvalidInput):
            rules.parse_limit(amount, unit)
    assert rules.parse_radius("300") == 300
    for bad in (0, -5, "x", 10**6):
        with pytest.raises(InvalidInput):
            rules.parse_radius(bad)


def test_points_come_whole_or_not_at_all():
    assert rules.parse_point("", None) is None
    assert rules.parse_point("112.9", "28.2") == (112.9, 28.2)
    for lon, lat in [("112.9", ""), ("abc", "1"), (200, 0), ("inf", "1")]:
        with pytest.raises(InvalidInput):
            rules.parse_point(lon, lat)
