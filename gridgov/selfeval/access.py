"""Who may see and edit self-evaluations: a district-wide grant sees all, a unit grant its own unit's. Default deny."""

from django.db.models import Q, QuerySet

from gridgov.core.errors import Forbidden, NotFound
from gridgov.selfeval.models import Evaluation
from gridgov.tickets.access import DISTRICT_CODE_LENGTH, grants_of
from gridgov.units.models import Unit

VIEW, EDIT = "selfeval.view", "selfeval.edit"


def _condition(user, perm: str) -> Q:
    condition = Q(pk__in=[])
    for grant in grants_of(user):
        if perm not in grant.perms:
            continue
        if grant.area_code and len(grant.area_code) == DISTRICT_CODE_LENGTH:
            return Q()  # district-wide: the centre's finance office and leaders
        if grant.unit_id:
            condition |= Q(unit_id=grant.unit_id)
    return condition


def visible_to(user, queryset: QuerySet | None = None, perm: str = VIEW) -> QuerySet:
    """The evaluations `user` may see (or, with perm=EDIT, edit)."""
    qs = Evaluation.objects.all() if queryset is None else queryset
    return qs.filter(_condition(user, perm))


def get_visible(user, pk) -> Evaluation:
    """The evaluation if visible; NotFound exactly as for a missing one."""
    evaluation = visible_to(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if evaluation is None:
        raise NotFound("绩效自评不存在或无权查看")
    return evaluation


def can_edit(user, evaluation: Evaluation) -> bool:
    """Edit rights over this evaluation."""
    return visible_to(user, perm=EDIT).filter(pk=evaluation.pk).exists()


def require_edit(user, evaluation: Evaluation) -> None:
    """Raise Forbidden unless the user may edit it."""
    if not can_edit(user, evaluation):
        raise Forbidden("无权编制该绩效自评")


def may_view_any(user) -> bool:
    """Whether the user holds any grant to view self-evaluations (else the pages do not exist for them)."""
    return any(VIEW in g.perms for g in grants_of(user))


def home_unit(user):
    """The unit a new evaluation of the user's belongs to: none for a district-wide grant, else the unit grant's."""
    grants = [g for g in grants_of(user) if EDIT in g.perms]
    if any(len(g.area_code or "") == DISTRICT_CODE_LENGTH for g in grants):
        return None
    for g in grants:
        if g.unit_id:
            return Unit.objects.get(pk=g.unit_id)
    raise Forbidden("只有区级财务人员或单位账号可以新建绩效自评")


def may_create(user) -> bool:
    """A district-wide or unit edit grant may start an evaluation (a unit grant: of its own unit), one it can then see."""
    return any(EDIT in g.perms and (g.unit_id or len(g.area_code or "") == DISTRICT_CODE_LENGTH) for g in grants_of(user))
