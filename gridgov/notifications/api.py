"""What the rest of gridgov calls: notify(users, kind, title, …) inside the caller's transaction."""

from gridgov.core import clock
from gridgov.notifications.models import KINDS, Notification


def notify(users, kind: str, title: str, body: str = "", ticket=None, urgent: bool = False, now=None) -> list[Notification]:
    """Tell each user (a user, or an iterable of users) about an event; duplicates in `users` count once.

    Besides the in-app rows, the outbound deliveries the users' preferences ask for are queued; the title and body
    stay in the platform (outbound texts are built from the ticket's number, category, unit and deadline only).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind: {kind}")
    people = [users] if hasattr(users, "pk") else list(users)
    unique = list({u.pk: u for u in people if getattr(u, "pk", None)}.values())
    at = now or clock.now()
    created = Notification.objects.bulk_create(
        Notification(user=u, kind=kind, title=title[:200], body=body, ticket=ticket, urgent=urgent, created_at=at)
        for u in unique)
    from gridgov.notifications.delivery import enqueue  # delivery imports the backends; keep this module light

    enqueue(created, at)
    return created
