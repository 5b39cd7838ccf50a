"""What the rest of gridgov calls: notify(users, kind, title, …) inside the caller's transaction."""

from gridgov.core import clock
from gridgov.notifications.models import KINDS, Notification


def notify(users, kind: str, title: str, body: str = "", ticket=None, urgent: bool = False, now=None) -> list[Notification]:
    """Tell each user (a user, or an iterable of users) about an event; duplicates in `users` count once."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind: {kind}")
    people = [users] if hasattr(users, "pk") else list(users)
    unique = list({u.pk: u for u in people if getattr(u, "pk", None)}.values())
    at = now or clock.now()
    return Notification.objects.bulk_create(
        Notification(user=u, kind=kind, title=title[:200], body=body, ticket=ticket, urgent=urgent, created_at=at)
        for u in unique)
