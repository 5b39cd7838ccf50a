"""Importing and exporting the area tree as GeoJSON: all-or-nothing, with every problem listed."""

import logging

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from shapely.geometry import mapping, shape

from gridgov.areas.geojson import AreaRecord, Problem, parse_and_validate, to_feature_collection
from gridgov.areas.models import Area


NAME_MAX = Area._meta.get_field("name").max_length


logger = logging.getLogger(__name__)


class AreaImportError(Exception):
    """The file has problems; nothing was imported."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} 个问题，未导入任何数据")
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


def _geometry(area: Area):
    if not area.boundary:
        return None
    try:
        return shape(area.boundary)
    except Exception:  # shapely raises several types for malformed coordinates
        # A boundary edited by hand in the admin may be unreadable; keep the area without it rather than fail the file.
        logger.warning("area %s has an unreadable boundary; exported without geometry", area.code)
        return None


def _record(area: Area) -> AreaRecord:
    return AreaRecord(code=area.code, name=area.name, level=area.level, parent_code=area.parent_id, kind=area.kind,
                      geometry=_geometry(area), key_grid=area.key_grid)


def existing_records() -> dict[str, AreaRecord]:
    """Return the stored tree as validator records."""
    return {a.code: _record(a) for a in Area.objects.all()}


def import_areas(data: dict, tolerance: float = 1e-6) -> ImportResult:
    """Validate a FeatureCollection against itself and the stored tree, then create or update every area in it."""
    with transaction.atomic():
        # Validate against the tree as it is inside the transaction that writes, so nothing slips in between.
        existing = existing_records()
        records, problems = parse_and_validate(data, existing=existing, tolerance=tolerance)
        problems += [Problem(r.code, None, f"名称超过 {NAME_MAX} 个字符", "bad_property") for r in records if len(r.name) > NAME_MAX]
        if problems:
            raise AreaImportError(problems)
        now = timezone.now()
        rows = [Area(code=r.code, name=r.name, level=r.level, parent_id=r.parent_code, kind=r.kind if r.kind in Area.Kind.values else "",
                     boundary=mapping(r.geometry) if r.geometry is not None else None, key_grid=r.key_grid, updated_at=now)
                for r in records]
        # Parents precede children in `records`, so each batch only refers to rows already written.
        Area.objects.bulk_create(rows, batch_size=500, update_conflicts=True, unique_fields=["code"],
                                 update_fields=["name", "level", "parent", "kind", "boundary", "key_grid", "updated_at"])
    updated = sum(1 for r in records if r.code in existing)
    return ImportResult(created=len(records) - updated, updated=updated)


def export_areas(root: str | None = None) -> dict:
    """Return the tree (or the subtree under `root`) as a GeoJSON FeatureCollection."""
    areas = Area.objects.subtree(root) if root else Area.objects.all()
    return to_feature_collection(_record(a) for a in areas.order_by("level", "code"))
