"""Area endpoints: the grid tree, one area, its children, and a GeoJSON export."""

import json

from django.db.models import Count, Q
from django.http import HttpResponse
from ninja import Path, Query, Router

from gridgov.api.schemas import ERRORS, AreaDetail, AreaFilters, AreaItem, AreaPage, ExportParams, PageParams
from gridgov.areas.importer import export_areas
from gridgov.areas.models import LEVEL_NAMES, Area
from gridgov.core.errors import NotFound

router = Router()

AreaCode = Path[str, {"description": "区域/网格编码"}]


def _areas():
    return Area.objects.annotate(children_count=Count("children")).order_by("code")


def _item(a: Area) -> dict:
    return {
        "code": a.code, "name": a.name, "level": a.level, "level_label": LEVEL_NAMES.get(a.level, ""),
        "parent_code": a.parent_id, "kind": a.kind, "key_grid": a.key_grid, "population": a.population,
        "children_count": a.children_count,
    }


def _get(code: str) -> Area:
    # Codes are digits; anything else cannot exist, and must not reach the database (NUL breaks PostgreSQL).
    area = _areas().filter(code=code).first() if code.isdigit() else None
    if area is None:
        raise NotFound("区域不存在")
    return area


@router.get("", response={200: AreaPage, **ERRORS}, operation_id="areas_list", summary="区域/网格列表")
def list_areas(request, filters: Query[AreaFilters], page: Query[PageParams]):
    """List areas by level, parent or keyword, in code order."""
    qs = _areas()
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    if filters.parent:
        qs = qs.filter(parent_id=filters.parent)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(code__startswith=filters.q))
    items = qs[page.offset:page.offset + page.limit]
    return {"count": qs.count(), "items": [_item(a) for a in items]}


# Declared before "/{code}" so the export is not read as an area code.
@router.get(
    "/export.geojson", response={200: dict, **ERRORS}, operation_id="areas_export_geojson", summary="导出区域边界（GeoJSON）",
    openapi_extra={"responses": {200: {"description": "GeoJSON FeatureCollection", "content": {"application/geo+json": {}}}}},
)
def export_geojson(request, params: Query[ExportParams]):
    """Export an area subtree (or the whole tree) as a GeoJSON FeatureCollection that the import reads back."""
    if params.root:
        _get(params.root)
    body = json.dumps(export_areas(params.root), ensure_ascii=False)
    response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="areas-{params.root or "all"}.geojson"'
    return response


@router.get("/{code}", response={200: AreaDetail, **ERRORS}, operation_id="areas_get", summary="区域详情")
def get_area(request, code: AreaCode):
    """One area with its ancestors, boundary and number of children."""
    area = _get(code)
    names = dict(Area.objects.filter(code__in=area.ancestor_codes()[:-1]).values_list("code", "name"))
    ancestors = [{"code": c, "name": names[c]} for c in area.ancestor_codes()[:-1] if c in names]
    return {**_item(area), "aliases": area.aliases or [], "ancestors": ancestors, "boundary": area.boundary}


@router.get("/{code}/children", response={200: list[AreaItem], **ERRORS}, operation_id="areas_children", summary="下级区域")
def area_children(request, code: AreaCode):
    """The direct children of an area, in code order."""
    _get(code)
    return [_item(a) for a in _areas().filter(parent_id=code)]
