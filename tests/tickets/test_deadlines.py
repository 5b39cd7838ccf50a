"""Tests for the pure ticket deadline logic (no database)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from gridgov.core.workcalendar import WorkCalendar
from gridgov.tickets.deadlines import (
    LIMIT_UNIT_LABELS,
    LIMIT_UNITS,
    compute_deadline,
    deadline_status,
    extend_deadline,
    is_overdue,
    share_left,
)

SH = ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc


def cst(y, m, d, hh=0, mm=0, ss=0):
    """Aware datetime in Shanghai local time."""
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=SH)


@pytest.fixture
def cal():
    return WorkCalendar()


def test_units_and_labels():
    assert LIMIT_UNITS == ("hours", "work_hours", "work_days")
    assert LIMIT_UNIT_LABELS == {"hours": "小时", "work_hours": "工作小时", "work_days": "工作日"}


# --- compute_deadline ------------------------------------------------------------


def test_compute_deadline_per_unit(cal):
    start = cst(2026, 2, 13, 17, 0)  # Friday before the 2026 Spring Festival
    assert compute_deadline(start, 2, "hours", cal) == cst(2026, 2, 13, 19, 0)
    assert compute_deadline(start, 1, "work_hours", cal) == cst(2026, 2, 14, 9, 30)
    assert compute_deadline(start, 2, "work_days", cal) == cst(2026, 2, 24, 17, 30)


def test_compute_deadline_accepts_decimal(cal):
    start = cst(2026, 3, 2, 11, 0)
    assert compute_deadline(start, Decimal("1.5"), "work_hours", cal) == cst(2026, 3, 2, 14, 0)
    assert compute_deadline(start, Decimal("2"), "work_days", cal) == cst(2026, 3, 4, 17, 30)
    assert compute_deadline(start, Decimal("0.5"), "hours", cal) == cst(2026, 3, 2, 11, 30)


def test_compute_deadline_returns_utc(cal):
    assert compute_deadline(cst(2026, 3, 2, 11, 0), 1, "work_days", cal).tzinfo is UTC


def test_compute_deadline_rejects_bad_input(cal):
    start = cst(2026, 3, 2, 11, 0)
    with pytest.raises(ValueError):
        compute_deadline(start, 1, "days", cal)
    with pytest.raises(ValueError):
        compute_deadline(start, -1, "hours", cal)
    with pytest.raises(ValueError):
        compute_deadline(start, Decimal("-0.5"), "work_hours", cal)
    with pytest.raises(ValueError):
        compute_deadline(start, Decimal("1.5"), "work_days", cal)
    with pytest.raises(ValueError):
        compute_deadline(dt.datetime(2026, 3, 2, 11, 0), 1, "work_days", cal)


# --- extend_deadline ----------------------------------------------------------------


def test_extend_deadline_counts_from_current_deadline(cal):
    deadline = cst(2026, 2, 13, 17, 30)
    assert extend_deadline(deadline, 1, "work_days", cal) == cst(2026, 2, 14, 17, 30)
    assert extend_deadline(deadline, 2, "work_days", cal) == cst(2026, 2, 24, 17, 30)
    assert extend_deadline(deadline, 2, "work_hours", cal) == cst(2026, 2, 14, 11, 0)
    assert extend_deadline(deadline, 24, "hours", cal) == cst(2026, 2, 14, 17, 30)


def test_extend_deadline_by_zero_keeps_deadline(cal):
    deadline = cst(2026, 2, 13, 17, 30)
    for unit in LIMIT_UNITS:
        assert extend_deadline(deadline, 0, unit, cal) == deadline


def test_extend_deadline_rejects_bad_input(cal):
    with pytest.raises(ValueError):
        extend_deadline(cst(2026, 2, 13, 17, 30), -1, "work_days", cal)
    with pytest.raises(ValueError):
        extend_deadline(cst(2026, 2, 13, 17, 30), 1, "weeks", cal)


# --- is_overdue ------------------------------------------------------------------------

DEADLINE = cst(2026, 2, 24, 17, 30)


def test_is_overdue_open_ticket():
    assert not is_overdue(DEADLINE, cst(2026, 2, 24, 17, 0), None)
    assert not is_overdue(DEADLINE, DEADLINE, None)  # the deadline moment itself is still in time
    assert is_overdue(DEADLINE, cst(2026, 2, 24, 17, 31), None)


def test_is_overdue_done_on_time():
    assert not is_overdue(DEADLINE, cst(2026, 3, 10), cst(2026, 2, 24, 17, 0))
    assert not is_overdue(DEADLINE, cst(2026, 3, 10), DEADLINE)


def test_is_overdue_done_late():
    # Closed late stays overdue forever, and even "now" before the deadline does not matter.
    assert is_overdue(DEADLINE, cst(2026, 3, 10), cst(2026, 2, 25, 9, 0))
    assert is_overdue(DEADLINE, cst(2026, 2, 1), cst(2026, 2, 25, 9, 0))


def test_is_overdue_without_deadline():
    assert not is_overdue(None, cst(2030, 1, 1), None)
    assert not is_overdue(None, cst(2030, 1, 1), cst(2030, 1, 1))


def test_is_overdue_compares_instants_across_zones():
    # 17:31 Shanghai is 09:31 UTC.
    assert is_overdue(DEADLINE, dt.datetime(2026, 2, 24, 9, 31, tzinfo=UTC), None)
    assert not is_overdue(DEADLINE, dt.datetime(2026, 2, 24, 9, 29, tzinfo=UTC), None)


# --- share_left / deadline_status ----------------------------------------------------------

START = cst(2026, 3, 2, 8, 0)
END = cst(2026, 3, 2, 18, 0)  # a 10-hour limit


def at(hours, seconds=0):
    """The moment `hours` (+ seconds) after START."""
    return START + dt.timedelta(hours=hours, seconds=seconds)


def test_share_left():
    assert share_left(START, END, START) == 1.0
    assert share_left(START, END, at(8)) == pytest.approx(0.2)
    assert share_left(START, END, END) == 0.0
    assert share_left(START, END, at(12)) == 0.0  # clamped
    assert share_left(START, END, at(-1)) == 1.0  # clamped


def test_share_left_degenerate_limit():
    assert share_left(END, END, at(1)) == 1.0
    assert share_left(END, END, END) == 0.0


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(0), "ok"),
        (at(7), "ok"),  # 30 % left
        (at(8), "ok"),  # exactly 20 % left is not yet "less than"
        (at(8, 1), "due_soon"),
        (at(9.5), "due_soon"),
        (at(10), "due_soon"),  # the deadline moment itself
        (at(10, 1), "overdue"),
        (at(50), "overdue"),
    ],
)
def test_deadline_status_open(now, expected):
    assert deadline_status(START, END, now, None) == expected


def test_deadline_status_custom_warn_share():
    assert deadline_status(START, END, at(6), None, warn_share=0.5) == "due_soon"
    assert deadline_status(START, END, at(4), None, warn_share=0.5) == "ok"
    assert deadline_status(START, END, at(9.9), None, warn_share=0) == "ok"
    with pytest.raises(ValueError):
        deadline_status(START, END, at(1), None, warn_share=1.5)


def test_deadline_status_done():
    assert deadline_status(START, END, at(50), at(9)) == "done"
    assert deadline_status(START, END, at(50), END) == "done"
    assert deadline_status(START, END, at(50), at(11)) == "done_late"
    assert deadline_status(START, None, at(50), at(11)) == "done"


def test_deadline_status_without_deadline():
    assert deadline_status(START, None, at(500), None) == "ok"
