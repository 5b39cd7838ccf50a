"""Pure deadline-alert thresholds: when an assignment becomes 即将超期, 已超期, and is escalated (no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gridgov.core.workcalendar import LOCAL_TZ, WorkCalendar

LEVEL_ORDER = ("warn", "overdue", "escalate_leader", "escalate_centre")


@dataclass(frozen=True)
class Policy:
    """When to warn and escalate; working hours unless the limit runs round the clock (urgent tickets)."""

    warn_share: float = 0.2  # warn when this share of the limit is left …
    warn_work_hours: float | None = None  # … or, when set, this many working hours before the deadline
    leader_after: float = 4.0  # escalate to the unit leader this many (working) hours after the deadline
    centre_after: float = 7.0  # and to the centre this many (working) hours after it (7 = one office day)

    def __post_init__(self):
        if not 0 <= self.warn_share <= 1:
            raise ValueError("warn_share must be between 0 and 1")
        if self.warn_work_hours is not None and self.warn_work_hours < 0:
            raise ValueError("warn_work_hours must not be negative")
        if not 0 <= self.leader_after <= self.centre_after:
            raise ValueError("escalation delays must satisfy 0 <= leader_after <= centre_after")


def sub_work_hours(calendar: WorkCalendar, end: dt.datetime, hours: float) -> dt.datetime:
    """The latest moment from which `hours` office hours of working days elapse by `end` (add_work_hours backwards)."""
    if hours < 0:
        raise ValueError("hours must not be negative")
    local = end.astimezone(LOCAL_TZ)
    if hours == 0:
        return end.astimezone(dt.timezone.utc)
    remaining = dt.timedelta(hours=hours)
    day = local.date()
    for _ in range(3660):  # ten years of days: a calendar with no working day at all must not loop forever
        if calendar.is_workday(day):
            for begin, finish in reversed(calendar.office_hours):
                b = dt.datetime.combine(day, begin, tzinfo=LOCAL_TZ)
                f = min(dt.datetime.combine(day, finish, tzinfo=LOCAL_TZ), local)
                if f <= b:
                    continue
                if remaining <= f - b:
                    return (f - remaining).astimezone(dt.timezone.utc)
                remaining -= f - b
        day -= dt.timedelta(days=1)
    raise ValueError("no working time before the deadline")


def warn_at(start: dt.datetime, deadline: dt.datetime, calendar: WorkCalendar, policy: Policy,
            clock_hours: bool = False) -> dt.datetime:
    """The moment the assignment becomes 即将超期: a share of the limit (or N hours) left, counted like the limit."""
    if deadline <= start:
        return deadline
    if clock_hours:
        if policy.warn_work_hours is not None:
            moment = deadline - dt.timedelta(hours=policy.warn_work_hours)
        else:
            moment = deadline - (deadline - start) * policy.warn_share
        return max(start, moment)
    if policy.warn_work_hours is not None:
        return max(start, sub_work_hours(calendar, deadline, policy.warn_work_hours))
    total = calendar.work_hours_between(start, deadline)
    if total <= 0:
        # No office time inside the limit (e.g. received on a holiday eve, due at the next opening): clock share.
        return max(start, deadline - (deadline - start) * policy.warn_share)
    # Holidays inside the limit count for nothing: 20% left means 20% of the working hours left.
    return max(start, sub_work_hours(calendar, deadline, total * policy.warn_share))


def _after(deadline: dt.datetime, hours: float, calendar: WorkCalendar, clock_hours: bool) -> dt.datetime:
    if clock_hours:
        return deadline + dt.timedelta(hours=hours)
    return calendar.add_work_hours(deadline, hours)


def alert_times(start: dt.datetime, deadline: dt.datetime, calendar: WorkCalendar, policy: Policy,
                clock_hours: bool = False) -> dict[str, dt.datetime]:
    """When each level is due: warn, overdue (just after the deadline), escalate_leader, escalate_centre."""
    return {
        "warn": warn_at(start, deadline, calendar, policy, clock_hours),
        "overdue": deadline,
        "escalate_leader": _after(deadline, policy.leader_after, calendar, clock_hours),
        "escalate_centre": _after(deadline, policy.centre_after, calendar, clock_hours),
    }


def due_levels(times: dict[str, dt.datetime], now: dt.datetime) -> list[str]:
    """Levels reached at `now`, in order; overdue and escalations only strictly after their time (is_overdue's rule)."""
    return [level for level in LEVEL_ORDER if (now >= times[level] if level == "warn" else now > times[level])]
