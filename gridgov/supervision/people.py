"""Who a 催办 or 督办 concerns: the responsible units of a ticket and their staff."""

from django.contrib.auth import get_user_model
from django.db.models import F

from gridgov.tickets.models import Assignment
from gridgov.tickets.states import AssignmentState

UNIT_STAFF_ROLES = ("unit_handler", "unit_leader")
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


def unit_staff(unit_ids, roles=UNIT_STAFF_ROLES):
    """Active users granted one of `roles` in any of the units, each once, in id order."""
    return list(get_user_model().objects.filter(is_active=True, grants__unit_id__in=list(unit_ids), grants__role__in=roles)
                .distinct().order_by("pk"))
