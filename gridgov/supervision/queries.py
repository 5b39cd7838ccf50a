"""督办 in lists: which tickets are under supervision, and the 督办件 inbox in the shape of tickets.queries.INBOXES."""

from django.db.models import Exists, OuterRef, Q

from gridgov.supervision.models import Supervision
from gridgov.tickets.states import DONE_STATES


def supervised_condition() -> Q:
    """Tickets under a supervision still in force."""
    return Q(Exists(Supervision.objects.filter(ticket=OuterRef("pk"), ended_at__isnull=True)))


def supervised_ids(ticket_ids) -> set[int]:
    """Those of the given tickets that are under supervision (one query for a whole page)."""
    ids = [i for i in ticket_ids if i is not None]
    if not ids:
        return set()
    return set(Supervision.objects.filter(ticket_id__in=ids, ended_at__isnull=True).values_list("ticket_id", flat=True))


# (label, the permissions that make it relevant, the condition on visible tickets given user and now), as in INBOXES:
# every viewer of tickets sees the open supervised tickets they can see (a unit its own, leaders and the centre all).
SUPERVISED_INBOX = ("督办件", {"ticket.view"}, lambda u, now: supervised_condition() & ~Q(state__in=DONE_STATES))
