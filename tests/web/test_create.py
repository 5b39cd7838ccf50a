"""Ticket creation for hotline operators: the form, its htmx helpers (categories, places, map, duplicates, routing) and the POST."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.tickets import actions
from gridgov.tickets.models import Attachment, Ticket
from gridgov.areas.distance import distance_m
from gridgov.web.views.create import OUT_OF_SCOPE
from tests import factories as f

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# About 100 m and 1 km north of (0.5, 0.5): one degree of latitude is about 111 km.
NEAR, FAR = 0.0009, 0.009


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def form_data(world, **overrides):
    data = {"channel": "h12345", "category": world.cat_noise.code, "title": "夜间施工噪音", "description": "每晚十点后仍在施工",
            "citizen_name": "张三", "citizen_phone": "13800001234", "address": "金茂社区3栋", "lon": "0.5", "lat": "0.5",
            "urgency": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def receive(world, actor=None, **kw):
    args = {"channel": "h12345", "category": world.cat_noise.code, "title": "已有工单", "description": "描述", "lon": 0.5, "lat": 0.5,
            "citizen_phone": "13900000000"}
    args.update(kw)
    return actions.do_receive(actor or world.operator, **args)


# ---------------------------------------------------------------- the page and who may open it

def test_the_page_renders_for_an_operator_with_its_stable_ids(client, world):
    client.force_login(world.operator)
    page = client.get("/tickets/new/").content.decode()
    for element_id in ("create-form", "id_channel", "category-search", "id_category", "id_title", "id_description",
                       "id_citizen_name", "id_citizen_phone", "id_address", "place-search", "create-map", "id_lon", "id_lat",
                       "route-preview", "duplicates", "create-submit"):
        assert f'id="{element_id}"' in page, element_id
    assert '<option value="h12345">12345热线</option>' in page
    assert 'href="/tickets/new/">受理登记<' in page  # the menu links here now that the page exists
    # Every script and stylesheet is served by this server.
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert "/static/web/mapbase.js" in assets and "/static/vendor/leaflet/leaflet.js" in assets
    assert all(a.startswith("/static/") for a in assets), assets
    assert 'data-tile-url=""' in page


def test_the_tile_url_comes_from_settings(client, world, settings):
    settings.GRIDGOV_TILE_URL = "/tiles/{z}/{x}/{y}.png"
    client.force_login(world.operator)
    assert 'data-tile-url="/tiles/{z}/{x}/{y}.png"' in client.get("/tickets/new/").content.decode()


@pytest.mark.parametrize("url", ["/tickets/new/", "/tickets/new/categories/?q=噪音", "/tickets/new/places/?q=金茂",
                                 "/tickets/new/areas.geojson", "/tickets/new/duplicates/", "/tickets/new/route/"])
def test_users_without_the_receive_permission_are_refused_in_chinese(client, world, url):
    assert client.get(url)["Location"].startswith("/login/")
    client.force_login(world.handler_a)
    response = client.get(url)
    assert response.status_code == 403
    assert "无权访问受理登记" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_a_refused_user_cannot_post_either(client, world):
    client.force_login(world.viewer)
    assert client.post("/tickets/new/", form_data(world)).status_code == 403
    assert Ticket.objects.count() == 0


# ---------------------------------------------------------------- category picker

def test_category_search_by_name_shows_path_handler_and_limits(client, world):
    client.force_login(world.operator)
    page = client.get("/tickets/new/categories/", {"q": "噪音"}).content.decode()
    assert re.findall(r'class="[^"]*category-option[^"]*" data-code="(\w+)"', page) == ["010101"]
    assert "城市管理 › 市容环境 › 噪音扰民" in page
    assert "属地管理" in page and "签收 1 工作小时" in page and "办理 10 工作日" in page


def test_category_search_by_keyword_code_and_parent_offers_only_leaves(client, world):
    world.cat_road.keywords = ["坑洼", "井盖"]
    world.cat_road.save()
    client.force_login(world.operator)

    def codes(q):
        return re.findall(r'category-option" data-code="(\w+)"', client.get("/tickets/new/categories/", {"q": q}).content.decode())

    assert codes("坑洼") == ["010102"]
    assert codes("0201") == ["020101"]
    assert codes("市容环境") == ["010101", "010102"]  # a parent's name lists its leaves, not the parent
    assert codes("不存在的事项") == [] and codes("") == []
    page = client.get("/tickets/new/categories/", {"q": "拖欠"}).content.decode()
    assert "部门管理：区人力资源和社会保障局" in page and "办理 15 工作日" in page


def test_a_category_without_a_rule_in_force_is_shown_but_not_offered(client, world):
    f.CategoryFactory(code="010103", name="占道经营", level=3, parent=world.cat_noise.parent)
    client.force_login(world.operator)
    page = client.get("/tickets/new/categories/", {"q": "占道"}).content.decode()
    assert "尚无生效的责任清单" in page and 'data-code="010103"' not in page


# ---------------------------------------------------------------- gazetteer and map

def test_place_suggestions_are_deepest_first_with_their_path(client, world):
    client.force_login(world.operator)
    page = client.get("/tickets/new/places/", {"q": "金茂"}).content.decode()
    assert re.findall(r'place-option" data-code="(\d+)"', page) == ["430104001001001", "430104001001002", "430104001001"]
    assert "望月湖街道 › 金茂社区 › 金茂第1网格" in page
    assert 'data-address="望月湖街道金茂社区金茂第1网格"' in page


def test_place_suggestions_match_aliases_and_the_address_box(client, world):
    world.grid_b1.aliases = ["老街片区"]
    world.grid_b1.save()
    client.force_login(world.operator)
    page = client.get("/tickets/new/places/", {"q": "老街"}).content.decode()
    assert re.findall(r'place-option" data-code="(\d+)"', page) == [world.grid_b1.code] and "又称 老街片区" in page
    page = client.get("/tickets/new/places/", {"address": "莲花"}).content.decode()  # what the address box sends
    assert re.findall(r'place-option" data-code="(\d+)"', page) == [world.street_b.code]
    assert client.get("/tickets/new/places/", {"q": "北京"}).content.decode().strip() == ""


def test_a_full_address_suggests_the_area_it_names(client, world):
    client.force_login(world.operator)
    page = client.get("/tickets/new/places/", {"address": "金茂社区3栋502"}).content.decode()
    assert re.findall(r'place-option" data-code="(\d+)"', page) == [world.community_a1.code]


def test_place_suggestions_are_limited_to_ten(client, world):
    for n in range(12):
        f.AreaFactory(code=f"430104001001{100 + n}", name=f"金茂巷{n}", level=3, parent=world.community_a1)
    client.force_login(world.operator)
    assert client.get("/tickets/new/places/", {"q": "金茂"}).content.decode().count("place-option") == 10


def test_geojson_gives_streets_and_communities_by_default_and_grids_within_an_area(client, world):
    client.force_login(world.operator)
    data = json.loads(client.get("/tickets/new/areas.geojson").content)
    assert data["type"] == "FeatureCollection"
    assert sorted((ft["properties"]["level"], ft["properties"]["name"]) for ft in data["features"]) == [
        (1, "望月湖街道"), (1, "莲花镇"), (2, "桃花岭社区"), (2, "桐木村"), (2, "金茂社区")]
    assert {ft["geometry"]["type"] for ft in data["features"]} == {"Polygon"}
    grids = json.loads(client.get("/tickets/new/areas.geojson", {"level": "3", "within": world.street_a.code}).content)
    assert sorted(ft["properties"]["code"] for ft in grids["features"]) == ["430104001001001", "430104001001002"]
    one = json.loads(client.get("/tickets/new/areas.geojson", {"level": "2", "within": world.community_a1.code}).content)
    assert [ft["properties"]["name"] for ft in one["features"]] == ["金茂社区"]
    assert json.loads(client.get("/tickets/new/areas.geojson", {"within": "x' OR 1=1"}).content)["features"] == []


# ---------------------------------------------------------------- duplicate warning

def test_haversine_is_about_111_km_per_degree_of_latitude():
    assert distance_m(0, 0, 0, 1) == pytest.approx(111_195, rel=1e-3)


@pytest.fixture
def neighbours(world):
    """Tickets around (0.5, 0.5) in 金茂第1网格, received just now unless said otherwise."""
    w = world
    return {
        "same_phone": receive(w, title="同号码", category=w.cat_wages.code, lon=0.2, lat=0.2, citizen_phone="13800001234"),
        "near": receive(w, title="同类近处", lat=0.5 + NEAR),
        "far": receive(w, title="同类远处", lat=0.5 + FAR),
        "other_category": receive(w, title="异类近处", category=w.cat_road.code, lat=0.5 + NEAR),
        "old": receive(w, title="八天前", citizen_phone="13800001234", now=timezone.now() - timedelta(days=8)),
    }


def duplicate_ids(client, **params):
    page = client.get("/tickets/new/duplicates/", params).content.decode()
    return {int(i) for i in re.findall(r'data-id="(\d+)"', page)}, page


def test_duplicates_find_the_same_phone_and_the_same_category_nearby_and_nothing_else(client, world, neighbours):
    client.force_login(world.operator)
    ids, page = duplicate_ids(client, citizen_phone="13800001234", category=world.cat_noise.code, lon="0.5", lat="0.5")
    assert ids == {neighbours["same_phone"].pk, neighbours["near"].pk}
    assert f'href="/tickets/{neighbours["near"].pk}/"' in page
    assert "同一来电号码" in page and "同类事项，相距约 100 米" in page
    ids, page = duplicate_ids(client, citizen_phone="13700000000", category=world.cat_wages.code, lon="0.5", lat="0.5")
    assert ids == set() and page.strip() == ""


def test_duplicates_hide_phone_matches_from_users_without_pii_view(client, world, neighbours):
    client.force_login(world.grid_worker)  # sees 金茂第1网格, but may not see personal data
    ids, page = duplicate_ids(client, citizen_phone="13800001234", category=world.cat_noise.code, lon="0.5", lat="0.5")
    assert ids == {neighbours["near"].pk} and "同一来电号码" not in page


def test_duplicates_only_list_visible_tickets(client, world):
    outside = receive(world, lon=3.0, lat=1.0)  # 桐木第1网格, not the grid worker's
    client.force_login(world.grid_worker)
    ids, _ = duplicate_ids(client, category=world.cat_noise.code, lon="3.0", lat=f"{1.0 + NEAR}")
    assert ids == set()
    client.force_login(world.operator)
    assert duplicate_ids(client, category=world.cat_noise.code, lon="3.0", lat=f"{1.0 + NEAR}")[0] == {outside.pk}


# ---------------------------------------------------------------- routing preview

def test_route_preview_shows_area_units_and_reason(client, world):
    client.force_login(world.operator)
    page = client.get("/tickets/new/route/", {"category": world.cat_noise.code, "lon": "0.5", "lat": "0.5"}).content.decode()
    assert "望月湖街道 › 金茂社区 › 金茂第1网格" in page and "望月湖街道办事处" in page
    assert "坐标落在 望月湖街道/金茂社区/金茂第1网格" in page and "属地管理，由 望月湖街道办事处 主办" in page
    page = client.get("/tickets/new/route/", {"category": world.cat_road.code, "address": "莲花镇某路"}).content.decode()
    assert "区城市管理和综合执法局" in page and "莲花镇人民政府 协办" in page and "地址中“莲花镇”匹配到" in page
    assert "选择事项分类后显示派单建议" in client.get("/tickets/new/route/").content.decode()


def test_route_preview_warns_a_grid_worker_about_a_place_outside_their_grid(client, world):
    client.force_login(world.grid_worker)
    inside = client.get("/tickets/new/route/", {"category": world.cat_noise.code, "lon": "0.5", "lat": "0.5"}).content.decode()
    outside = client.get("/tickets/new/route/", {"category": world.cat_noise.code, "lon": "3", "lat": "1"}).content.decode()
    assert "route-out-of-scope" not in inside and "route-out-of-scope" in outside and "莲花镇人民政府" in outside


# ---------------------------------------------------------------- submitting

def test_a_valid_post_creates_exactly_one_ticket_and_opens_it(client, world):
    client.force_login(world.operator)
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = client.post("/tickets/new/", {**form_data(world), "files": [photo]})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [f"已受理，工单编号 {ticket.number}"]
    assert (ticket.area_id, ticket.created_by_id, ticket.state) == (world.grid_a1.code, world.operator.pk, "received")
    assert (ticket.suggested_lead_id, ticket.urgency, ticket.citizen_phone) == (world.unit_a.pk, "normal", "13800001234")
    assert [a.name for a in ticket.attachments.all()] == ["现场.png"]
    assert list(ticket.events.values_list("verb", flat=True)) == ["receive", "attach"]


def test_the_operator_may_raise_urgency(client, world):
    client.force_login(world.operator)
    client.post("/tickets/new/", form_data(world, urgency="urgent"))
    assert Ticket.objects.get().urgency == "urgent"


def test_an_address_alone_locates_the_ticket(client, world):
    client.force_login(world.operator)
    client.post("/tickets/new/", form_data(world, lon="", lat="", address="莲花镇桐木村5组"))
    assert Ticket.objects.get().area_id == "430104102001"


@pytest.mark.parametrize("overrides, files, message", [
    ({"title": ""}, [], "这个字段是必填项"),
    ({"category": ""}, [], "请选择事项分类"),
    ({"category": "0101"}, [], "不是末级分类"),
    ({"lat": "999"}, [], "经纬度超出范围"),
    ({"lat": ""}, [], "经度和纬度必须同时填写"),
    ({"citizen_phone": "call me"}, [], "联系电话格式不正确"),
    ({}, [("virus.exe", b"MZ\x90\x00")], "不支持的文件类型“virus.exe”"),
    ({}, [("photo.png", PNG), ("fake.jpg", b"MZ\x90\x00 not a jpeg")], "文件“fake.jpg”的内容与扩展名不符"),
])
def test_an_invalid_post_creates_nothing_and_says_why_in_chinese(client, world, overrides, files, message):
    client.force_login(world.operator)
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    response = client.post("/tickets/new/", {**form_data(world, **overrides), "files": uploads})
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert 'value="夜间施工噪音"' in page or overrides.get("title") == ""  # what was typed is kept
    assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0


def test_a_refused_post_shows_the_chosen_category_again(client, world):
    client.force_login(world.operator)
    page = client.post("/tickets/new/", form_data(world, title="")).content.decode()
    assert "已选：<strong>城市管理 › 市容环境 › 噪音扰民</strong>" in page
    assert 'name="lon" value="0.5"' in page


def test_a_grid_worker_creates_in_their_grid_but_not_outside(client, world):
    client.force_login(world.grid_worker)
    page = client.post("/tickets/new/", form_data(world, lon="3", lat="1", address="")).content.decode()
    assert OUT_OF_SCOPE in page and Ticket.objects.count() == 0
    page = client.post("/tickets/new/", form_data(world, lon="", lat="", address="")).content.decode()  # not located at all
    assert OUT_OF_SCOPE in page and Ticket.objects.count() == 0
    response = client.post("/tickets/new/", form_data(world))
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and ticket.area_id == world.grid_a1.code and ticket.created_by_id == world.grid_worker.pk
