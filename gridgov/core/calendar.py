"""The process-wide working-day calendar, built from the Holiday table."""

from django.db.models.signals import post_delete, post_save

from gridgov.core.models import Holiday
from gridgov.core.workcalendar import WorkCalendar

_cached: WorkCalendar | None = None


def get_calendar() -> WorkCalendar:
    """Return the calendar with the admin's overrides, built once per process until they change."""
    global _cached
    if _cached is None:
        _cached = WorkCalendar(overrides=dict(Holiday.objects.values_list("date", "is_workday")))
    return _cached


def reset_calendar(**_kwargs) -> None:
    """Forget the cached calendar (called when a Holiday row changes)."""
    global _cached
    _cached = None


post_save.connect(reset_calendar, sender=Holiday)
post_delete.connect(reset_calendar, sender=Holiday)
