"""Who holds a role where: the people a notification, an urge or an escalation is for. One definition for all."""

from django.db.models import F

from gridgov.accounts.models import RoleGrant, User
from gridgov.accounts.permissions import UNIT_ROLES
from gridgov.tickets.access import _area_covers
from gridgov.tickets.models import Assignment
from gridgov.tickets.states import AssignmentState

# Assignments a unit no longer holds: it sent the ticket back, or the centre took it away.
GONE = (AssignmentState.RETURNED, AssignmentState.WITHDRAWN)


def unit_staff(unit_ids, roles=tuple(sorted(UNIT_ROLES))) -> list[User]:
    """Active users granted one of `roles` (default: handler or leader) in any of the units, each once, in id order."""
    ids = RoleGrant.objects.filter(role__in=roles, unit_id__in=list(unit_ids)).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def dispatchers_for(area_code: str | None) -> list[User]:
    """Active dispatchers whose area grant covers the place, by the ticket visibility rule (tickets.access._area_covers):
    a place not yet located belongs to the district as a whole, so only district-wide dispatchers hear of it."""
    grants = RoleGrant.objects.filter(role="dispatcher", area__isnull=False).values_list("user_id", "area_id")
    ids = {uid for uid, code in grants if _area_covers(code, area_code)}
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def responsible_unit_ids(ticket_ids) -> dict[int, set[int]]:
    """{ticket id: the units holding its current round (lead and support, not returned or withdrawn)}."""
    out: dict[int, set[int]] = {}
    rows = (Assignment.objects.filter(ticket_id__in=list(ticket_ids), round=F("ticket__dispatch_round"))
            .exclude(state__in=GONE).values_list("ticket_id", "unit_id"))
    for ticket_id, unit_id in rows:
        out.setdefault(ticket_id, set()).add(unit_id)
    return out
