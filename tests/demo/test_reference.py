"""Consistency of the demo reference data."""

import csv
from pathlib import Path

import pytest

from gridgov.demo import reference
from gridgov.tickets.channels import STANDARD_CHANNELS

STREETS_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "hunan-streets.csv"


def _leaves():
    return [leaf for c1 in reference.CATEGORIES for c2 in c1["children"] for leaf in c2["children"]]


def test_category_tree_is_big_enough():
    assert len(reference.CATEGORIES) >= 8
    assert len(_leaves()) >= 60
    assert all(c1["children"] for c1 in reference.CATEGORIES)
    assert all(c2["children"] for c1 in reference.CATEGORIES for c2 in c1["children"])


def test_required_first_level_classes_exist():
    names = {c["name"] for c in reference.CATEGORIES}
    for required in ["城市管理", "物业管理", "消费维权", "教育培训", "道路交通", "劳资纠纷", "环境保护", "社会保障"]:
        assert required in names


def test_category_codes_are_unique_and_hierarchical():
    codes = []
    for c1 in reference.CATEGORIES:
        assert len(c1["code"]) == 2
        codes.append(c1["code"])
        for c2 in c1["children"]:
            assert len(c2["code"]) == 4 and c2["code"].startswith(c1["code"])
            codes.append(c2["code"])
            for leaf in c2["children"]:
                assert len(leaf["code"]) == 6 and leaf["code"].startswith(c2["code"])
                codes.append(leaf["code"])
    assert len(codes) == len(set(codes))


def test_leaf_names_are_unique():
    names = [leaf["name"] for leaf in _leaves()]
    assert len(names) == len(set(names))


def test_leaf_fields_are_well_formed():
    departments = {code for code, _name, _group in reference.DEPARTMENTS}
    for leaf in _leaves():
        assert leaf["handler"] in reference.HANDLERS
        if leaf["handler"] == "territorial":
            assert leaf["department"] is None
        else:
            assert leaf["department"] in departments, leaf["name"]
        for amount, unit in (leaf["sign_limit"], leaf["handle_limit"]):
            assert isinstance(amount, int) and amount > 0
            assert unit in reference.LIMIT_UNITS
        assert leaf["urgency"] in ("normal", "urgent")
        assert leaf["nature"] in reference.NATURES
        assert isinstance(leaf["public"], bool)
        assert leaf["keywords"] and all(isinstance(k, str) and k for k in leaf["keywords"])
        assert leaf["weight"] > 0


def test_urgent_items_are_counted_in_hours():
    urgent = [leaf for leaf in _leaves() if leaf["urgency"] == "urgent"]
    assert urgent
    assert all(leaf["handle_limit"][1] == "hours" for leaf in urgent)


def test_handle_limits_follow_request_nature():
    by_name = {leaf["name"]: leaf for leaf in _leaves()}
    assert by_name["养老保险咨询"]["handle_limit"] == (3, "work_days")
    assert by_name["物业服务质量"]["handle_limit"] == (15, "work_days")
    assert by_name["低保申请"]["handle_limit"] == (10, "work_days")
    assert by_name["燃气安全隐患"]["handle_limit"] == (24, "hours")


def test_common_items_outweigh_rare_ones():
    by_name = {leaf["name"]: leaf for leaf in _leaves()}
    assert by_name["物业服务质量"]["weight"] > by_name["非法行医"]["weight"]
    assert by_name["拖欠工资"]["weight"] > by_name["森林火情"]["weight"]


def test_category_leaves_flat_list_matches_tree():
    assert [leaf["code"] for leaf in reference.CATEGORY_LEAVES] == [leaf["code"] for leaf in _leaves()]
    assert all(leaf["code"].startswith(leaf["class_code"]) for leaf in reference.CATEGORY_LEAVES)


def test_departments_are_unique_and_grouped():
    codes = [code for code, _name, _group in reference.DEPARTMENTS]
    names = [name for _code, name, _group in reference.DEPARTMENTS]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))
    assert all(code.isascii() and code.isidentifier() for code in codes)
    for group in reference.DEPARTMENT_GROUPS:
        assert sum(1 for *_rest, g in reference.DEPARTMENTS if g == group) >= 3, group
    assert {g for *_rest, g in reference.DEPARTMENTS} == set(reference.DEPARTMENT_GROUPS)


def test_every_department_code_used_exists():
    departments = {code for code, _name, _group in reference.DEPARTMENTS}
    used = {leaf["department"] for leaf in _leaves() if leaf["department"]}
    assert used <= departments


def test_streets_match_the_official_list():
    assert reference.DISTRICT == ("430104", "岳麓区")
    assert len(reference.STREETS) == 19
    if not STREETS_CSV.exists():
        pytest.skip("shared/data not beside the checkout")
    with STREETS_CSV.open(encoding="utf-8") as fh:
        official = {row["code"]: row["name"] for row in csv.DictReader(fh) if row["areaCode"] == "430104"}
    assert {code: name for code, name, _kind in reference.STREETS} == official


def test_street_kinds_follow_the_code_ranges():
    for code, name, kind in reference.STREETS:
        if int(code[6:]) < 100:
            assert kind == "urban" and name.endswith("街道")
        else:
            assert kind == "rural" and name.endswith("镇")


def test_street_groups_partition_the_streets():
    grouped = [code for codes in reference.STREET_GROUPS.values() for code in codes]
    assert sorted(grouped) == sorted(code for code, _name, _kind in reference.STREETS)
    assert len(grouped) == len(set(grouped))
    assert set(reference.STREET_GROUPS) == {"A", "B", "C"}
    kinds = {code: kind for code, _name, kind in reference.STREETS}
    assert all(kinds[code] == "rural" for code in reference.STREET_GROUPS["C"])


def test_street_aliases_are_genuinely_different_names():
    names = {code: name for code, name, _kind in reference.STREETS}
    all_aliases = [alias for aliases in reference.STREET_ALIASES.values() for alias in aliases]
    assert len(all_aliases) == len(set(all_aliases))
    for code, aliases in reference.STREET_ALIASES.items():
        assert code in names
        for alias in aliases:
            assert alias != names[code]
            assert alias not in names.values()


def test_channels():
    codes = [code for code, *_rest in STANDARD_CHANNELS]
    prefixes = [prefix for _code, _name, prefix, *_rest in STANDARD_CHANNELS]
    assert len(codes) == len(set(codes)) == 11
    assert len(prefixes) == len(set(prefixes))
    assert all(code.isascii() for code in codes)
    assert set(reference.CHANNEL_WEIGHTS) == set(codes)  # the simulated year uses every standard channel
    total = sum(reference.CHANNEL_WEIGHTS.values())
    assert 0.8 <= reference.CHANNEL_WEIGHTS["h12345"] / total <= 0.9


def test_name_pools_are_large_enough():
    parts = reference.COMMUNITY_NAME_PARTS
    assert len(parts["urban_first"]) * len(set(parts["urban_second"])) >= 400
    assert len(parts["rural_first"]) * len(set(parts["rural_second"])) >= 100
    assert len(set(reference.SURNAMES)) == len(reference.SURNAMES) >= 30
    assert len(reference.GIVEN_NAMES) >= 30
    assert len(set(reference.ROADS)) == len(reference.ROADS) >= 20


def test_title_templates_cover_every_class_and_format():
    sample = {
        "place": "麓山南路88号", "estate": "格林星城", "leaf": "占道经营", "street": "岳麓街道",
        "amount": 3000, "months": 3, "hour": 22,
    }
    assert set(sample) == set(reference.TEMPLATE_FIELDS)
    for c1 in reference.CATEGORIES:
        templates = reference.TITLE_TEMPLATES[c1["name"]]
        assert len(templates) >= 2
        for title, description in templates:
            assert title.format(**sample) and description.format(**sample)
    assert set(reference.TITLE_TEMPLATES) == {c["name"] for c in reference.CATEGORIES}
