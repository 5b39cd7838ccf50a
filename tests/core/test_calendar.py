"""The admin's holiday table feeds the working-day calendar, which forgets its cache when the table changes."""

from datetime import date, datetime, timezone

import pytest

from gridgov.core.calendar import get_calendar
from gridgov.core.models import Holiday


@pytest.mark.django_db
def test_holiday_rows_override_and_refresh_the_calendar():
    monday = date(2027, 1, 4)  # a year chinese-calendar does not know
    assert get_calendar().is_workday(monday)
    row = Holiday.objects.create(date=monday, is_workday=False, name="元旦调休")
    assert not get_calendar().is_workday(monday)
    # Friday 2027-01-01 17:00 local + 1 working day skips the weekend and the declared Monday holiday.
    due = get_calendar().add_work_days(datetime(2027, 1, 1, 9, 0, tzinfo=timezone.utc), 1)
    assert due == datetime(2027, 1, 5, 9, 30, tzinfo=timezone.utc)
    row.delete()
    assert get_calendar().is_workday(monday)
