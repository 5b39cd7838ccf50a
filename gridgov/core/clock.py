"""One place to ask the time, so tests and the demo simulation can move it."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone


def now() -> datetime:
    """Return the current aware UTC time."""
    return timezone.now()


LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_date(moment: datetime):
    """Return the Asia/Shanghai calendar date of an aware datetime (reports count local days)."""
    return moment.astimezone(LOCAL_TZ).date()


def localtime(moment: datetime | None) -> datetime | None:
    """Return a naive Asia/Shanghai wall-clock time for documents (Excel has no time zones)."""
    return moment.astimezone(LOCAL_TZ).replace(tzinfo=None) if moment else None
