"""Who holds a role where: the people a notification, an urge or an escalation is for. One definition for all."""

from gridgov.accounts.models import RoleGrant, User
from gridgov.accounts.permissions import UNIT_ROLES


def unit_staff(unit_ids, roles=tuple(sorted(UNIT_ROLES))) -> list[User]:
    """Active users granted one of `roles` (default: handler or leader) in any of the units, each once, in id order."""
    ids = RoleGrant.objects.filter(role__in=roles, unit_id__in=list(unit_ids)).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def dispatchers_for(area_code: str | None) -> list[User]:
    """Active dispatchers whose area grant covers the place (every dispatcher for a place not yet located)."""
    grants = RoleGrant.objects.filter(role="dispatcher", area__isnull=False).values_list("user_id", "area_id")
    ids = {uid for uid, code in grants if area_code is None or area_code.startswith(code)}
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))
