"""Who may blow, see summons and check in; built on the tickets' grants and default-deny visibility."""

from django.db.models import Q, QuerySet

from gridgov.core.errors import Forbidden, NotFound
from gridgov.tickets.access import assigned_unit_ids, can, grants_of, visible_to
from gridgov.units.models import Unit
from gridgov.whistles.models import Whistle, WhistleSummons

BLOW = "whistle.blow"
CHECKIN = "whistle.checkin"


class _Blower:
    """The capacity a user blows in: an area grant (unit None) or a territorial unit."""

    def __init__(self, unit: Unit | None):
        self.unit = unit


def blower(user, ticket) -> _Blower | None:
    """Return the capacity in which `user` may blow on `ticket`, or None.

    Area grants (网格长, the centre) cover their subtree. A unit grant counts only for a territorial unit
    (street or community) whose area covers the ticket or which handles it: departments are summoned, they do not summon.
    """
    # With only an area given, `can` consults area grants alone.
    if can(user, BLOW, area_code=ticket.area_id):
        return _Blower(None)
    unit_ids = [g.unit_id for g in grants_of(user) if g.unit_id and BLOW in g.perms]
    if not unit_ids:
        return None
    assigned = assigned_unit_ids(ticket)
    for unit in Unit.objects.filter(pk__in=unit_ids, kind=Unit.Kind.TERRITORIAL, active=True).order_by("pk"):
        if unit.pk in assigned or (unit.area_id and ticket.area_id and ticket.area_id.startswith(unit.area_id)):
            return _Blower(unit)
    return None


def checkin_unit_ids(user) -> set[int]:
    """The units whose summons the user answers (unit grants carrying whistle.checkin)."""
    return {g.unit_id for g in grants_of(user) if g.unit_id and CHECKIN in g.perms}


def can_check_in(user, summons: WhistleSummons) -> bool:
    """The summoned unit's own staff, or an area grant with whistle.checkin over the matter (the centre recording it)."""
    if summons.unit_id in checkin_unit_ids(user):
        return True
    return can(user, CHECKIN, area_code=summons.whistle.ticket.area_id)


def summons_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Summons the user may see: those on visible tickets, and every summons of the user's own units."""
    qs = WhistleSummons.objects.all() if queryset is None else queryset
    condition = Q(whistle__ticket__in=visible_to(user).values("pk"))
    units = checkin_unit_ids(user)
    if units:
        condition |= Q(unit_id__in=units)
    return qs.filter(condition)


def whistles_visible_to(user) -> QuerySet:
    """Whistles on visible tickets or summoning one of the user's units."""
    return Whistle.objects.filter(Q(ticket__in=visible_to(user).values("pk"))
                                  | Q(summons__unit_id__in=checkin_unit_ids(user) or [0])).distinct()


def get_summons(user, summons_id) -> WhistleSummons:
    """The summons if the user may see it; otherwise NotFound, as for a missing one."""
    found = None
    if str(summons_id).isdigit():
        found = summons_visible_to(user).select_related("whistle__ticket", "unit").filter(pk=summons_id).first()
    if found is None:
        raise NotFound("报到记录不存在或无权查看")
    return found


def get_whistle(user, whistle_id) -> Whistle:
    """The whistle if the user may see it; otherwise NotFound."""
    found = whistles_visible_to(user).filter(pk=whistle_id).first() if str(whistle_id).isdigit() else None
    if found is None:
        raise NotFound("吹哨记录不存在或无权查看")
    return found


def require_check_in(user, summons: WhistleSummons) -> None:
    """Raise Forbidden unless the user may check in (or report) for this summons."""
    if not can_check_in(user, summons):
        raise Forbidden("只有被召集单位的人员才能报到")
