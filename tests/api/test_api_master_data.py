"""Areas, units, categories with their rules in force, and channels through the API."""

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from gridgov.areas.geojson import parse_and_validate
from gridgov.core.errors import InvalidInput
from gridgov.tickets.models import Channel
from gridgov.units.models import Category
from gridgov.units.responsibility import rule_in_force
from tests import factories as f
from tests.api.helpers import Api, assert_error
from tests.conftest import MONDAY_10AM


@pytest.fixture
def api(world):
    return Api(world.viewer)


def codes(response):
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    return [a["code"] for a in (body["items"] if isinstance(body, dict) else body)]


# ---------------------------------------------------------------- areas


def test_area_list_filters_and_pagination(world, api):
    assert api.get("/areas").json()["count"] == 9
    assert codes(api.get("/areas", {"level": 1})) == ["430104001", "430104102"]
    assert codes(api.get("/areas", {"parent": "430104001"})) == ["430104001001", "430104001002"]
    assert codes(api.get("/areas", {"q": "金茂"})) == ["430104001001", "430104001001001", "430104001001002"]
    assert codes(api.get("/areas", {"q": "430104102"})) == ["430104102", "430104102001", "430104102001001"]
    page = api.get("/areas", {"limit": 2, "offset": 1}).json()
    assert page["count"] == 9 and [a["code"] for a in page["items"]] == ["430104001", "430104001001"]
    item = api.get("/areas", {"level": 0}).json()["items"][0]
    assert item == {"code": "430104", "name": "岳麓区", "level": 0, "level_label": "区/县", "parent_code": None, "kind": "",
                    "key_grid": False, "population": None, "children_count": 2}


@pytest.mark.parametrize("params", [{"level": 5}, {"level": "street"}, {"limit": 1000}, {"q": "\x00"}])
def test_area_list_bad_params_are_422(world, api, params):
    assert_error(api.get("/areas", params), 422, "invalid_input")


def test_area_detail(world, api):
    body = api.get("/areas/430104001001").json()
    assert body["name"] == "金茂社区" and body["children_count"] == 2 and body["kind"] == "urban"
    assert body["ancestors"] == [{"code": "430104", "name": "岳麓区"}, {"code": "430104001", "name": "望月湖街道"}]
    assert body["boundary"]["type"] == "Polygon"
    assert api.get("/areas/430104").json()["ancestors"] == []


def test_area_children(world, api):
    children = api.get("/areas/430104/children").json()
    assert [(c["code"], c["children_count"]) for c in children] == [("430104001", 2), ("430104102", 1)]
    assert api.get("/areas/430104001001001/children").json() == []


@pytest.mark.parametrize("path", ["/areas/999999", "/areas/abc", "/areas/%00", "/areas/999999/children", "/areas/export.geojson?root=999"])
def test_unknown_area_is_404(world, api, path):
    assert_error(api.client.get("/api/v1" + path, **api.headers), 404, "not_found")


def test_geojson_export_reads_back_without_problems(world, api):
    response = api.get("/areas/export.geojson")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/geo+json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 9
    records, problems = parse_and_validate(data)
    assert problems == [] and len(records) == 9
    assert "岳麓区" in response.content.decode()  # written as UTF-8 text, not \\u escapes


def test_geojson_export_of_a_subtree(world, api):
    data = json.loads(api.get("/areas/export.geojson", {"root": "430104102"}).content)
    assert [ft["properties"]["code"] for ft in data["features"]] == ["430104102", "430104102001", "430104102001001"]
    assert data["features"][0]["properties"]["parent_code"] == "430104"
    assert data["features"][0]["geometry"]["type"] == "Polygon"


def test_geojson_export_survives_an_unreadable_boundary(world, api):
    world.grid_b1.boundary = {"type": "Polygon", "coordinates": "garbage"}
    world.grid_b1.save()
    data = json.loads(api.get("/areas/export.geojson", {"root": "430104102"}).content)
    assert data["features"][-1]["geometry"] is None


# ---------------------------------------------------------------- units, categories, channels


def test_units_filters(world, api):
    assert len(api.get("/units").json()) == 5
    assert [u["code"] for u in api.get("/units", {"kind": "department"}).json()] == ["cgj", "rsj"]
    assert [u["code"] for u in api.get("/units", {"group": "社会发展"}).json()] == ["rsj"]
    assert [u["code"] for u in api.get("/units", {"q": "望月湖"}).json()] == ["street-001"]
    street = api.get("/units", {"kind": "territorial"}).json()[0]
    assert street["area"] == {"code": "430104001", "name": "望月湖街道"} and street["kind_label"] == "属地单位"
    world.unit_b.active = False
    world.unit_b.save()
    assert "street-102" not in [u["code"] for u in api.get("/units").json()]
    assert "street-102" in [u["code"] for u in api.get("/units", {"include_inactive": True}).json()]
    assert_error(api.get("/units", {"kind": "club"}), 422, "invalid_input")


def test_categories_with_the_rule_in_force(world, api):
    cats = {c["code"]: c for c in api.get("/categories").json()}
    assert list(cats) == ["01", "0101", "010101", "010102", "02", "0201", "020101"]
    noise, road, wages, root = cats["010101"], cats["010102"], cats["020101"], cats["01"]
    assert noise["parent_code"] == "0101" and noise["level"] == 3 and noise["leaf"] and not root["leaf"]
    assert noise["rule"]["handler"] == "territorial" and noise["rule"]["department"] is None
    assert road["rule"]["handler"] == "both" and road["rule"]["department"]["id"] == world.dept_city.pk
    assert Decimal(wages["rule"]["handle_limit"]) == 15 and wages["rule"]["handle_limit_unit"] == "work_days"
    assert root["rule"] is None


def test_category_rule_versions_and_inheritance(world, api, fake_clock):
    mid = Category.objects.get(code="0101")
    f.RuleFactory(category=mid, handler="department", department=world.dept_city, handle_limit=5)
    f.CategoryFactory(code="010103", name="占道经营", level=3, parent=mid)
    # A new version of the noise rule that is not yet in force must not be shown.
    f.RuleFactory(category=world.cat_noise, handler="department", department=world.dept_city,
                  effective_from=MONDAY_10AM + timedelta(days=1))
    cats = {c["code"]: c for c in api.get("/categories").json()}
    assert cats["010103"]["rule"]["category_code"] == "0101" and Decimal(cats["010103"]["rule"]["handle_limit"]) == 5
    assert cats["010101"]["rule"]["handler"] == "territorial"
    fake_clock.advance(days=2)
    assert {c["code"]: c for c in api.get("/categories").json()}["010101"]["rule"]["handler"] == "department"


def test_categories_agree_with_rule_in_force_in_constant_queries(world, api, django_assert_max_num_queries):
    parent = Category.objects.get(code="0201")
    for i in range(10, 30):
        c = f.CategoryFactory(code=f"0201{i:02d}", name=f"劳资{i}", level=3, parent=parent)
        if i % 3 == 0:
            f.RuleFactory(category=c, effective_from=datetime(2021 + i % 4, 1, 1, tzinfo=timezone.utc))
    api.get("/categories")
    # token, token last use, categories, rules.
    with django_assert_max_num_queries(4):
        listed = api.get("/categories").json()
    assert len(listed) == 27
    for c in listed:
        category = Category.objects.get(code=c["code"])
        try:
            expected = rule_in_force(category, MONDAY_10AM).pk
        except InvalidInput:
            expected = None
        assert (c["rule"] or {}).get("id") == expected, c["code"]


def test_categories_public_and_inactive(world, api):
    Category.objects.filter(code="010101").update(public=True)
    Category.objects.filter(code="020101").update(active=False)
    assert [c["code"] for c in api.get("/categories", {"public": True}).json()] == ["010101"]
    assert "020101" not in [c["code"] for c in api.get("/categories").json()]
    assert "020101" in [c["code"] for c in api.get("/categories", {"include_inactive": True}).json()]


def test_channels(world, api):
    Channel.objects.filter(code="patrol").update(active=False)  # the standard channels are installed by migration
    active = api.get("/channels").json()
    assert {"code": "h12345", "name": "12345热线", "prefix": "RX", "active": True} in active
    assert "patrol" not in [c["code"] for c in active]
    assert len(api.get("/channels", {"include_inactive": True}).json()) == len(active) + 1
