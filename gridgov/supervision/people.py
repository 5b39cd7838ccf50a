"""Who a 催办 or 督办 concerns: the responsible units of a ticket and their staff."""

from django.db.models import F

from gridgov.tickets.models import Assignment
from gridgov.tickets.states import AssignmentState

# Assignments a unit no longer holds: it sent the ticket back, or the centre took it away.
GONE = (AssignmentState.RETURNED, AssignmentState.WITHDRAWN)


def responsible_unit_ids(ticket_ids) -> dict[int, set[int]]:
    """{ticket id: the units holding its current round (lead and support, not returned or withdrawn)}."""
    out: dict[int, set[int]] = {}
    rows = (Assignment.objects.filter(ticket_id__in=list(ticket_ids), round=F("ticket__dispatch_round"))
            .exclude(state__in=GONE).values_list("ticket_id", "unit_id"))
    for ticket_id, unit_id in rows:
        out.setdefault(ticket_id, set()).add(unit_id)
    return out
