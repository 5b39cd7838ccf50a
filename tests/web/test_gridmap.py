"""The grid map: the page, areas.json counts and scope, the area side panel and its 404s."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.core import clock
from gridgov.patrol.actions import do_record_visit
from gridgov.tickets import actions
from tests import factories as f
from tests.conftest import MONDAY_10AM


@pytest.fixture(autouse=True)
def fake_clock(monkeypatch):
    """Time as the tickets see it; `.at` can be moved (the pattern of tests/api/conftest.py)."""
    class Fake:
        at = MONDAY_10AM
    monkeypatch.setattr(clock, "now", lambda: Fake.at)
    return Fake


@pytest.fixture
def tickets(world, fake_clock):
    """Open tickets in both grids of 金茂社区, on 桃花岭社区 itself and in 莲花镇; one closed; two overdue by now."""
    w = world

    def make(title, lon, lat, dispatch_to=None):
        t = actions.do_receive(w.operator, channel="h12345", category=w.cat_noise.code, title=title, description="描述",
                               lon=lon, lat=lat, now=MONDAY_10AM)
        if dispatch_to:
            actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=dispatch_to.pk, now=MONDAY_10AM)
        return t

    made = {
        "grid1_late": make("第1网格超期", 0.5, 0.5, w.unit_a),
        "grid1_new": make("第1网格新单", 0.3, 0.3),
        "grid2": make("第2网格", 0.5, 1.5),
        "taohua": make("桃花岭", 1.5, 1.0),
        "lianhua_late": make("莲花镇超期", 3.0, 1.0, w.unit_b),
        "closed": make("第1网格已结", 0.6, 0.6, w.unit_a),
    }
    c = made["closed"]
    a = c.assignments.get()
    actions.do_sign(w.handler_a, c.pk, assignment_id=a.pk, now=MONDAY_10AM + timedelta(minutes=5))
    actions.do_report(w.handler_a, c.pk, assignment_id=a.pk, result="已处理", now=MONDAY_10AM + timedelta(hours=1))
    actions.do_close(w.dispatcher, c.pk, now=MONDAY_10AM + timedelta(hours=2))
    fake_clock.at = MONDAY_10AM + timedelta(days=30)  # past the 10 working-day limit of the dispatched ones
    return made


def props(payload):
    return {feat["properties"]["code"]: (feat["properties"]["open"], feat["properties"]["overdue"]) for feat in payload["features"]}


def areas(client, parent=None):
    return client.get("/map/areas.json", {"parent": parent} if parent else {})


def test_the_map_page_renders_with_local_leaflet_only(client, world):
    client.force_login(world.dispatcher)
    response = client.get("/map/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="grid-map"' in page and 'id="area-panel"' in page and 'id="map-measure"' in page
    assert "/static/vendor/leaflet/leaflet.js" in page and "/static/vendor/leaflet/leaflet.css" in page
    assert "/static/web/gridmap.js" in page and 'data-areas-url="/map/areas.json"' in page
    assert 'data-panel-url="/map/area/{code}/"' in page and 'data-tile-url=""' in page
    assert "//" not in "".join(p.split('"')[0] for p in page.split('src="')[1:])  # every script is served by us
    assert 'href="/map/"' in page  # the menu links the map


def test_a_tile_url_is_used_only_when_configured(client, world, settings):
    settings.GRIDGOV_TILE_URL = "/tiles/{z}/{x}/{y}.png"
    client.force_login(world.dispatcher)
    assert 'data-tile-url="/tiles/{z}/{x}/{y}.png"' in client.get("/map/").content.decode()


def test_the_map_needs_login_and_a_role_that_views_tickets(client, world):
    assert client.get("/map/")["Location"].startswith("/login/")
    assert client.get("/map/areas.json")["Location"].startswith("/login/")
    client.force_login(world.outsider)
    assert client.get("/map/").status_code == 403
    assert areas(client).json()["features"] == []
    client.force_login(world.handler_a)  # sees tickets through its unit, but has no area to draw
    page = client.get("/map/").content.decode()
    assert "没有区域范围" in page and 'id="grid-map"' not in page


def test_district_roles_open_on_the_streets_with_open_and_overdue_counts(client, world, tickets):
    client.force_login(world.dispatcher)
    payload = areas(client).json()
    assert payload["parent"]["code"] == world.district.code
    assert payload["parent"]["open"] == 5 and payload["parent"]["overdue"] == 2
    assert props(payload) == {world.street_a.code: (4, 1), world.street_b.code: (1, 1)}
    feature = payload["features"][0]
    assert feature["geometry"]["type"] == "Polygon" and feature["properties"]["name"] == "望月湖街道"
    assert feature["properties"]["level"] == 1 and feature["properties"]["has_children"] is True
    assert [c["code"] for c in payload["crumbs"]] == [world.district.code]


def test_drilling_down_counts_each_level(client, world, tickets):
    client.force_login(world.viewer)
    streets = areas(client, world.street_a.code).json()
    assert props(streets) == {world.community_a1.code: (3, 1), "430104001002": (1, 0)}
    assert [c["name"] for c in streets["crumbs"]] == ["岳麓区", "望月湖街道"]
    grids = areas(client, world.community_a1.code).json()
    assert props(grids) == {world.grid_a1.code: (2, 1), "430104001001002": (1, 0)}
    assert all(not feat["properties"]["has_children"] for feat in grids["features"])
    assert props(areas(client, world.grid_a1.code).json()) == {}  # a grid without micro-grids


def test_counts_take_one_ticket_query_per_level(client, world, tickets):
    client.force_login(world.dispatcher)
    with CaptureQueriesContext(connection) as ctx:
        assert areas(client, world.street_a.code).status_code == 200
    ticket_queries = [q["sql"] for q in ctx.captured_queries if '"tickets_ticket"' in q["sql"]]
    assert len(ticket_queries) == 1


def test_a_grid_worker_sees_only_their_grid(client, world, tickets):
    client.force_login(world.grid_worker)
    payload = areas(client).json()
    assert props(payload) == {world.grid_a1.code: (2, 1)}  # only visible tickets are counted
    assert payload["parent"] is None
    assert areas(client, world.grid_a1.code).status_code == 200
    for outside in [world.district.code, world.street_a.code, world.community_a1.code, "430104001001002", world.grid_b1.code]:
        assert areas(client, outside).status_code == 404
    assert areas(client, "430104001001999").status_code == 404  # missing looks the same
    assert areas(client, "abc").status_code == 404


def test_a_community_leader_opens_on_the_community_grids(client, world, tickets):
    leader = f.UserFactory(username="leader")
    f.GrantFactory(user=leader, role="grid_leader", area=world.community_a1)
    client.force_login(leader)
    payload = areas(client).json()
    assert payload["parent"]["code"] == world.community_a1.code
    assert set(props(payload)) == {world.grid_a1.code, "430104001001002"}
    assert areas(client, world.street_a.code).status_code == 404


def test_two_separate_grants_show_both_roots(client, world, tickets):
    user = f.UserFactory(username="two_grids")
    f.GrantFactory(user=user, role="grid_worker", area=world.grid_a1)
    f.GrantFactory(user=user, role="grid_worker", area=world.grid_b1)
    client.force_login(user)
    payload = areas(client).json()
    assert payload["parent"] is None and props(payload) == {world.grid_a1.code: (2, 1), world.grid_b1.code: (1, 1)}


@pytest.fixture
def grid_people(world):
    def person(username, name, role, area, phone="13912345678"):
        user = f.UserFactory(username=username, display_name=name, phone=phone)
        f.GrantFactory(user=user, role=role, area=area)
        return user

    world.grid_worker.display_name, world.grid_worker.phone = "网格员吴芳", "13700000001"
    world.grid_worker.save()
    return {
        "leader": person("gl", "网格长周静", "grid_leader", world.community_a1),
        "instructor": person("gi", "指导员郑涛", "grid_instructor", world.community_a1),
        "street_leader": person("sl", "街道网格长", "grid_leader", world.street_a),
        "other_worker": person("ow", "隔壁网格员", "grid_worker", world.grid_b1),
    }


def test_the_area_panel_lists_people_and_open_tickets(client, world, tickets, grid_people):
    client.force_login(world.dispatcher)
    response = client.get(f"/map/area/{world.grid_a1.code}/", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "金茂第1网格" in page
    assert "网格员吴芳" in page and "网格长周静" in page and "指导员郑涛" in page
    assert "街道网格长" not in page and "隔壁网格员" not in page  # a street-wide role and another grid's worker
    assert "139" not in page and "13700000001" not in page  # never phone numbers
    for key in ["grid1_late", "grid1_new"]:
        assert f'href="/tickets/{tickets[key].pk}/"' in page and tickets[key].number in page
    for key in ["grid2", "closed", "lianhua_late"]:
        assert tickets[key].number not in page
    assert 'data-count="open">2<' in page and 'data-count="overdue">1<' in page
    assert page.index(tickets["grid1_new"].number) < page.index(tickets["grid1_late"].number)  # newest first


def test_a_grid_worker_gets_their_grid_panel_and_404_elsewhere(client, world, tickets, grid_people):
    client.force_login(world.grid_worker)
    assert tickets["grid1_late"].number in client.get(f"/map/area/{world.grid_a1.code}/").content.decode()
    missing = client.get("/map/area/430104001001999/")
    for code in [world.street_a.code, world.community_a1.code, "430104001001002", world.grid_b1.code]:
        response = client.get(f"/map/area/{code}/")
        assert response.status_code == 404 == missing.status_code
    client.force_login(world.outsider)
    assert client.get(f"/map/area/{world.grid_a1.code}/").status_code == 404


def test_a_street_panel_sums_its_subtree(client, world, tickets):
    client.force_login(world.viewer)
    page = client.get(f"/map/area/{world.street_a.code}/").content.decode()
    assert 'data-count="open">4<' in page and tickets["taohua"].number in page and tickets["lianhua_late"].number not in page
    assert f"area={world.street_a.code}" in page  # the link to the full, filtered list


def test_the_panel_masks_households_for_roles_without_pii_view(client, world):
    do_record_visit(world.grid_worker, area_code=world.grid_a1.code, address="金茂小区3栋", household="张三丰",
                    people_count=2, situation="dispute")
    client.force_login(world.viewer)
    page = client.get(f"/map/area/{world.grid_a1.code}/").content.decode()
    assert "张**" in page and "张三丰" not in page and "矛盾纠纷" in page and "金茂小区3栋" not in page
    client.force_login(world.dispatcher)
    assert "张三丰" in client.get(f"/map/area/{world.grid_a1.code}/").content.decode()
