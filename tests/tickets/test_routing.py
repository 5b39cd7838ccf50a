"""Tests for the pure ticket routing: point lookup, address gazetteer and unit suggestion."""

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon, box

from gridgov.tickets.routing import (
    Gazetteer,
    GridIndex,
    RouteSuggestion,
    Rule,
    ancestor_codes,
    normalize_text,
    route,
    short_name,
)

DISTRICT = "430104"
STREET_A = "430104001"  # west half
STREET_B = "430104002"  # east half
COMMUNITY = "430104001001"  # south-west quarter, has level-3 grids
VILLAGE = "430104001002"  # north-west quarter, no grids, has a hole
EAST = "430104002001"  # the whole east half
GRID_1 = "430104001001001"
GRID_2 = "430104001001002"
GRID_4 = "430104001001001001"  # level-4 grid in the south-west corner of GRID_1

HOLE = box(112.2, 28.7, 112.3, 28.8)
SHAPES = {
    DISTRICT: box(112, 28, 113, 29),
    STREET_A: box(112, 28, 112.5, 29),
    STREET_B: box(112.5, 28, 113, 29),
    COMMUNITY: box(112, 28, 112.5, 28.5),
    VILLAGE: Polygon(box(112, 28.5, 112.5, 29).exterior.coords, [HOLE.exterior.coords]),
    EAST: box(112.5, 28, 113, 29),
    GRID_1: box(112, 28, 112.25, 28.5),
    GRID_2: box(112.25, 28, 112.5, 28.5),
    GRID_4: box(112, 28, 112.1, 28.1),
}
NAMES = {
    DISTRICT: "岳麓区",
    STREET_A: "梅溪湖街道",
    STREET_B: "观沙岭街道",
    COMMUNITY: "金茂社区",
    VILLAGE: "桃花村",
    EAST: "金茂社区",  # same name in another street, on purpose
    GRID_1: "第1网格",
    GRID_2: "第2网格",
    GRID_4: "第1小格",
    "430104002001001": "第1网格",
}
ALIASES = {COMMUNITY: ["金茂湾"], STREET_A: ["梅溪湖街道办"]}
UNITS = {
    STREET_A: (11, "梅溪湖街道办事处"),
    COMMUNITY: (12, "金茂社区居委会"),
    STREET_B: (21, "观沙岭街道办事处"),
}
DEPARTMENTS = {901: "区城管执法局"}


@pytest.fixture(scope="module")
def index():
    """A GridIndex over the hand-made tree; the input order is shuffled on purpose."""
    return GridIndex(reversed(list(SHAPES.items())))


@pytest.fixture(scope="module")
def gazetteer():
    """A Gazetteer over the same names."""
    return Gazetteer((code, name, ALIASES.get(code, [])) for code, name in NAMES.items())


# --- GridIndex -------------------------------------------------------------------------------


def test_point_inside_resolves_to_deepest_area(index):
    assert index.locate(112.05, 28.05) == GRID_4
    assert index.locate(112.2, 28.3) == GRID_1
    assert index.locate(112.4, 28.3) == GRID_2
    assert index.locate(112.4, 28.6) == VILLAGE  # a community with no grids drawn
    assert index.locate(112.7, 28.7) == EAST


def test_point_on_shared_border_is_deterministic(index):
    # GRID_1 | GRID_2 share x = 112.25: both cover the point, the smallest code wins.
    assert index.locate(112.25, 28.3) == GRID_1
    # VILLAGE (west street) | EAST (east street) share x = 112.5 at the same level.
    assert index.locate(112.5, 28.7) == VILLAGE
    # COMMUNITY's grid | VILLAGE share y = 28.5: the deeper grid wins.
    assert index.locate(112.1, 28.5) == GRID_1
    # A corner shared by GRID_2, VILLAGE and EAST.
    assert index.locate(112.5, 28.5) == GRID_2
    # Order of construction does not matter.
    assert GridIndex(SHAPES.items()).locate(112.25, 28.3) == GRID_1


def test_point_on_outer_border_counts_as_inside(index):
    assert index.locate(112, 28.05) == GRID_4
    assert index.locate(113, 29) == EAST
    assert index.locate(112.7, 28) == EAST


def test_point_outside_district(index):
    assert index.locate(111.9, 28.5) is None
    assert index.locate(112.5, 29.0001) is None
    assert index.locate(float("nan"), 28.5) is None
    assert index.locate_many([(111.9, 28.5), (120, 30)]) == [None, None]


def test_point_in_hole_falls_back_to_ancestor(index):
    assert index.locate(112.25, 28.75) == STREET_A
    # The hole's ring is part of the village boundary, so it is covered.
    assert index.locate(112.2, 28.75) == VILLAGE
    donut = GridIndex([("430105", Polygon(box(0, 0, 10, 10).exterior.coords, [box(4, 4, 6, 6).exterior.coords]))])
    assert donut.locate(5, 5) is None
    assert donut.locate(1, 1) == "430105"
    assert donut.locate_many([(5, 5), (1, 1)]) == [None, "430105"]


def test_areas_without_geometry_are_ignored():
    index = GridIndex([(DISTRICT, SHAPES[DISTRICT]), (STREET_A, None)])
    assert len(index) == 1
    assert index.locate(112.1, 28.1) == DISTRICT
    assert GridIndex([]).locate(1, 1) is None
    assert GridIndex([]).locate_many([(1, 1)]) == [None]
    assert index.locate_many([]) == []


_border_values_x = st.sampled_from([112, 112.1, 112.2, 112.25, 112.3, 112.5, 113])
_border_values_y = st.sampled_from([28, 28.1, 28.5, 28.7, 28.8, 29])
_xs = st.one_of(st.floats(112, 113, allow_nan=False), _border_values_x)
_ys = st.one_of(st.floats(28, 29, allow_nan=False), _border_values_y)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_xs, _ys), min_size=1, max_size=30))
def test_locate_returns_deepest_covering_area_and_bulk_agrees(points):
    index = GridIndex(SHAPES.items())
    bulk = index.locate_many(points)
    for (x, y), many in zip(points, bulk):
        code = index.locate(x, y)
        assert code is not None  # the district box covers every sampled point
        assert SHAPES[code].covers(Point(x, y))
        covering = [c for c, shape in SHAPES.items() if shape.covers(Point(x, y))]
        deepest = max(len(c) for c in covering)
        assert code == min(c for c in covering if len(c) == deepest)
        assert many == code


def test_six_thousand_leaves_hundred_thousand_lookups():
    cols, rows, step = 100, 60, 0.01
    areas = [(DISTRICT, Point(112.5, 28.3).buffer(0.7, quad_segs=256))]  # a "round" district outline
    for i in range(cols):
        for j in range(rows):
            areas.append((f"{COMMUNITY}{i:03d}{j:03d}", box(112 + i * step, 28 + j * step, 112 + (i + 1) * step, 28 + (j + 1) * step)))
    index = GridIndex(areas)
    rng = np.random.default_rng(42)
    points = [tuple(p) for p in rng.uniform((111.9, 27.9), (113.1, 28.7), size=(100_000, 2))]
    started = time.perf_counter()
    bulk = index.locate_many(points)
    bulk_elapsed = time.perf_counter() - started
    started = time.perf_counter()
    single = [index.locate(x, y) for x, y in points[:20_000]]
    single_elapsed = time.perf_counter() - started
    assert single == bulk[:20_000]
    assert bulk_elapsed < 5
    assert single_elapsed < 5
    assert sum(code is not None and len(code) == 18 for code in bulk) > 50_000


# --- Gazetteer -------------------------------------------------------------------------------


def test_helpers():
    assert ancestor_codes(GRID_4) == [DISTRICT, STREET_A, COMMUNITY, GRID_1, GRID_4]
    assert ancestor_codes(DISTRICT) == [DISTRICT]
    assert normalize_text("金茂　社区 第１网格 ABC") == "金茂社区第1网格abc"
    assert short_name("梅溪湖街道") == "梅溪湖"
    assert short_name("金茂社区") == "金茂"
    assert short_name("桃花村") == "桃花"
    assert short_name("新村") is None  # "新" alone is too short to trust
    assert short_name("第1网格") is None


def test_full_path_resolves_shared_grid_name(gazetteer):
    assert gazetteer.match("梅溪湖街道金茂社区第1网格12栋") == (GRID_1, "第1网格")
    assert gazetteer.match("观沙岭街道金茂社区第1网格") == ("430104002001001", "第1网格")


def test_full_width_and_whitespace_are_normalised(gazetteer):
    assert gazetteer.match("梅溪湖街道　金茂社区 第１网格") == (GRID_1, "第1网格")


def test_alias_and_suffix_stripping(gazetteer):
    assert gazetteer.match("梅溪湖街道办门口") == (STREET_A, "梅溪湖街道办")
    assert gazetteer.match("梅溪湖附近") == (STREET_A, "梅溪湖")
    assert gazetteer.match("桃花一组") == (VILLAGE, "桃花")
    # "金茂湾" is an alias of the west 金茂社区 only; its "金茂" must not also hit the east one.
    assert gazetteer.match("金茂湾小区3栋") == (COMMUNITY, "金茂湾")
    # Suffix-stripped short name disambiguated by the street.
    assert gazetteer.match("梅溪湖金茂路") == (COMMUNITY, "金茂")


def test_ambiguous_name_falls_back_to_shallower_level(gazetteer):
    # Two 金茂社区, both under 岳麓区 and nothing else to tell them apart: skip to the district.
    assert gazetteer.match("岳麓区金茂社区") == (DISTRICT, "岳麓区")
    assert gazetteer.match("金茂社区") is None
    assert gazetteer.match("金茂社区第1网格") is None


def test_longer_name_shadows_contained_short_name():
    gaz = Gazetteer([("430104005", "望月湖街道", []), ("430104005001", "望月湖社区", [])])
    assert gaz.match("望月湖街道12号") == ("430104005", "望月湖街道")
    assert gaz.match("望月湖社区3栋") == ("430104005001", "望月湖社区")
    assert gaz.match("望月湖") == ("430104005001", "望月湖")  # deepest wins when nothing shadows


def test_short_names_need_two_characters():
    gaz = Gazetteer([("430104006001", "新村", [])])
    assert gaz.match("新华路8号") is None
    assert gaz.match("新村5号") == ("430104006001", "新村")
    assert Gazetteer([]).match("任何地址") is None
    assert gaz.match("") is None


# --- route -----------------------------------------------------------------------------------


def do_route(index, gazetteer, rule, point=None, address=None, reporter=None, units=UNITS):
    """Call route with the shared fixtures."""
    return route(
        rule=rule,
        point=point,
        address=address,
        reporter_area_code=reporter,
        grid_index=index,
        gazetteer=gazetteer,
        territorial_units=units,
        department_names=DEPARTMENTS,
        area_names=NAMES,
    )


TERRITORIAL = Rule(handler="territorial", department_id=None, category_name="占道经营")
DEPARTMENT = Rule(handler="department", department_id=901, category_name="违法建设")
BOTH = Rule(handler="both", department_id=901, category_name="渣土撒漏")


def test_territorial_by_point_uses_deepest_unit(index, gazetteer):
    result = do_route(index, gazetteer, TERRITORIAL, point=(112.2, 28.3), address="观沙岭街道")
    assert result == RouteSuggestion(
        area_code=GRID_1,
        lead_unit_id=12,
        support_unit_ids=(),
        reason="坐标落在 梅溪湖街道/金茂社区/第1网格；事项“占道经营”属地管理，由 金茂社区居委会 主办",
        located_by="point",
    )
    # The village has no unit of its own: the street handles it.
    result = do_route(index, gazetteer, TERRITORIAL, point=(112.4, 28.6))
    assert (result.area_code, result.lead_unit_id) == (VILLAGE, 11)
    assert "梅溪湖街道/桃花村" in result.reason


def test_point_outside_falls_back_to_address(index, gazetteer):
    result = do_route(index, gazetteer, TERRITORIAL, point=(120, 30), address="观沙岭街道金茂社区第1网格")
    assert result.located_by == "address"
    assert result.area_code == "430104002001001"
    assert result.lead_unit_id == 21
    assert "坐标不在辖区网格内" in result.reason
    assert "“第1网格”匹配到 观沙岭街道/金茂社区/第1网格" in result.reason


def test_reporter_fallback(index, gazetteer):
    result = do_route(index, gazetteer, TERRITORIAL, address="某某路88号", reporter=EAST)
    assert (result.located_by, result.area_code, result.lead_unit_id) == ("reporter", EAST, 21)
    assert "地址未匹配到区域" in result.reason
    assert "按上报人所属区域 观沙岭街道/金茂社区" in result.reason


def test_no_location_territorial_needs_manual_dispatch(index, gazetteer):
    result = do_route(index, gazetteer, TERRITORIAL)
    assert result.area_code is None
    assert result.lead_unit_id is None
    assert result.support_unit_ids == ()
    assert result.located_by == "none"
    assert "无法定位到网格" in result.reason
    assert "需人工派单" in result.reason
    assert "占道经营" in result.reason


def test_located_but_no_territorial_unit_configured(index, gazetteer):
    result = do_route(index, gazetteer, TERRITORIAL, point=(112.7, 28.7), units={STREET_A: (11, "梅溪湖街道办事处")})
    assert result.area_code == EAST
    assert result.lead_unit_id is None
    assert "未配置属地单位" in result.reason and "需人工派单" in result.reason


def test_department_handler(index, gazetteer):
    result = do_route(index, gazetteer, DEPARTMENT, point=(112.2, 28.3))
    assert (result.lead_unit_id, result.support_unit_ids) == (901, ())
    assert "由 区城管执法局 主办" in result.reason
    assert "违法建设" in result.reason
    # A department rule needs no location at all.
    assert do_route(index, gazetteer, DEPARTMENT).lead_unit_id == 901
    missing = do_route(index, gazetteer, Rule("department", None, "违法建设"), point=(112.2, 28.3))
    assert missing.lead_unit_id is None
    assert "未配置主办部门" in missing.reason


def test_both_handler_department_leads_place_supports(index, gazetteer):
    result = do_route(index, gazetteer, BOTH, point=(112.2, 28.3))
    assert (result.lead_unit_id, result.support_unit_ids) == (901, (12,))
    assert "由 区城管执法局 主办，金茂社区居委会 协办" in result.reason
    unlocated = do_route(index, gazetteer, BOTH)
    assert (unlocated.lead_unit_id, unlocated.support_unit_ids) == (901, ())
    assert "未指定协办单位" in unlocated.reason
    no_department = do_route(index, gazetteer, Rule("both", None, "渣土撒漏"), point=(112.2, 28.3))
    assert (no_department.lead_unit_id, no_department.support_unit_ids) == (None, (12,))
    assert "需人工派单" in no_department.reason


def test_unknown_handler_is_rejected():
    with pytest.raises(ValueError):
        Rule(handler="nobody", department_id=None, category_name="占道经营")
