"""Routing inputs built from the database, cached per process until areas or units change."""

from dataclasses import dataclass

from django.db.models import Count, Max
from shapely.geometry import shape

from gridgov.areas.models import Area
from gridgov.tickets import routing
from gridgov.units.models import ResponsibilityRule, Unit


@dataclass(frozen=True)
class RoutingInputs:
    """Everything `routing.route` needs besides the ticket itself."""

    grid_index: routing.GridIndex
    gazetteer: routing.Gazetteer
    territorial_units: dict
    department_names: dict
    area_names: dict


_cache: dict = {}


def _version() -> tuple:
    # One cheap query tells whether the tree or the units changed since the index was built.
    areas = Area.objects.aggregate(n=Count("pk"), t=Max("updated_at"))
    units = Unit.objects.aggregate(n=Count("pk"), t=Max("updated_at"))
    return areas["n"], areas["t"], units["n"], units["t"]


def routing_inputs() -> RoutingInputs:
    """Return the routing inputs, rebuilt when boundaries or units have changed."""
    version = _version()
    if _cache.get("version") != version:
        rows = list(Area.objects.values_list("code", "name", "aliases", "boundary"))
        _cache["inputs"] = RoutingInputs(
            grid_index=routing.GridIndex((code, shape(b)) for code, _n, _a, b in rows if b),
            gazetteer=routing.Gazetteer((code, name, aliases or []) for code, name, aliases, _b in rows),
            territorial_units={area_id: (pk, name) for pk, name, area_id in
                               Unit.objects.filter(kind=Unit.Kind.TERRITORIAL, active=True, area__isnull=False).values_list("pk", "name", "area_id")},
            department_names=dict(Unit.objects.exclude(kind=Unit.Kind.TERRITORIAL).values_list("pk", "name")),
            area_names={code: name for code, name, _a, _b in rows},
        )
        _cache["version"] = version
    return _cache["inputs"]


def suggest(rule: ResponsibilityRule, *, lon=None, lat=None, address: str = "", reporter_area_code: str | None = None,
            inputs: RoutingInputs | None = None) -> routing.RouteSuggestion:
    """Suggest the ticket's grid and handling units, with the reason in words (bulk callers pass `inputs` once)."""
    inputs = inputs or routing_inputs()
    return routing.route(
        rule=routing.Rule(handler=rule.handler, department_id=rule.department_id, category_name=rule.category.name),
        point=(lon, lat) if lon is not None and lat is not None else None,
        address=address or None,
        reporter_area_code=reporter_area_code,
        grid_index=inputs.grid_index,
        gazetteer=inputs.gazetteer,
        territorial_units=inputs.territorial_units,
        department_names=inputs.department_names,
        area_names=inputs.area_names,
    )
