"""Chinese working-day calendar: holidays, make-up workdays (调休) and office hours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

import chinese_calendar

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc

DEFAULT_OFFICE_HOURS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(9, 0), dt.time(12, 0)),
    (dt.time(13, 30), dt.time(17, 30)),
)

_ONE_DAY = dt.timedelta(days=1)


def _require_aware(value: dt.datetime) -> None:
    """Raise unless value is a timezone-aware datetime."""
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetimes are not accepted; pass a timezone-aware datetime")


def _to_local(value: dt.datetime) -> dt.datetime:
    """Convert an aware datetime to Asia/Shanghai time."""
    _require_aware(value)
    return value.astimezone(LOCAL_TZ)


def _to_utc(value: dt.datetime) -> dt.datetime:
    """Convert an aware datetime to UTC, the form every public result is returned in."""
    return value.astimezone(UTC)


def _validate_office_hours(office_hours: tuple[tuple[dt.time, dt.time], ...]) -> None:
    """Raise ValueError unless the windows are non-empty, ordered and non-overlapping."""
    if not office_hours:
        raise ValueError("office_hours must contain at least one window")
    previous_end: dt.time | None = None
    for begin, end in office_hours:
        if begin >= end:
            raise ValueError(f"office window {begin}-{end} is empty")
        if previous_end is not None and begin < previous_end:
            raise ValueError("office windows must be sorted and must not overlap")
        previous_end = end


class WorkCalendar:
    """Working days and office hours of a Chinese government office."""

    def __init__(
        self,
        overrides: Mapping[dt.date, bool] | None = None,
        office_hours: tuple[tuple[dt.time, dt.time], ...] = DEFAULT_OFFICE_HOURS,
    ) -> None:
        """Build a calendar; overrides (date -> is working day) beat the built-in data."""
        _validate_office_hours(office_hours)
        # Copy so later changes to the caller's mapping cannot desync the cache.
        self._overrides: dict[dt.date, bool] = dict(overrides or {})
        self._office_hours = tuple(office_hours)
        self._workday_cache: dict[dt.date, bool] = {}

    @property
    def office_hours(self) -> tuple[tuple[dt.time, dt.time], ...]:
        """The daily office windows in local time."""
        return self._office_hours

    @property
    def closing_time(self) -> dt.time:
        """Local time at which the office day ends (end of the last window)."""
        return self._office_hours[-1][1]

    # --- working days -------------------------------------------------

    def is_workday(self, day: dt.date) -> bool:
        """Return whether day is a working day (override, else chinese_calendar, else Mon–Fri)."""
        if isinstance(day, dt.datetime):
            # A datetime's calendar day is the one in Shanghai, not in its own zone.
            day = _to_local(day).date()
        cached = self._workday_cache.get(day)
        if cached is None:
            cached = self._lookup_workday(day)
            self._workday_cache[day] = cached
        return cached

    def _lookup_workday(self, day: dt.date) -> bool:
        """Uncached working-day decision."""
        if day in self._overrides:
            return bool(self._overrides[day])
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            # Years the library has no data for: weekends only; admins add the rest as overrides.
            return day.weekday() < 5

    def next_workday(self, day: dt.date) -> dt.date:
        """Return the first working day strictly after day."""
        day += _ONE_DAY
        while not self.is_workday(day):
            day += _ONE_DAY
        return day

    def _end_of_day(self, day: dt.date) -> dt.datetime:
        """Local aware datetime of the end of the office day on day."""
        return dt.datetime.combine(day, self.closing_time, tzinfo=LOCAL_TZ)

    def add_work_days(self, start: dt.datetime, n: int) -> dt.datetime:
        """Deadline of n working days: 17:30 local on the n-th working day after the receipt day.

        The receipt day does not count (the 12345 hotline convention), so counting starts
        with the day after start.  n=0 means the end of the current office day when start
        is a working day before closing time, else the end of the next working day.
        """
        if isinstance(n, bool) or int(n) != n:
            raise ValueError(f"n must be a whole number of working days, got {n!r}")
        n = int(n)
        if n < 0:
            raise ValueError("n must not be negative")
        local = _to_local(start)
        day = local.date()
        if n == 0:
            # Closing time already reached: "today" is over, so the limit rolls to the next day.
            if not self.is_workday(day) or local >= self._end_of_day(day):
                day = self.next_workday(day)
            return _to_utc(self._end_of_day(day))
        for _ in range(n):
            day = self.next_workday(day)
        return _to_utc(self._end_of_day(day))

    # --- office hours -------------------------------------------------

    def _windows(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """Local office windows of day, empty on non-working days."""
        if not self.is_workday(day):
            return []
        return [
            (dt.datetime.combine(day, begin, tzinfo=LOCAL_TZ), dt.datetime.combine(day, end, tzinfo=LOCAL_TZ))
            for begin, end in self._office_hours
        ]

    def add_work_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """Return the earliest moment by which `hours` office hours of working days have elapsed."""
        hours = float(hours)
        if hours < 0:
            raise ValueError("hours must not be negative")
        local = _to_local(start)
        if hours == 0:
            return _to_utc(local)
        remaining = dt.timedelta(hours=hours)
        day = local.date()
        while True:
            for begin, end in self._windows(day):
                if local >= end:
                    continue
                segment_start = max(local, begin)
                available = end - segment_start
                # "<=" so that a limit ending exactly at a window end stays there (12:00, not 13:30).
                if remaining <= available:
                    return _to_utc(segment_start + remaining)
                remaining -= available
            day += _ONE_DAY
            local = dt.datetime.combine(day, dt.time(0, 0), tzinfo=LOCAL_TZ)

    def work_hours_between(self, a: dt.datetime, b: dt.datetime) -> float:
        """Office hours elapsed from a to b (negative when b is before a)."""
        local_a, local_b = _to_local(a), _to_local(b)
        if local_b < local_a:
            return -self.work_hours_between(b, a)
        total = dt.timedelta(0)
        day = local_a.date()
        while day <= local_b.date():
            for begin, end in self._windows(day):
                overlap = min(end, local_b) - max(begin, local_a)
                if overlap > dt.timedelta(0):
                    total += overlap
            day += _ONE_DAY
        return total / dt.timedelta(hours=1)

    # --- clock hours --------------------------------------------------

    @staticmethod
    def add_hours(start: dt.datetime, hours: float) -> dt.datetime:
        """Add plain clock hours (urgent tickets are handled round the clock)."""
        hours = float(hours)
        if hours < 0:
            raise ValueError("hours must not be negative")
        _require_aware(start)
        return _to_utc(start) + dt.timedelta(hours=hours)
