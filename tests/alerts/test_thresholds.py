"""Pure alert thresholds across the 2026 Spring Festival (holiday 2-15…2-23, make-up workdays Sat 2-14 and Sat 2-28)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gridgov.alerts.thresholds import Policy, alert_times, due_levels, sub_work_hours, warn_at
from gridgov.core.workcalendar import WorkCalendar
from gridgov.tickets.deadlines import compute_deadline

SH = ZoneInfo("Asia/Shanghai")


def cst(m, d, hh=0, mm=0):
    return dt.datetime(2026, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def cal():
    return WorkCalendar()


def test_the_warning_share_counts_working_hours_only_across_the_holiday(cal):
    start = cst(2, 13, 10)  # Friday before the holiday
    deadline = compute_deadline(start, 3, "work_days", cal)
    assert deadline == cst(2, 25, 17, 30)  # make-up Saturday 2-14, then 2-24 and 2-25
    # 6 + 7 + 7 + 7 = 27 working hours; 20% = 5.4 h before the deadline: 4 h of 2-25's afternoon, 1.4 h of its morning.
    assert warn_at(start, deadline, cal, Policy(warn_share=0.2)) == cst(2, 25, 10, 36)
    # The clock-time share would have warned in the middle of the holiday.
    assert start + (deadline - start) * 0.8 < cst(2, 24)


def test_n_working_hours_before_the_deadline_reach_back_to_the_make_up_saturday(cal):
    deadline = cst(2, 24, 17, 30)  # the first working day after the holiday has only 7 office hours
    assert sub_work_hours(cal, deadline, 8) == cst(2, 14, 16, 30)
    assert warn_at(cst(2, 13, 9), deadline, cal, Policy(warn_work_hours=8)) == cst(2, 14, 16, 30)
    # Never before the limit started.
    assert warn_at(cst(2, 24, 9), deadline, cal, Policy(warn_work_hours=8)) == cst(2, 24, 9)


def test_sub_work_hours_undoes_add_work_hours(cal):
    for end in (cst(2, 24, 10), cst(2, 25, 14), cst(3, 2, 9, 30), cst(2, 14, 17, 30), cst(2, 28, 11)):
        for hours in (0.5, 1, 3.5, 7, 12, 30):
            assert cal.add_work_hours(sub_work_hours(cal, end, hours), hours) == end, (end, hours)
    assert sub_work_hours(cal, cst(2, 24, 9), 0.5) == cst(2, 14, 17)  # across the whole holiday


def test_escalation_delays_are_working_hours_and_skip_the_holiday(cal):
    policy = Policy(leader_after=4, centre_after=7)
    times = alert_times(cst(2, 12, 9), cst(2, 13, 17, 30), cal, policy)
    assert times["overdue"] == cst(2, 13, 17, 30)
    assert times["escalate_leader"] == cst(2, 14, 14, 30)  # the make-up Saturday counts
    assert times["escalate_centre"] == cst(2, 14, 17, 30)
    times = alert_times(cst(2, 13, 9), cst(2, 14, 17, 30), cal, policy)
    assert times["escalate_leader"] == cst(2, 24, 14, 30)  # nine holiday days count for nothing
    assert times["escalate_centre"] == cst(2, 24, 17, 30)


def test_a_make_up_saturday_after_the_holiday_counts_too(cal):
    start = cst(2, 27, 9)  # Friday; Saturday 2-28 is a make-up workday, Sunday 3-1 is not
    deadline = compute_deadline(start, 1, "work_days", cal)
    assert deadline == cst(2, 28, 17, 30)
    # 14 working hours; 20% = 2.8 h: 4 h afternoon window covers it → 17:30 - 2.8 h.
    assert warn_at(start, deadline, cal, Policy()) == cst(2, 28, 14, 42)
    assert alert_times(start, deadline, cal, Policy(leader_after=1))["escalate_leader"] == cst(3, 2, 10)


def test_urgent_limits_run_on_the_clock(cal):
    start = cst(2, 16, 22)  # a holiday night
    deadline = compute_deadline(start, 2, "hours", cal)
    times = alert_times(start, deadline, cal, Policy(leader_after=1, centre_after=3), clock_hours=True)
    assert times["warn"] == cst(2, 16, 23, 36)
    assert times["escalate_leader"] == cst(2, 17, 1)
    assert times["escalate_centre"] == cst(2, 17, 3)


def test_levels_are_reached_in_order_and_past_the_deadline_only(cal):
    times = alert_times(cst(3, 2, 10), cst(3, 4, 17, 30), cal, Policy())
    assert times["warn"] == cst(3, 4, 13, 30)  # 20 working hours, 4 left
    assert due_levels(times, cst(3, 4, 13, 29)) == []
    assert due_levels(times, cst(3, 4, 13, 30)) == ["warn"]
    assert due_levels(times, cst(3, 4, 17, 30)) == ["warn"]
    assert due_levels(times, cst(3, 4, 17, 31)) == ["warn", "overdue"]
    assert due_levels(times, cst(3, 5, 14, 31)) == ["warn", "overdue", "escalate_leader"]
    assert due_levels(times, cst(3, 5, 17, 31)) == ["warn", "overdue", "escalate_leader", "escalate_centre"]


def test_bad_policies_are_refused():
    with pytest.raises(ValueError):
        Policy(warn_share=1.5)
    with pytest.raises(ValueError):
        Policy(leader_after=8, centre_after=4)
    with pytest.raises(ValueError):
        Policy(warn_work_hours=-1)
