"""Pure deadline logic for tickets: limits, extensions, overdue and warning states."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gridgov.core.workcalendar import WorkCalendar

LIMIT_UNITS = ("hours", "work_hours", "work_days")
LIMIT_UNIT_LABELS = {"hours": "小时", "work_hours": "工作小时", "work_days": "工作日"}

STATUS_DONE = "done"
STATUS_DONE_LATE = "done_late"
STATUS_OK = "ok"
STATUS_DUE_SOON = "due_soon"
STATUS_OVERDUE = "overdue"
DEADLINE_STATUSES = (STATUS_DONE, STATUS_DONE_LATE, STATUS_OK, STATUS_DUE_SOON, STATUS_OVERDUE)


def _check_limit(amount: Decimal | float | int, unit: str) -> None:
    """Raise ValueError for an unknown unit or a negative amount."""
    if unit not in LIMIT_UNITS:
        raise ValueError(f"unknown limit unit {unit!r}; expected one of {LIMIT_UNITS}")
    if amount < 0:
        raise ValueError("limit amount must not be negative")


def compute_deadline(
    start: dt.datetime, amount: Decimal | float | int, unit: str, calendar: WorkCalendar
) -> dt.datetime:
    """Return the UTC deadline of a limit of `amount` `unit`s starting at start."""
    _check_limit(amount, unit)
    if unit == "hours":
        return calendar.add_hours(start, float(amount))
    if unit == "work_hours":
        return calendar.add_work_hours(start, float(amount))
    if amount != int(amount):
        raise ValueError(f"work_days limits must be whole days, got {amount!r}")
    return calendar.add_work_days(start, int(amount))


def extend_deadline(
    deadline: dt.datetime, amount: Decimal | float | int, unit: str, calendar: WorkCalendar
) -> dt.datetime:
    """Move deadline by an approved extension, counted from the current deadline."""
    _check_limit(amount, unit)
    if amount == 0:
        # add_work_days(…, 0) rolls a 17:30 deadline to the next day; a zero extension must not.
        return compute_deadline(deadline, 0, "hours", calendar)
    return compute_deadline(deadline, amount, unit, calendar)


def is_overdue(deadline: dt.datetime | None, now: dt.datetime, done_at: dt.datetime | None) -> bool:
    """Whether the deadline passed before the work was done (derived, never stored)."""
    if deadline is None:
        return False
    if done_at is not None:
        return done_at > deadline
    return now > deadline


def share_left(start: dt.datetime, deadline: dt.datetime, now: dt.datetime) -> float:
    """Fraction (0..1) of the clock time between start and deadline that is still left at now."""
    total = deadline - start
    if total <= dt.timedelta(0):
        # Degenerate limit: nothing to apportion, only before/after matters.
        return 1.0 if now < deadline else 0.0
    left = (deadline - now) / total
    return min(1.0, max(0.0, left))


def deadline_status(
    start: dt.datetime,
    deadline: dt.datetime | None,
    now: dt.datetime,
    done_at: dt.datetime | None,
    warn_share: float = 0.2,
) -> str:
    """Classify a ticket as done, done_late, ok, due_soon (即将超期) or overdue."""
    if not 0 <= warn_share <= 1:
        raise ValueError("warn_share must be between 0 and 1")
    if done_at is not None:
        return STATUS_DONE_LATE if is_overdue(deadline, now, done_at) else STATUS_DONE
    if deadline is None:
        return STATUS_OK
    if is_overdue(deadline, now, None):
        return STATUS_OVERDUE
    if share_left(start, deadline, now) < warn_share:
        return STATUS_DUE_SOON
    return STATUS_OK
