"""Generated demo grid geometry: nesting, tiling, determinism."""

import random
import time
from collections import defaultdict

import pytest
import shapely
from shapely import STRtree
from shapely.geometry import Point, Polygon, box

from gridgov.demo import reference
from gridgov.demo.geometry import build_tree, random_point_in, split_box

TOL = 1e-9  # squared degrees
CODE_LENGTH = {0: 6, 1: 9, 2: 12, 3: 15, 4: 18}


@pytest.fixture(scope="module")
def tree():
    return build_tree(random.Random(20240101))


@pytest.fixture(scope="module")
def children(tree):
    by_parent = defaultdict(list)
    for row in tree:
        if row["parent_code"] is not None:
            by_parent[row["parent_code"]].append(row)
    return by_parent


def _assert_tiles(parent, cells):
    assert all(cell.is_valid and not cell.is_empty for cell in cells)
    for cell in cells:
        assert cell.difference(parent).area <= TOL
    index = STRtree(cells)
    left, right = index.query(cells, predicate="intersects")
    for i, j in zip(left, right):
        if i < j:
            assert cells[i].intersection(cells[j]).area <= TOL
    assert shapely.union_all(cells).symmetric_difference(parent).area <= TOL


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 19])
def test_split_box_tiles_the_parent(n):
    parent = box(112.8, 28.1, 112.9, 28.2)
    cells = split_box(parent, n, random.Random(n))
    assert len(cells) == n
    _assert_tiles(parent, cells)


def test_split_box_accepts_convex_non_rectangles_and_weights():
    parent = Polygon([(0, 0), (4, 1), (5, 4), (1, 5), (-1, 2)])
    cells = split_box(parent, 6, random.Random(7), weights=[4, 1, 1, 1, 1, 1])
    _assert_tiles(parent, cells)
    assert cells[0].area > cells[1].area


def test_split_box_rejects_bad_input():
    with pytest.raises(ValueError):
        split_box(box(0, 0, 1, 1), 0, random.Random(1))
    with pytest.raises(ValueError):
        split_box(Polygon([(0, 0), (4, 0), (4, 4), (2, 1), (0, 4)]), 3, random.Random(1))


def test_tree_levels_and_counts(tree):
    levels = defaultdict(int)
    for row in tree:
        levels[row["level"]] += 1
    assert levels[0] == 1 and levels[1] == 19
    assert 19 * 6 <= levels[2] <= 19 * 12
    assert levels[3] >= 3 * levels[2] and levels[4] >= 3 * levels[3]


def test_tree_streets_come_from_reference(tree):
    streets = [(r["code"], r["name"], r["kind"]) for r in tree if r["level"] == 1]
    assert streets == [tuple(s) for s in reference.STREETS]
    district = tree[0]
    assert (district["code"], district["name"], district["level"]) == ("430104", "岳麓区", 0)
    assert district["parent_code"] is None


def test_codes_unique_and_hierarchical(tree):
    codes = [row["code"] for row in tree]
    assert len(codes) == len(set(codes))
    known = set()
    for row in tree:
        assert len(row["code"]) == CODE_LENGTH[row["level"]]
        assert row["code"].isdigit()
        if row["level"] > 1:
            assert row["code"].startswith(row["parent_code"])
        if row["parent_code"] is not None:
            assert row["parent_code"] in known  # parents come before children
        known.add(row["code"])


def test_names_and_kinds(tree):
    kinds = {row["code"]: row["kind"] for row in tree}
    communities = [row for row in tree if row["level"] == 2]
    names = [row["name"] for row in communities]
    assert len(names) == len(set(names))
    for row in tree:
        if row["level"] >= 2:
            assert row["kind"] == kinds[row["parent_code"]]
    for row in communities:
        assert row["name"].endswith("社区" if row["kind"] == "urban" else "村")
    for row in tree:
        if row["level"] == 3:
            assert row["name"].endswith("网格")
        if row["level"] == 4:
            assert row["name"].endswith("栋" if row["kind"] == "urban" else "组")
    by_parent = defaultdict(list)
    for row in tree:
        if row["level"] == 3:
            by_parent[row["parent_code"]].append(row["name"])
    assert all(len(v) == len(set(v)) for v in by_parent.values())


def test_every_polygon_is_valid(tree):
    assert all(row["polygon"].is_valid and row["polygon"].area > 0 for row in tree)


def test_district_covers_the_bounds(tree):
    assert tree[0]["polygon"].symmetric_difference(box(112.80, 28.08, 113.00, 28.28)).area <= TOL


def test_children_tile_their_parent(tree, children):
    polygons = {row["code"]: row["polygon"] for row in tree}
    for parent_code, rows in children.items():
        _assert_tiles(polygons[parent_code], [row["polygon"] for row in rows])


def test_leaf_grids_do_not_overlap_anywhere(tree):
    leaves = [row["polygon"] for row in tree if row["level"] == 4]
    index = STRtree(leaves)
    left, right = index.query(leaves, predicate="intersects")
    for i, j in zip(left, right):
        if i < j:
            assert leaves[i].intersection(leaves[j]).area <= TOL
    total = sum(p.area for p in leaves)
    assert abs(total - tree[0]["polygon"].area) <= TOL


def test_deterministic_for_a_seed():
    first = build_tree(random.Random(5), communities_per_street=(2, 3))
    second = build_tree(random.Random(5), communities_per_street=(2, 3))
    other = build_tree(random.Random(6), communities_per_street=(2, 3))

    def key(rows):
        return [(r["code"], r["name"], r["level"], r["parent_code"], r["kind"], r["polygon"].wkb) for r in rows]

    assert key(first) == key(second)
    assert key(first) != key(other)


def test_builds_fast():
    start = time.perf_counter()
    build_tree(random.Random(3))
    assert time.perf_counter() - start < 5.0


def test_random_point_in_lands_inside(tree):
    rng = random.Random(11)
    rows = [row for row in tree if row["level"] == 4][:300] + [row for row in tree if row["level"] <= 1]
    for row in rows:
        lon, lat = random_point_in(row["polygon"], rng)
        assert row["polygon"].contains(Point(lon, lat))


def test_random_point_in_is_deterministic(tree):
    polygon = tree[5]["polygon"]
    assert random_point_in(polygon, random.Random(1)) == random_point_in(polygon, random.Random(1))
