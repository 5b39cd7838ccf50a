"""Master-data endpoints: handling units, the category tree with its rules in force, and channels."""

from django.db.models import Q
from ninja import Query, Router

from gridgov.api.schemas import ERRORS, CategoryFilters, CategoryOut, ChannelFilters, ChannelOut, UnitFilters, UnitOut
from gridgov.core import clock
from gridgov.core.errors import InvalidInput
from gridgov.tickets.models import Channel
from gridgov.units.models import Category, ResponsibilityRule, Unit
from gridgov.units.responsibility import rule_in_force

router = Router()


@router.get("/units", response={200: list[UnitOut], **ERRORS}, operation_id="units_list", summary="承办单位")
def list_units(request, filters: Query[UnitFilters]):
    """Handling units, filtered by kind, group or keyword."""
    qs = Unit.objects.select_related("area")
    if not filters.include_inactive:
        qs = qs.filter(active=True)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.group:
        qs = qs.filter(group=filters.group)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(code=filters.q))
    return [{
        "id": u.pk, "code": u.code, "name": u.name, "kind": u.kind, "kind_label": u.get_kind_display(), "group": u.group,
        "area": {"code": u.area_id, "name": u.area.name} if u.area_id else None, "active": u.active,
    } for u in qs]


@router.get("/categories", response={200: list[CategoryOut], **ERRORS}, operation_id="categories_list", summary="事项分类与责任清单")
def list_categories(request, filters: Query[CategoryFilters]):
    """The category tree as a flat list in code order, each with the responsibility rule in force now."""
    categories = list(Category.objects.order_by("code"))
    rules = rules_in_force(categories, clock.now())
    with_children = {c.parent_id for c in categories if c.parent_id}
    by_id = {c.pk: c for c in categories}
    shown = [c for c in categories if (filters.include_inactive or c.active) and (filters.public is None or c.public == filters.public)]
    return [{
        "id": c.pk, "code": c.code, "name": c.name, "parent_code": by_id[c.parent_id].code if c.parent_id else None,
        "level": c.level, "leaf": c.pk not in with_children, "public": c.public, "active": c.active,
        "rule": _rule(rules.get(c.pk), by_id),
    } for c in shown]


def rules_in_force(categories: list[Category], at) -> dict[int, ResponsibilityRule]:
    """Return {category id: rule in force at `at`} in one query, decided by `rule_in_force` for each category."""
    candidates = list(ResponsibilityRule.objects.filter(effective_from__lte=at).select_related("category", "department"))
    by_id = {c.pk: c for c in categories}
    for c in categories:
        # Link parents in memory so walking up the tree costs no query per level.
        if c.parent_id in by_id:
            c.parent = by_id[c.parent_id]
    found = {}
    for c in categories:
        try:
            found[c.pk] = rule_in_force(c, at, candidates=candidates)
        except InvalidInput:
            pass  # no version in force yet: the category is listed without a rule
    return found


def _rule(rule: ResponsibilityRule | None, categories: dict[int, Category]) -> dict | None:
    if rule is None:
        return None
    return {
        "id": rule.pk, "category_code": categories[rule.category_id].code, "effective_from": rule.effective_from,
        "handler": rule.handler, "handler_label": rule.get_handler_display(),
        "department": {"id": rule.department_id, "name": rule.department.name} if rule.department_id else None,
        "sign_limit": rule.sign_limit, "sign_limit_unit": rule.sign_limit_unit,
        "handle_limit": rule.handle_limit, "handle_limit_unit": rule.handle_limit_unit, "urgency": rule.urgency,
    }


@router.get("/channels", response={200: list[ChannelOut], **ERRORS}, operation_id="channels_list", summary="受理渠道")
def list_channels(request, filters: Query[ChannelFilters]):
    """The channels tickets come in by."""
    qs = Channel.objects.all() if filters.include_inactive else Channel.objects.filter(active=True)
    return [{"code": c.code, "name": c.name, "prefix": c.prefix, "active": c.active} for c in qs]
