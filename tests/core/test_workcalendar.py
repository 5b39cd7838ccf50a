"""Tests for the pure Chinese working-day calendar (no database)."""

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.core.workcalendar import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc
D = dt.date


def cst(y, m, d, hh=0, mm=0):
    """Aware datetime in Shanghai local time."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def cal():
    return WorkCalendar()


# --- the library's data that the hand-computed expectations rely on ---------


def test_library_knows_2026_spring_festival():
    holidays = [D(2026, 2, 15) + dt.timedelta(days=i) for i in range(9)]  # 02-15 .. 02-23
    assert not any(chinese_calendar.is_workday(d) for d in holidays)
    assert chinese_calendar.is_workday(D(2026, 2, 14))  # Saturday make-up workday
    assert chinese_calendar.is_workday(D(2026, 2, 28))  # Saturday make-up workday
    assert D(2026, 2, 14).weekday() == 5 and D(2026, 2, 28).weekday() == 5


def test_library_knows_2026_national_day():
    assert not any(chinese_calendar.is_workday(D(2026, 10, d)) for d in range(1, 8))
    assert chinese_calendar.is_workday(D(2026, 9, 20))  # Sunday make-up workday
    assert chinese_calendar.is_workday(D(2026, 10, 10))  # Saturday make-up workday
    assert not any(chinese_calendar.is_workday(D(2026, 9, d)) for d in (25, 26, 27))  # Mid-autumn


def test_library_has_no_2027_data():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 1))


# --- is_workday ----------------------------------------------------------------


def test_is_workday_follows_library(cal):
    assert cal.is_workday(D(2026, 2, 14))
    assert not cal.is_workday(D(2026, 2, 16))
    assert not cal.is_workday(D(2026, 3, 1))  # ordinary Sunday
    assert cal.is_workday(D(2026, 3, 2))


def test_overrides_win_over_library():
    cal = WorkCalendar(overrides={D(2026, 2, 24): False, D(2026, 2, 22): True})
    assert not cal.is_workday(D(2026, 2, 24))
    assert cal.is_workday(D(2026, 2, 22))


def test_unknown_year_falls_back_to_weekdays(cal):
    assert D(2027, 1, 1).weekday() == 4  # Friday
    assert cal.is_workday(D(2027, 1, 1))  # no data, no override: plain weekday
    assert not cal.is_workday(D(2027, 1, 2))  # Saturday
    assert not cal.is_workday(D(2027, 1, 3))  # Sunday
    assert cal.is_workday(D(2027, 1, 4))


def test_overrides_define_unknown_year():
    cal = WorkCalendar(overrides={D(2027, 1, 1): False, D(2027, 1, 9): True})
    assert not cal.is_workday(D(2027, 1, 1))
    assert cal.is_workday(D(2027, 1, 9))  # Saturday declared a make-up workday
    assert not cal.is_workday(D(2027, 1, 10))  # Sunday, fallback rule


def test_overrides_are_copied():
    table = {D(2027, 1, 1): False}
    cal = WorkCalendar(overrides=table)
    table[D(2027, 1, 1)] = True
    assert not cal.is_workday(D(2027, 1, 1))


def test_is_workday_uses_local_date_of_datetime(cal):
    # 2026-02-13 20:00 UTC is already Saturday 2026-02-14 04:00 in Shanghai (a make-up workday).
    assert cal.is_workday(dt.datetime(2026, 2, 13, 20, 0, tzinfo=UTC))
    # 2026-02-14 20:00 UTC is Sunday 2026-02-15 in Shanghai (holiday).
    assert not cal.is_workday(dt.datetime(2026, 2, 14, 20, 0, tzinfo=UTC))


# --- add_work_days ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, cst(2026, 2, 14, 17, 30)),  # Saturday make-up workday
        (2, cst(2026, 2, 24, 17, 30)),  # jumps the 9-day holiday
        (5, cst(2026, 2, 27, 17, 30)),
        (6, cst(2026, 2, 28, 17, 30)),  # second make-up Saturday
        (7, cst(2026, 3, 2, 17, 30)),
    ],
)
def test_add_work_days_spring_festival_2026(cal, n, expected):
    assert cal.add_work_days(cst(2026, 2, 13, 10, 0), n) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (cst(2026, 9, 30, 15, 0), 1, cst(2026, 10, 8, 17, 30)),
        (cst(2026, 9, 30, 15, 0), 3, cst(2026, 10, 10, 17, 30)),  # make-up Saturday
        (cst(2026, 9, 30, 15, 0), 4, cst(2026, 10, 12, 17, 30)),
        (cst(2026, 9, 19, 10, 0), 1, cst(2026, 9, 20, 17, 30)),  # make-up Sunday
        (cst(2026, 9, 19, 10, 0), 5, cst(2026, 9, 24, 17, 30)),
        (cst(2026, 9, 19, 10, 0), 6, cst(2026, 9, 28, 17, 30)),  # skips Mid-autumn 09-25..27
    ],
)
def test_add_work_days_national_day_2026(cal, start, n, expected):
    assert cal.add_work_days(start, n) == expected


def test_add_work_days_2027_with_overrides():
    overrides = {D(2027, 1, 1): False, D(2027, 1, 9): True}
    cal = WorkCalendar(overrides=overrides)
    # New Year's Day (override) and the weekend (fallback rule) are skipped.
    assert cal.add_work_days(cst(2026, 12, 31, 10, 0), 1) == cst(2027, 1, 4, 17, 30)
    # The declared make-up Saturday counts.
    assert cal.add_work_days(cst(2027, 1, 8, 10, 0), 1) == cst(2027, 1, 9, 17, 30)
    plain = WorkCalendar()
    assert plain.add_work_days(cst(2026, 12, 31, 10, 0), 1) == cst(2027, 1, 1, 17, 30)
    assert plain.add_work_days(cst(2027, 1, 8, 10, 0), 1) == cst(2027, 1, 11, 17, 30)


def test_add_work_days_zero(cal):
    # Working day, before closing: end of the same day.
    assert cal.add_work_days(cst(2026, 3, 2, 10, 0), 0) == cst(2026, 3, 2, 17, 30)
    # Make-up Saturday counts as a working day.
    assert cal.add_work_days(cst(2026, 2, 14, 10, 0), 0) == cst(2026, 2, 14, 17, 30)
    # At or after closing time: end of the next working day.
    assert cal.add_work_days(cst(2026, 3, 2, 17, 30), 0) == cst(2026, 3, 3, 17, 30)
    assert cal.add_work_days(cst(2026, 3, 6, 19, 0), 0) == cst(2026, 3, 9, 17, 30)
    # Not a working day: end of the next working day.
    assert cal.add_work_days(cst(2026, 2, 17, 11, 0), 0) == cst(2026, 2, 24, 17, 30)


def test_add_work_days_receipt_on_holiday(cal):
    # Received on the Spring Festival holiday: day 1 is the first working day after it.
    assert cal.add_work_days(cst(2026, 2, 17, 11, 0), 1) == cst(2026, 2, 24, 17, 30)
    assert cal.add_work_days(cst(2026, 2, 17, 11, 0), 3) == cst(2026, 2, 26, 17, 30)
    assert cal.add_work_days(cst(2026, 10, 3, 9, 0), 1) == cst(2026, 10, 8, 17, 30)


def test_add_work_days_uses_shanghai_date(cal):
    # 2026-02-13 20:00 UTC is Saturday 2026-02-14 04:00 local, a make-up workday.
    start = dt.datetime(2026, 2, 13, 20, 0, tzinfo=UTC)
    assert cal.add_work_days(start, 0) == cst(2026, 2, 14, 17, 30)
    assert cal.add_work_days(start, 1) == cst(2026, 2, 24, 17, 30)


def test_results_are_utc(cal):
    result = cal.add_work_days(cst(2026, 3, 2, 10, 0), 1)
    assert result.tzinfo is UTC
    assert result == dt.datetime(2026, 3, 3, 9, 30, tzinfo=UTC)
    assert cal.add_work_hours(cst(2026, 3, 2, 10, 0), 1).tzinfo is UTC
    assert cal.add_hours(cst(2026, 3, 2, 10, 0), 1).tzinfo is UTC


def test_add_work_days_rejects_bad_input(cal):
    with pytest.raises(ValueError):
        cal.add_work_days(dt.datetime(2026, 3, 2, 10, 0), 1)  # naive
    with pytest.raises(ValueError):
        cal.add_work_days(cst(2026, 3, 2, 10, 0), -1)
    with pytest.raises(ValueError):
        cal.add_work_days(cst(2026, 3, 2, 10, 0), 1.5)


def test_add_work_days_15_is_fast(cal):
    import time

    began = time.perf_counter()
    for day in range(1, 29):
        cal.add_work_days(cst(2026, 2, day, 10, 0), 15)
    assert time.perf_counter() - began < 1.0


# --- add_work_hours / add_hours / work_hours_between --------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (cst(2026, 3, 2, 11, 0), 2, cst(2026, 3, 2, 14, 30)),  # across lunch break
        (cst(2026, 3, 2, 12, 30), 1, cst(2026, 3, 2, 14, 30)),  # received during lunch
        (cst(2026, 3, 2, 8, 0), 3, cst(2026, 3, 2, 12, 0)),  # ends exactly at a window end
        (cst(2026, 3, 2, 8, 0), 3.5, cst(2026, 3, 2, 14, 0)),
        (cst(2026, 3, 2, 9, 0), 7, cst(2026, 3, 2, 17, 30)),  # one whole office day
        (cst(2026, 3, 2, 9, 0), 7.5, cst(2026, 3, 3, 9, 30)),
        (cst(2026, 3, 6, 17, 0), 1, cst(2026, 3, 9, 9, 30)),  # Friday -> Monday
        (cst(2026, 3, 6, 20, 0), 1, cst(2026, 3, 9, 10, 0)),  # received after hours
        (cst(2026, 4, 3, 17, 0), 1, cst(2026, 4, 7, 9, 30)),  # Monday 04-06 is Qingming
        (cst(2026, 2, 13, 17, 0), 1, cst(2026, 2, 14, 9, 30)),  # make-up Saturday
        (cst(2026, 2, 14, 17, 0), 1, cst(2026, 2, 24, 9, 30)),  # across Spring Festival
        (cst(2026, 3, 2, 10, 0), 1.25, cst(2026, 3, 2, 11, 15)),
    ],
)
def test_add_work_hours(cal, start, hours, expected):
    assert cal.add_work_hours(start, hours) == expected


def test_add_work_hours_zero_returns_start(cal):
    start = cst(2026, 3, 7, 20, 0)
    assert cal.add_work_hours(start, 0) == start


def test_add_work_hours_rejects_bad_input(cal):
    with pytest.raises(ValueError):
        cal.add_work_hours(cst(2026, 3, 2, 10, 0), -1)
    with pytest.raises(ValueError):
        cal.add_work_hours(dt.datetime(2026, 3, 2, 10, 0), 1)


def test_add_hours_is_clock_time(cal):
    assert cal.add_hours(cst(2026, 2, 13, 17, 0), 24) == cst(2026, 2, 14, 17, 0)
    assert cal.add_hours(cst(2026, 2, 16, 23, 0), 2) == cst(2026, 2, 17, 1, 0)  # holidays count
    with pytest.raises(ValueError):
        cal.add_hours(dt.datetime(2026, 2, 13, 17, 0), 1)
    with pytest.raises(ValueError):
        cal.add_hours(cst(2026, 2, 13, 17, 0), -1)


def test_work_hours_between(cal):
    assert cal.work_hours_between(cst(2026, 3, 2, 9, 0), cst(2026, 3, 2, 17, 30)) == 7.0
    assert cal.work_hours_between(cst(2026, 3, 2, 11, 0), cst(2026, 3, 2, 14, 30)) == 2.0
    assert cal.work_hours_between(cst(2026, 3, 6, 17, 0), cst(2026, 3, 9, 9, 30)) == 1.0
    # 0.5 on Friday 02-13, 7 on make-up Saturday 02-14, holiday, 0.5 on 02-24.
    assert cal.work_hours_between(cst(2026, 2, 13, 17, 0), cst(2026, 2, 24, 9, 30)) == 8.0
    assert cal.work_hours_between(cst(2026, 3, 2, 17, 30), cst(2026, 3, 2, 17, 30)) == 0.0
    assert cal.work_hours_between(cst(2026, 3, 2, 17, 30), cst(2026, 3, 2, 9, 0)) == -7.0


def test_custom_office_hours():
    cal = WorkCalendar(office_hours=((dt.time(8, 0), dt.time(16, 0)),))
    assert cal.add_work_days(cst(2026, 3, 2, 10, 0), 1) == cst(2026, 3, 3, 16, 0)
    assert cal.add_work_hours(cst(2026, 3, 2, 15, 0), 2) == cst(2026, 3, 3, 9, 0)


def test_invalid_office_hours():
    with pytest.raises(ValueError):
        WorkCalendar(office_hours=())
    with pytest.raises(ValueError):
        WorkCalendar(office_hours=((dt.time(12, 0), dt.time(9, 0)),))
    with pytest.raises(ValueError):
        WorkCalendar(office_hours=((dt.time(9, 0), dt.time(12, 0)), (dt.time(11, 0), dt.time(17, 0))))


# --- properties --------------------------------------------------------------------

_CAL = WorkCalendar()
_aware = st.datetimes(
    min_value=dt.datetime(2025, 1, 1),
    max_value=dt.datetime(2026, 12, 31, 23, 59, 59),
    timezones=st.sampled_from([UTC, SH, ZoneInfo("America/New_York")]),
)


@settings(max_examples=200, deadline=None)
@given(start=_aware, n=st.integers(min_value=0, max_value=30))
def test_add_work_days_properties(start, n):
    result = _CAL.add_work_days(start, n)
    local = result.astimezone(SH)
    assert result.tzinfo is UTC
    assert _CAL.is_workday(local.date())
    assert local.time() == dt.time(17, 30)
    assert result > start
    following = _CAL.add_work_days(start, n + 1)
    assert following >= result
    if n >= 1:
        assert following > result


@settings(max_examples=200, deadline=None)
@given(start=_aware, hours=st.floats(min_value=0.01, max_value=100, allow_nan=False))
def test_add_work_hours_inverts_work_hours_between(start, hours):
    due = _CAL.add_work_hours(start, hours)
    assert due > start
    assert _CAL.work_hours_between(start, due) == pytest.approx(hours, abs=1e-6)
