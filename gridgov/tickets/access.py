"""Who may see and do what: one default-deny visibility filter and one permission check."""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from gridgov.accounts.models import RoleGrant
from gridgov.accounts.permissions import role_permissions
from gridgov.core.errors import Forbidden, NotFound
from gridgov.tickets.models import Assignment, Ticket
from gridgov.tickets.states import AssignmentState

DISTRICT_CODE_LENGTH = 6


@dataclass(frozen=True)
class Grant:
    """A role's permissions with the scope they apply in."""

    role: str
    perms: frozenset[str]
    area_code: str | None
    unit_id: int | None


def grants_of(user) -> list[Grant]:
    """Return the user's grants, loaded once per user object; none for anonymous or inactive users."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_gridgov_grants", None)
    if cached is None:
        cached = [Grant(role, role_permissions(role), area_id, unit_id)
                  for role, area_id, unit_id in RoleGrant.objects.filter(user=user).values_list("role", "area_id", "unit_id")]
        user._gridgov_grants = cached
    return cached


def _area_covers(grant_code: str, area_code: str | None) -> bool:
    # A ticket not yet located belongs to the district as a whole, so only district-wide grants cover it.
    if area_code is None:
        return len(grant_code) == DISTRICT_CODE_LENGTH
    return area_code.startswith(grant_code)


def visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Return the tickets `user` may see: within an area grant's subtree, assigned or summoned (吹哨) to a grant's unit."""
    qs = Ticket.objects.all() if queryset is None else queryset
    condition = Q(pk__in=[])
    area_codes = {g.area_code for g in grants_of(user) if g.area_code and "ticket.view" in g.perms}
    unit_ids = {g.unit_id for g in grants_of(user) if g.unit_id and "ticket.view" in g.perms}
    for code in sorted(area_codes):
        if any(code.startswith(other) and code != other for other in area_codes):
            continue  # already covered by a wider grant
        condition |= Q(area__code__startswith=code)
        if len(code) == DISTRICT_CODE_LENGTH:
            condition |= Q(area__isnull=True)
    if unit_ids:
        condition |= Q(Exists(Assignment.objects.filter(ticket=OuterRef("pk"), unit_id__in=unit_ids)))
        # A department summoned by a whistle co-handles the ticket, so it must be able to open it.
        summons = apps.get_model("whistles", "WhistleSummons").objects
        condition |= Q(Exists(summons.filter(whistle__ticket=OuterRef("pk"), unit_id__in=unit_ids)))
    return qs.filter(condition)


def assigned_unit_ids(ticket: Ticket) -> set[int]:
    """Return every unit the ticket has ever been assigned to."""
    return set(ticket.assignments.values_list("unit_id", flat=True))


def can(user, perm: str, ticket: Ticket | None = None, *, area_code: str | None = None, unit_id: int | None = None) -> bool:
    """Tell whether a grant gives `perm` over the ticket (or the place `area_code`) and, if given, for `unit_id`'s work."""
    if ticket is not None:
        area_code = ticket.area_id
    for g in grants_of(user):
        if perm not in g.perms:
            continue
        if g.area_code and _area_covers(g.area_code, area_code):
            return True
        if g.unit_id and (g.unit_id == unit_id if unit_id is not None else (ticket is not None and g.unit_id in assigned_unit_ids(ticket))):
            return True
    return False


def get_visible(user, ticket_id) -> Ticket:
    """Return the ticket if `user` may see it; otherwise NotFound, exactly as for a missing ticket."""
    ticket = visible_to(user).filter(pk=ticket_id).first() if str(ticket_id).isdigit() else None
    if ticket is None:
        raise NotFound("工单不存在或无权查看")
    return ticket


def require(user, perm: str, ticket: Ticket | None = None, **scope) -> None:
    """Raise Forbidden unless `can` allows it."""
    if not can(user, perm, ticket, **scope):
        raise Forbidden()


def can_view_pii(user, ticket: Ticket) -> bool:
    """Tell whether the user's role needs the citizen's personal data on this ticket.

    Area grants cover their subtree; a unit needs the data only while it works on the ticket, so a unit
    grant counts only for a current-round assignment the unit has not returned or lost.
    """
    for g in grants_of(user):
        if "pii.view" not in g.perms:
            continue
        if g.area_code and _area_covers(g.area_code, ticket.area_id):
            return True
        if g.unit_id and ticket.assignments.filter(unit_id=g.unit_id, round=F("ticket__dispatch_round")).exclude(
                state__in=(AssignmentState.RETURNED, AssignmentState.WITHDRAWN)).exists():
            return True
    return False


def mask_phone(phone: str) -> str:
    """Show only the first 3 and last 4 digits of a phone number, and never more than all but 4 of them."""
    # 3 + 4 shown of an 8-digit landline would hide a single digit.
    if len(phone) >= 11:
        return phone[:3] + "****" + phone[-4:]
    if len(phone) >= 8:
        return "*" * (len(phone) - 4) + phone[-4:]
    return "*" * len(phone)


def mask_name(name: str) -> str:
    """Keep the surname only."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""
