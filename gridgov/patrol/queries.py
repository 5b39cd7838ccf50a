"""Who may read which visits, and the masking of the household name."""

from django.db.models import Q

from gridgov.patrol.models import Visit
from gridgov.tickets.access import grants_of, mask_name


def view_scopes(user) -> list[str]:
    """Return the widest area codes in which the user may view tickets (nested grants collapse into the outer one)."""
    codes = sorted({g.area_code for g in grants_of(user) if g.area_code and "ticket.view" in g.perms})
    return [c for c in codes if not any(c.startswith(o) and c != o for o in codes)]


def visible_visits(user):
    """Return the visits in the user's area scope (area grants that may view tickets); none otherwise."""
    scopes = view_scopes(user)
    if not scopes:
        return Visit.objects.none()
    condition = Q()
    for code in scopes:
        condition |= Q(area__code__startswith=code)
    return Visit.objects.filter(condition)


def can_view_household(user, visit: Visit) -> bool:
    """The recorder sees what they wrote; others need pii.view over the visit's area."""
    if visit.worker_id == getattr(user, "pk", None):
        return True
    return any("pii.view" in g.perms and g.area_code and visit.area_id.startswith(g.area_code) for g in grants_of(user))


def household_for(user, visit: Visit) -> str:
    """Return the household name as this user may see it."""
    return visit.household if can_view_household(user, visit) else mask_name(visit.household)
