"""The working-day calendar, built from the Holiday table and rebuilt when any process changes it."""

from django.db.models import Count, Max

from gridgov.core.models import Holiday
from gridgov.core.workcalendar import WorkCalendar

_cache: dict = {}


def get_calendar() -> WorkCalendar:
    """Return the calendar with the admin's overrides; one cheap query tells whether the table changed."""
    version = tuple(Holiday.objects.aggregate(n=Count("pk"), t=Max("updated_at")).values())
    if _cache.get("version") != version:
        _cache["calendar"] = WorkCalendar(overrides=dict(Holiday.objects.values_list("date", "is_workday")))
        _cache["version"] = version
    return _cache["calendar"]
