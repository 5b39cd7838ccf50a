"""Tests for the pure GeoJSON area import/export and validation."""

import json
import time

import pytest
from shapely.geometry import MultiPolygon, Polygon, box, mapping

from gridgov.areas.geojson import (
    PROBLEM_KINDS,
    AreaRecord,
    Problem,
    parse_and_validate,
    to_feature_collection,
)

DISTRICT = "430104"
STREET_A = "430104001"
STREET_B = "430104002"
COMMUNITY = "430104001001"
VILLAGE = "430104001002"
GRID_1 = "430104001001001"
GRID_2 = "430104001001002"
GRID_4 = "430104001001001001"
NO_SHAPE = "430104002001"


def feature(code, name, level, parent, geometry, kind=None, **extra):
    """Build one GeoJSON feature; geometry may be shapely, a raw dict or None."""
    if geometry is not None and not isinstance(geometry, dict):
        geometry = mapping(geometry)
    props = {"code": code, "name": name, "level": level, "parent_code": parent}
    if kind is not None:
        props["kind"] = kind
    props.update(extra)
    return {"type": "Feature", "properties": props, "geometry": geometry}


def collection(*features):
    """Wrap features in a FeatureCollection."""
    return {"type": "FeatureCollection", "features": list(features)}


def valid_features():
    """A small consistent tree: district → 2 streets → community/village → grids."""
    return [
        feature(DISTRICT, "岳麓区", 0, None, box(112, 28, 113, 29)),
        feature(STREET_A, "梅溪湖街道", 1, DISTRICT, box(112, 28, 112.5, 29)),
        feature(STREET_B, "观沙岭街道", 1, DISTRICT, box(112.5, 28, 113, 29)),
        feature(COMMUNITY, "金茂社区", 2, STREET_A, box(112, 28, 112.5, 28.5), kind="urban"),
        feature(VILLAGE, "桃花村", 2, STREET_A, box(112, 28.5, 112.5, 29), kind="rural"),
        feature(NO_SHAPE, "无边界社区", 2, STREET_B, None, kind="urban"),
        feature(GRID_1, "第1网格", 3, COMMUNITY, box(112, 28, 112.25, 28.5), key_grid=True),
        feature(GRID_2, "第2网格", 3, COMMUNITY, box(112.25, 28, 112.5, 28.5)),
        feature(GRID_4, "第1网格第1小格", 4, GRID_1, box(112, 28, 112.25, 28.25)),
    ]


def kinds(problems):
    """Return the set of problem kinds."""
    return {p.kind for p in problems}


def test_valid_tree_passes_and_parents_precede_children():
    features = valid_features()
    records, problems = parse_and_validate(collection(*reversed(features)))
    assert problems == []
    assert [r.code for r in records] == [
        DISTRICT,
        STREET_A,
        STREET_B,
        COMMUNITY,
        VILLAGE,
        NO_SHAPE,
        GRID_1,
        GRID_2,
        GRID_4,
    ]
    by_code = {r.code: r for r in records}
    assert by_code[GRID_1].key_grid is True
    assert by_code[GRID_2].key_grid is False
    assert by_code[VILLAGE].kind == "rural"
    assert by_code[DISTRICT].parent_code is None
    assert by_code[NO_SHAPE].geometry is None
    assert by_code[GRID_4].geometry.equals(box(112, 28, 112.25, 28.25))


def test_many_problems_are_all_reported_sorted_by_feature():
    bowtie = {"type": "Polygon", "coordinates": [[[112, 28], [112.2, 28.2], [112.2, 28], [112, 28.2], [112, 28]]]}
    features = valid_features() + [
        feature(GRID_2, "重复网格", 3, COMMUNITY, None),  # duplicate_code
        feature("43010400100", "短编码", 3, COMMUNITY, None),  # bad_code (length)
        feature("430104009001", "孤儿社区", 2, "430104009", None, kind="urban"),  # parent_missing
        feature("430104001003", "错层社区", 3, STREET_A, None),  # level_mismatch (+ bad_code length)
        feature("430104001001003", "蝴蝶网格", 3, COMMUNITY, bowtie),  # invalid_polygon
        feature("430104001001004", "越界网格", 3, COMMUNITY, box(112.4, 28, 112.6, 28.2)),  # outside_parent
        feature("430104002002", "重叠社区", 2, STREET_B, box(112.5, 28, 113, 29), kind="urban"),
        feature("430104002003", "重叠社区2", 2, STREET_B, box(112.6, 28.1, 112.7, 28.2), kind="urban"),
        feature("430104002004", "点社区", 2, STREET_B, {"type": "Point", "coordinates": [112.7, 28.7]}, kind="urban"),
        {"type": "Feature", "properties": {"code": "430104002005", "level": 2, "parent_code": STREET_B}, "geometry": None},
    ]
    records, problems = parse_and_validate(collection(*features))
    assert kinds(problems) == {
        "duplicate_code",
        "bad_code",
        "parent_missing",
        "level_mismatch",
        "invalid_polygon",
        "outside_parent",
        "sibling_overlap",
        "bad_geometry_type",
        "missing_property",
    }
    assert kinds(problems) <= PROBLEM_KINDS
    indexes = [p.feature_index for p in problems]
    assert indexes == sorted(indexes)
    assert all(isinstance(p, Problem) and p.message for p in problems)
    # The valid part of the file is still reported as records, the duplicate only once.
    assert [r.code for r in records].count(GRID_2) == 1


def test_bowtie_polygon_is_invalid_with_explanation():
    bowtie = {"type": "Polygon", "coordinates": [[[112, 28], [112.2, 28.2], [112.2, 28], [112, 28.2], [112, 28]]]}
    data = collection(feature(DISTRICT, "岳麓区", 0, None, bowtie))
    _, problems = parse_and_validate(data)
    assert [(p.kind, p.code, p.feature_index) for p in problems] == [("invalid_polygon", DISTRICT, 0)]
    assert "Self-intersection" in problems[0].message
    assert "边界无效" in problems[0].message


def test_child_outside_parent_beyond_tolerance():
    features = valid_features()
    features[7] = feature(GRID_2, "第2网格", 3, COMMUNITY, box(112.25, 28, 112.6, 28.5))
    _, problems = parse_and_validate(collection(*features))
    assert [(p.kind, p.code) for p in problems] == [("outside_parent", GRID_2)]
    assert COMMUNITY in problems[0].message


def test_child_outside_parent_within_tolerance_is_accepted():
    features = valid_features()
    # Sticks out by 1e-4 × 0.5 = 5e-5 deg²: too much for the default, fine for a 1e-4 tolerance.
    sliver = box(112.25, 28, 112.5001, 28.5)
    features[7] = feature(GRID_2, "第2网格", 3, COMMUNITY, sliver)
    _, problems = parse_and_validate(collection(*features))
    assert kinds(problems) == {"outside_parent"}
    _, problems = parse_and_validate(collection(*features), tolerance=1e-4)
    assert problems == []
    # A tiny digitising sliver (1e-5 × 0.01 = 1e-7 deg²) passes the default tolerance.
    features[7] = feature(GRID_2, "第2网格", 3, COMMUNITY, box(112.25, 28, 112.50001, 28.01))
    _, problems = parse_and_validate(collection(*features))
    assert problems == []


def test_parent_without_geometry_skips_containment():
    features = [
        feature(DISTRICT, "岳麓区", 0, None, box(112, 28, 113, 29)),
        feature(STREET_B, "观沙岭街道", 1, DISTRICT, None),
        feature(NO_SHAPE, "远方社区", 2, STREET_B, box(120, 30, 121, 31), kind="urban"),
    ]
    _, problems = parse_and_validate(collection(*features))
    assert problems == []


def test_overlapping_siblings_are_reported_once():
    features = valid_features()
    features[7] = feature(GRID_2, "第2网格", 3, COMMUNITY, box(112.2, 28, 112.5, 28.5))
    _, problems = parse_and_validate(collection(*features))
    assert [(p.kind, p.code, p.feature_index) for p in problems] == [("sibling_overlap", GRID_2, 7)]
    assert GRID_1 in problems[0].message


def test_siblings_sharing_only_an_edge_or_corner_are_allowed():
    corner = [
        feature(DISTRICT, "岳麓区", 0, None, box(0, 0, 2, 2)),
        feature(STREET_A, "甲街道", 1, DISTRICT, box(0, 0, 1, 1)),
        feature(STREET_B, "乙街道", 1, DISTRICT, box(1, 1, 2, 2)),
        feature("430104003", "丙街道", 1, DISTRICT, box(1, 0, 2, 1)),
    ]
    _, problems = parse_and_validate(collection(*corner))
    assert problems == []


def test_sibling_overlap_within_tolerance_is_allowed():
    features = valid_features()
    features[7] = feature(GRID_2, "第2网格", 3, COMMUNITY, box(112.249999, 28, 112.5, 28.5))
    _, problems = parse_and_validate(collection(*features))
    assert problems == []


def test_duplicate_code_blames_the_later_feature():
    features = valid_features() + [feature(GRID_1, "又一个第1网格", 3, COMMUNITY, None)]
    records, problems = parse_and_validate(collection(*features))
    assert [(p.kind, p.code, p.feature_index) for p in problems] == [("duplicate_code", GRID_1, len(features) - 1)]
    assert "第 7 个" in problems[0].message
    assert {r.name for r in records if r.code == GRID_1} == {"第1网格"}


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("4301040010010", 3, COMMUNITY),  # too short for level 3
        ("4301040010010001", 3, COMMUNITY),  # too long
        ("43010400100a001", 3, COMMUNITY),  # not digits
        ("430104002001001", 3, COMMUNITY),  # does not extend the parent's code
    ],
)
def test_bad_codes(code, level, parent):
    features = valid_features() + [feature(code, "坏编码", level, parent, None)]
    _, problems = parse_and_validate(collection(*features))
    assert "bad_code" in kinds(problems)
    assert all(p.code == code for p in problems)


def test_level_mismatch():
    # A 12-digit community filed as the child of a level-2 community: the parent level is wrong.
    features = valid_features() + [feature("430104001001005", "错层网格", 3, VILLAGE, None)]
    features.append(feature("430104001003", "错层", 2, GRID_1, None, kind="urban"))
    _, problems = parse_and_validate(collection(*features))
    mismatches = [p for p in problems if p.kind == "level_mismatch"]
    assert [p.code for p in mismatches] == ["430104001003"]
    assert "bad_code" in kinds(problems)  # 430104001001005 does not extend 430104001002


def test_level_zero_must_not_have_parent():
    _, problems = parse_and_validate(collection(feature(DISTRICT, "岳麓区", 0, "430100", None)))
    assert kinds(problems) == {"level_mismatch"}


def test_missing_parent_and_existing_parent():
    data = collection(feature(COMMUNITY, "金茂社区", 2, STREET_A, box(112, 28, 112.5, 28.5), kind="urban"))
    _, problems = parse_and_validate(data)
    assert [(p.kind, p.code) for p in problems] == [("parent_missing", COMMUNITY)]
    assert problems[0].message == f"上级区域 {STREET_A} 不存在"

    existing = {
        STREET_A: AreaRecord(STREET_A, "梅溪湖街道", 1, DISTRICT, "", box(112, 28, 112.5, 29)),
    }
    records, problems = parse_and_validate(data, existing=existing)
    assert problems == []
    assert [r.code for r in records] == [COMMUNITY]  # existing areas are not echoed back

    existing[STREET_A] = AreaRecord(STREET_A, "梅溪湖街道", 1, DISTRICT, "", box(113, 28, 113.5, 29))
    _, problems = parse_and_validate(data, existing=existing)
    assert kinds(problems) == {"outside_parent"}


def test_overlap_with_existing_sibling_is_reported():
    existing = {
        STREET_A: AreaRecord(STREET_A, "梅溪湖街道", 1, DISTRICT, "", box(112, 28, 112.5, 29)),
        COMMUNITY: AreaRecord(COMMUNITY, "金茂社区", 2, STREET_A, "urban", box(112, 28, 112.5, 28.5)),
    }
    data = collection(feature(VILLAGE, "桃花村", 2, STREET_A, box(112, 28.4, 112.5, 29), kind="rural"))
    _, problems = parse_and_validate(data, existing=existing)
    assert [(p.kind, p.code, p.feature_index) for p in problems] == [("sibling_overlap", VILLAGE, 0)]
    # Re-importing the community with a corrected shape overrides the stored one.
    fixed = collection(
        feature(COMMUNITY, "金茂社区", 2, STREET_A, box(112, 28, 112.5, 28.4), kind="urban"),
        feature(VILLAGE, "桃花村", 2, STREET_A, box(112, 28.4, 112.5, 29), kind="rural"),
    )
    _, problems = parse_and_validate(fixed, existing=existing)
    assert problems == []


def test_not_a_feature_collection():
    records, problems = parse_and_validate({"type": "Feature", "properties": {}, "geometry": None})
    assert records == []
    assert kinds(problems) == {"not_feature_collection"}
    assert problems[0].feature_index is None
    _, problems = parse_and_validate({"type": "FeatureCollection"})
    assert kinds(problems) == {"not_feature_collection"}


def test_bad_features_properties_and_geometry():
    data = collection(
        feature(DISTRICT, "岳麓区", 0, None, box(112, 28, 113, 29)),
        "not a feature",
        {"type": "Feature", "properties": None, "geometry": None},
        feature(STREET_A, "", 1, DISTRICT, None),  # empty name
        feature(STREET_B, "观沙岭街道", "一", DISTRICT, None),  # level not a number
        feature("430104003", "星沙街道", 1, DISTRICT, {"type": "Polygon", "coordinates": [[1, 2]]}),
        feature("430104004", "投影街道", 1, DISTRICT, box(600000, 3100000, 610000, 3110000)),
        feature("430104005", "线街道", 1, DISTRICT, {"type": "LineString", "coordinates": [[112, 28], [113, 29]]}),
        feature("430104006", "社区缺类型", 1, DISTRICT, None, kind="town"),
        feature("430104001001", "缺类型社区", 2, None, None, key_grid="yes"),
    )
    records, problems = parse_and_validate(data)
    by_index = {}
    for p in problems:
        by_index.setdefault(p.feature_index, set()).add(p.kind)
    assert by_index[1] == {"bad_feature"}
    assert by_index[2] == {"missing_property"}
    assert by_index[3] == {"missing_property"}
    assert by_index[4] == {"bad_property"}
    assert by_index[5] == {"bad_geometry"}
    assert by_index[6] == {"bad_geometry"}
    assert by_index[7] == {"bad_geometry_type"}
    assert by_index[8] == {"bad_property"}
    assert by_index[9] == {"missing_property", "bad_property"}
    assert 0 not in by_index
    assert {r.code for r in records} >= {DISTRICT, "430104003", "430104004", "430104005", "430104006"}


def test_numeric_code_and_string_level_are_accepted():
    data = collection(feature(430104, "岳麓区", "0", None, None))
    records, problems = parse_and_validate(data)
    assert problems == []
    assert records[0].code == DISTRICT and records[0].level == 0


def test_round_trip_export_import():
    hole = Polygon(
        [(112, 28.5), (112.5, 28.5), (112.5, 29), (112, 29)],
        [[(112.1, 28.6), (112.2, 28.6), (112.2, 28.7), (112.1, 28.7)]],
    )
    multi = MultiPolygon([box(112.5, 28, 112.7, 28.5), box(112.8, 28, 113, 28.5)])
    records = [
        AreaRecord(DISTRICT, "岳麓区", 0, None, "", box(112, 28, 113, 29)),
        AreaRecord(STREET_A, "梅溪湖街道", 1, DISTRICT, "", box(112, 28, 112.5, 29)),
        AreaRecord(STREET_B, "观沙岭街道", 1, DISTRICT, "", multi),
        AreaRecord(COMMUNITY, "金茂社区", 2, STREET_A, "urban", box(112, 28, 112.5, 28.5)),
        AreaRecord(VILLAGE, "桃花村", 2, STREET_A, "rural", hole),
        AreaRecord(NO_SHAPE, "无边界社区", 2, STREET_B, "urban", None),
        AreaRecord(GRID_1, "第1网格", 3, COMMUNITY, "", box(112, 28, 112.25, 28.5), key_grid=True),
    ]
    exported = to_feature_collection(records)
    assert exported["type"] == "FeatureCollection"
    assert exported["features"][5]["geometry"] is None
    assert set(exported["features"][0]["properties"]) == {"code", "name", "level", "parent_code", "kind", "key_grid"}

    again, problems = parse_and_validate(exported)
    assert problems == []
    assert again == records

    # The export is plain JSON, so it also survives a trip through a file.
    again, problems = parse_and_validate(json.loads(json.dumps(exported, ensure_ascii=False)))
    assert problems == []
    assert again == records


def test_six_thousand_siblings_are_checked_quickly():
    # Real codes allow only 999 children per parent, so the 6,000 siblings live in ``existing``
    # (whose codes are not re-validated); the overlap check still spans the whole group.
    cols, rows, step = 80, 75, 0.01
    existing = {
        STREET_A: AreaRecord(STREET_A, "梅溪湖街道", 1, DISTRICT, "", None),
        COMMUNITY: AreaRecord(COMMUNITY, "大社区", 2, STREET_A, "urban", box(112, 28, 112 + cols * step, 28 + rows * step)),
    }
    for i in range(cols):
        for j in range(rows):
            code = f"{COMMUNITY}{i:02d}{j:02d}"
            cell = box(112 + i * step, 28 + j * step, 112 + (i + 1) * step, 28 + (j + 1) * step)
            existing[code] = AreaRecord(code, "网格", 3, COMMUNITY, "", cell)
    new = feature(GRID_1, "新网格", 3, COMMUNITY, box(112.105, 28.105, 112.115, 28.115))
    started = time.perf_counter()
    _, problems = parse_and_validate(collection(new), existing=existing)
    elapsed = time.perf_counter() - started
    assert len(existing) == 6002
    # The new grid straddles four cells; pre-existing neighbours touching each other are fine.
    assert [p.kind for p in problems] == ["sibling_overlap"] * 4
    assert {p.code for p in problems} == {GRID_1}
    assert elapsed < 10
