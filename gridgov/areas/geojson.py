"""Pure GeoJSON import/export and validation of the area tree (no Django, no database).

Problem kinds (stable strings, safe to switch on in callers and tests):

- ``not_feature_collection`` – the document is not a FeatureCollection with a feature list
- ``bad_feature`` – an entry of ``features`` is not a GeoJSON Feature object
- ``missing_property`` – code, name, level (or parent_code above level 0, kind at level 2) is absent
- ``bad_property`` – a property has the wrong type or an unknown value
- ``bad_code`` – code is not 6 + 3 × level digits, or does not extend its parent's code
- ``duplicate_code`` – the same code appears more than once in the file
- ``parent_missing`` – parent_code is neither in the file nor in ``existing``
- ``level_mismatch`` – level is not parent level + 1, or a level-0 area names a parent
- ``bad_geometry_type`` – geometry is not null, Polygon or MultiPolygon
- ``bad_geometry`` – geometry cannot be built, is empty, or has non lon/lat coordinates
- ``invalid_polygon`` – shapely reports the polygon invalid (self-intersection, …)
- ``outside_parent`` – the child sticks out of its parent by more than ``tolerance``
- ``sibling_overlap`` – two children of the same parent overlap by more than ``tolerance``
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

MAX_LEVEL = 4
LEVEL_NAMES = {0: "区/县", 1: "街道/镇", 2: "社区/村", 3: "三级网格", 4: "四级网格"}
KINDS = ("urban", "rural")
POLYGON_TYPES = ("Polygon", "MultiPolygon")

PROBLEM_KINDS = frozenset(
    {
        "not_feature_collection",
        "bad_feature",
        "missing_property",
        "bad_property",
        "bad_code",
        "duplicate_code",
        "parent_missing",
        "level_mismatch",
        "bad_geometry_type",
        "bad_geometry",
        "invalid_polygon",
        "outside_parent",
        "sibling_overlap",
    }
)


def code_length(level: int) -> int:
    """Return the number of digits of an area code at this level."""
    return 6 + 3 * level


@dataclass(frozen=True)
class AreaRecord:
    """One area of the tree as read from (or written to) GeoJSON."""

    code: str
    name: str
    level: int
    parent_code: str | None
    kind: str
    geometry: BaseGeometry | None
    key_grid: bool = False


@dataclass(frozen=True)
class Problem:
    """One validation problem; ``message`` is shown to users, ``kind`` is for code."""

    code: str | None
    feature_index: int | None
    message: str
    kind: str


@dataclass
class _Parsed:
    """Working state of one readable feature during validation."""

    index: int
    record: AreaRecord
    geometry_ok: bool  # valid, non-empty polygon usable for spatial checks


def _read_code(value: Any) -> str | None:
    """Return the code as a string, accepting JSON numbers written by careless exporters."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return None


def _read_level(value: Any) -> int | None:
    """Return the level as an int, accepting digit strings (common in shapefile exports)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _label(code: str | None) -> str:
    """Return a short reference to a feature for messages."""
    return f"区域 {code}" if code else "该要素"


def parse_and_validate(
    data: dict,
    existing: Mapping[str, AreaRecord] | None = None,
    tolerance: float = 1e-6,
) -> tuple[list[AreaRecord], list[Problem]]:
    """Parse a FeatureCollection of areas and report every problem found, never only the first.

    ``existing`` holds areas already known (e.g. from the database); they may serve as
    parents and as siblings for the overlap check. A code present in both the file and
    ``existing`` is treated as an update: the file version wins.

    ``tolerance`` is an AREA in squared degrees (lon × lat), used both for "child inside
    parent" (``child.difference(parent).area <= tolerance``) and for sibling overlaps
    (``intersection.area > tolerance`` is a problem). The default 1e-6 deg² is about
    1 hectare (~10,000 m²) at the latitude of central China, which absorbs digitising
    slivers along shared borders but not misplaced polygons.

    Returns ``(records, problems)``. Records are best effort (every feature whose code,
    name and level could be read, first occurrence of a duplicated code only) sorted by
    level then code so parents precede children; import them only when ``problems`` is
    empty. Problems are sorted by feature index (document-level problems first).
    """
    existing = existing or {}
    problems: list[Problem] = []

    def report(kind: str, message: str, code: str | None = None, index: int | None = None) -> None:
        problems.append(Problem(code=code, feature_index=index, message=message, kind=kind))

    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        report("not_feature_collection", "文件不是 GeoJSON FeatureCollection")
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        if isinstance(data, dict) and data.get("type") == "FeatureCollection":
            report("not_feature_collection", "FeatureCollection 缺少 features 列表")
        return [], problems

    parsed: dict[str, _Parsed] = {}
    for index, feature in enumerate(features):
        item = _parse_feature(index, feature, report)
        if item is None:
            continue
        code = item.record.code
        if code in parsed:
            first = parsed[code].index
            report("duplicate_code", f"编码 {code} 重复（与第 {first + 1} 个要素相同）", code, index)
            continue
        parsed[code] = item

    # The file overrides ``existing`` so a re-import of corrected areas validates against itself.
    known: dict[str, AreaRecord] = {**existing, **{code: p.record for code, p in parsed.items()}}
    # Geometries safe for spatial predicates; file geometries were already checked while parsing.
    usable: dict[str, BaseGeometry] = {
        code: record.geometry
        for code, record in known.items()
        if (parsed[code].geometry_ok if code in parsed else _usable(record.geometry))
    }

    for item in parsed.values():
        _check_parent(item, known, usable, tolerance, report)

    _check_siblings(parsed, known, usable, tolerance, report)

    records = sorted((p.record for p in parsed.values()), key=lambda r: (r.level, r.code))
    # Stable sort keeps the discovery order of problems within one feature.
    problems.sort(key=lambda p: -1 if p.feature_index is None else p.feature_index)
    return records, problems


def _usable(geometry: BaseGeometry | None) -> bool:
    """Return True when a geometry can take part in spatial checks without GEOS errors."""
    return geometry is not None and not geometry.is_empty and geometry.is_valid


def _parse_feature(index: int, feature: Any, report) -> _Parsed | None:
    """Read one feature, reporting property and geometry problems; None if unusable."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        report("bad_feature", f"第 {index + 1} 个要素不是 GeoJSON Feature", None, index)
        return None
    props = feature.get("properties")
    if props is None:
        props = {}
    if not isinstance(props, dict):
        report("bad_property", "properties 必须是对象", None, index)
        props = {}

    raw_code = props.get("code")
    code = _read_code(raw_code)
    if raw_code is None or code == "":
        report("missing_property", "缺少编码 code", None, index)
        code = None
    elif code is None:
        report("bad_property", f"编码 code 类型错误：{raw_code!r}", None, index)

    name = props.get("name")
    if name is None or (isinstance(name, str) and not name.strip()):
        report("missing_property", f"{_label(code)} 缺少名称 name", code, index)
        name = None
    elif not isinstance(name, str):
        report("bad_property", f"{_label(code)} 的名称 name 必须是文本", code, index)
        name = None
    else:
        name = name.strip()

    raw_level = props.get("level")
    level = _read_level(raw_level)
    if raw_level is None:
        report("missing_property", f"{_label(code)} 缺少层级 level", code, index)
    elif level is None or not 0 <= level <= MAX_LEVEL:
        report("bad_property", f"{_label(code)} 的层级 level 应为 0–{MAX_LEVEL}，实际为 {raw_level!r}", code, index)
        level = None

    raw_parent = props.get("parent_code")
    parent_code = _read_code(raw_parent) if raw_parent is not None else None
    if raw_parent is not None and parent_code is None:
        report("bad_property", f"{_label(code)} 的上级编码 parent_code 类型错误：{raw_parent!r}", code, index)
    parent_code = parent_code or None  # "" means "no parent" in many exports

    kind = props.get("kind")
    if kind is None or kind == "":
        kind = ""
        if level == 2:
            report("missing_property", f"{_label(code)} 为社区/村，缺少类型 kind（urban 或 rural）", code, index)
    elif kind not in KINDS:
        report("bad_property", f"{_label(code)} 的类型 kind 应为 urban 或 rural，实际为 {kind!r}", code, index)
        kind = ""

    key_grid = props.get("key_grid", False)
    if key_grid is None:
        key_grid = False
    elif not isinstance(key_grid, bool):
        report("bad_property", f"{_label(code)} 的重点网格标记 key_grid 必须是 true/false", code, index)
        key_grid = False

    if code is not None and level is not None:
        expected = code_length(level)
        if not code.isdigit() or len(code) != expected:
            report("bad_code", f"编码 {code} 应为 {expected} 位数字（{LEVEL_NAMES[level]}）", code, index)
        if level == 0 and parent_code is not None:
            report("level_mismatch", f"区域 {code} 为区/县级，不应有上级区域 {parent_code}", code, index)
        elif level > 0 and parent_code is None:
            report("missing_property", f"区域 {code} 缺少上级编码 parent_code", code, index)
        elif level > 0 and not (code.startswith(parent_code) and len(code) == len(parent_code) + 3):
            report("bad_code", f"编码 {code} 应由上级编码 {parent_code} 加 3 位数字组成", code, index)

    geometry, geometry_ok = _parse_geometry(index, code, feature.get("geometry"), report)

    if code is None or name is None or level is None:
        return None
    record = AreaRecord(
        code=code,
        name=name,
        level=level,
        parent_code=parent_code,
        kind=kind,
        geometry=geometry,
        key_grid=key_grid,
    )
    return _Parsed(index=index, record=record, geometry_ok=geometry_ok)


def _parse_geometry(index: int, code: str | None, raw: Any, report) -> tuple[BaseGeometry | None, bool]:
    """Build the boundary, reporting type/validity problems; returns (geometry, usable)."""
    if raw is None:
        return None, False
    if not isinstance(raw, dict) or raw.get("type") not in POLYGON_TYPES:
        found = raw.get("type") if isinstance(raw, dict) else type(raw).__name__
        report("bad_geometry_type", f"{_label(code)} 的边界类型应为 Polygon 或 MultiPolygon，实际为 {found}", code, index)
        return None, False
    try:
        geometry = shape(raw)
    except Exception as exc:  # shapely raises several types for malformed coordinate arrays
        report("bad_geometry", f"{_label(code)} 的边界坐标格式错误：{exc}", code, index)
        return None, False
    if geometry.is_empty:
        report("bad_geometry", f"{_label(code)} 的边界为空", code, index)
        return geometry, False
    coords = shapely.get_coordinates(geometry)
    if not np.isfinite(coords).all():
        report("bad_geometry", f"{_label(code)} 的边界含有非数值坐标", code, index)
        return geometry, False
    minx, miny, maxx, maxy = geometry.bounds
    # Projected coordinates (metres, e.g. CGCS2000 Gauss-Krüger) are the usual cause here.
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        report("bad_geometry", f"{_label(code)} 的边界坐标超出经纬度范围，请使用 WGS84 经纬度", code, index)
        return geometry, False
    if not geometry.is_valid:
        report("invalid_polygon", f"{_label(code)} 的边界无效：{explain_validity(geometry)}", code, index)
        return geometry, False
    return geometry, True


def _check_parent(item: _Parsed, known: Mapping[str, AreaRecord], usable: Mapping[str, BaseGeometry], tolerance: float, report) -> None:
    """Check that the parent exists, sits one level up and spatially contains the child."""
    record = item.record
    if record.level == 0 or record.parent_code is None:
        return
    parent = known.get(record.parent_code)
    if parent is None:
        report("parent_missing", f"上级区域 {record.parent_code} 不存在", record.code, item.index)
        return
    if parent.level != record.level - 1:
        report(
            "level_mismatch",
            f"区域 {record.code} 的层级为 {record.level}，但上级区域 {parent.code} 的层级为 {parent.level}",
            record.code,
            item.index,
        )
    child_geom = usable.get(record.code)
    parent_geom = usable.get(parent.code)
    if child_geom is None or parent_geom is None:
        return  # nothing to compare: parents without a drawn boundary skip this check
    outside = child_geom.difference(parent_geom).area
    if outside > tolerance:
        share = outside / child_geom.area if child_geom.area else 1.0
        report(
            "outside_parent",
            f"区域 {record.code} 超出上级区域 {parent.code} 的范围（超出面积 {outside:.3g} 平方度，占 {share:.1%}）",
            record.code,
            item.index,
        )


def _check_siblings(
    parsed: Mapping[str, _Parsed],
    known: Mapping[str, AreaRecord],
    usable: Mapping[str, BaseGeometry],
    tolerance: float,
    report,
) -> None:
    """Report overlapping siblings; an STRtree per parent keeps 6,000 siblings far from O(n²)."""
    groups: dict[str | None, list[str]] = defaultdict(list)
    for code in usable:
        groups[known[code].parent_code].append(code)

    for codes in groups.values():
        if len(codes) < 2 or not any(code in parsed for code in codes):
            continue
        codes.sort()
        geoms = np.array([usable[code] for code in codes], dtype=object)
        tree = shapely.STRtree(geoms)
        # "intersects" also returns siblings that merely share an edge; the area test drops them.
        left, right = tree.query(geoms, predicate="intersects")
        keep = left < right
        left, right = left[keep], right[keep]
        if not len(left):
            continue
        areas = shapely.area(shapely.intersection(geoms[left], geoms[right]))
        for i, j, area in zip(left.tolist(), right.tolist(), areas.tolist()):
            if not area > tolerance or math.isnan(area):
                continue
            a, b = codes[i], codes[j]
            # Blame the feature that appears later in the file; pre-existing pairs are not ours to report.
            in_file = [parsed[c] for c in (a, b) if c in parsed]
            if not in_file:
                continue
            blamed = max(in_file, key=lambda p: p.index)
            other = b if blamed.record.code == a else a
            report(
                "sibling_overlap",
                f"区域 {blamed.record.code} 与同级区域 {other} 重叠（重叠面积 {area:.3g} 平方度）",
                blamed.record.code,
                blamed.index,
            )


def to_feature_collection(records: Iterable[AreaRecord]) -> dict:
    """Export records as a GeoJSON FeatureCollection that ``parse_and_validate`` reads back unchanged."""
    features = []
    for record in records:
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": record.code,
                    "name": record.name,
                    "level": record.level,
                    "parent_code": record.parent_code,
                    "kind": record.kind,
                    "key_grid": record.key_grid,
                },
                "geometry": mapping(record.geometry) if record.geometry is not None else None,
            }
        )
    return {"type": "FeatureCollection", "features": features}
