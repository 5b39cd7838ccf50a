"""Mobile pages for grid workers: report an event with photos and location, my grid's open tickets, door-to-door visits."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.core import clock
from gridgov.patrol.models import Visit
from gridgov.tickets import actions
from gridgov.tickets.models import Attachment, Channel, Ticket
from tests import factories as f
from tests.conftest import MONDAY_10AM

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture(autouse=True)
def fake_clock(monkeypatch):
    """Time as the actions see it (the pattern of tests/api/conftest.py)."""
    class Fake:
        at = MONDAY_10AM
    monkeypatch.setattr(clock, "now", lambda: Fake.at)
    return Fake


@pytest.fixture
def patrol(world, settings, tmp_path):
    """The 网格巡查 channel, uploads kept in a temporary directory, and the grid worker logged in."""
    settings.MEDIA_ROOT = str(tmp_path)
    return Channel.objects.get(code="patrol")  # a standard channel, installed by migration


def photo(name="现场.png", data=PNG):
    return SimpleUploadedFile(name, data, content_type="image/png")


def report(client, world, **changes):
    data = {"category": world.cat_noise.code, "description": "小区广场夜间广场舞音响过大\n持续到23点", "address": "金茂小区广场",
            "lon": "0.5", "lat": "0.5", "reporter_area_code": ""}
    data.update(changes)
    return client.post("/m/report/", {k: v for k, v in data.items() if v is not None})


def test_the_report_page_has_the_phone_form(client, world, patrol):
    client.force_login(world.grid_worker)
    page = client.get("/m/report/").content.decode()
    for marker in ['id="report-form"', 'id="id_category"', 'id="id_description"', 'id="use-my-grid"', 'id="report-submit"',
                   'id="category-search"', 'enctype="multipart/form-data"', 'data-grid="430104001001001"']:
        assert marker in page
    assert '<input type="file" name="photos" id="id_photos" class="form-control" accept="image/*" capture="environment" multiple>' in page
    assert '<optgroup label="城市管理">' in page and '<optgroup label="劳资纠纷">' in page
    assert f'value="{world.cat_noise.code}"' in page and 'value="0101"' not in page  # leaves only
    assert "/static/web/mobile.js" in page and "/static/web/mobile.css" in page
    assert 'id="menu"' not in page  # no left menu on the phone


def test_a_grid_worker_reports_with_location_and_a_photo(client, world, patrol):
    client.force_login(world.grid_worker)
    response = report(client, world, photos=[photo(), photo("第二张.png")])
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/m/report/{ticket.pk}/done/"
    assert ticket.channel_id == "patrol" and ticket.number.startswith("WG20260302")
    assert ticket.area_id == world.grid_a1.code and ticket.located_by == "point" and ticket.created_by == world.grid_worker
    assert ticket.title.startswith("噪音扰民：小区广场夜间广场舞") and ticket.address == "金茂小区广场"
    assert sorted(Attachment.objects.filter(ticket=ticket).values_list("name", flat=True)) == ["现场.png", "第二张.png"]
    assert ticket.events.filter(verb="attach").exists()
    done = client.get(response["Location"]).content.decode()
    assert 'id="report-done"' in done and ticket.number in done and "照片 2 张" in done


def test_use_my_grid_reports_without_the_phone_location(client, world, patrol):
    client.force_login(world.grid_worker)
    response = report(client, world, lon="", lat="", address="", reporter_area_code=world.grid_a1.code)
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.area_id == world.grid_a1.code and ticket.located_by == "reporter" and ticket.lon is None


def test_a_report_outside_the_grid_is_refused_and_nothing_is_created(client, world, patrol):
    client.force_login(world.grid_worker)
    response = report(client, world, lon="3", lat="1", photos=[photo()])  # 桐木第1网格, in another town
    page = response.content.decode()
    assert response.status_code == 422 and 'id="report-errors"' in page
    assert "不在您负责的网格内" in page and "照片需要重新选择" in page
    assert not Ticket.objects.exists() and not Attachment.objects.exists()
    assert "小区广场夜间广场舞" in page  # what was typed is kept


def test_another_grid_cannot_be_claimed_as_mine(client, world, patrol):
    client.force_login(world.grid_worker)
    response = report(client, world, lon="", lat="", reporter_area_code=world.grid_b1.code)
    assert response.status_code == 422 and "只能按本人负责的网格上报" in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("evil.png", b"MZ\x90\x00" + b"\x00" * 40, content_type="image/png"), "内容与扩展名不符"),
    (SimpleUploadedFile("script.exe", b"MZ\x90\x00", content_type="application/octet-stream"), "不支持的文件类型"),
    (SimpleUploadedFile("通知.pdf", b"%PDF-1.4\n", content_type="application/pdf"), "不是照片"),
])
def test_bad_photos_are_refused_before_anything_is_created(client, world, patrol, upload, message):
    client.force_login(world.grid_worker)
    response = report(client, world, photos=[photo(), upload])
    assert response.status_code == 422 and message in response.content.decode()
    assert not Ticket.objects.exists() and not Attachment.objects.exists()


def test_too_many_photos_are_refused(client, world, patrol):
    client.force_login(world.grid_worker)
    response = report(client, world, photos=[photo(f"{i}.png") for i in range(10)])
    assert response.status_code == 422 and "最多上传 9 张" in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("changes, message", [
    ({"lon": "", "lat": ""}, "未获取到位置"),
    ({"category": ""}, "请选择事项分类"),
    ({"category": "0101"}, "请选择有效的事项分类"),  # not a leaf
    ({"description": "  "}, "请填写情况描述"),
    ({"lon": "abc"}, "定位坐标无效"),
    ({"lat": "95"}, "定位坐标超出范围"),
])
def test_form_errors_are_chinese_and_create_nothing(client, world, patrol, changes, message):
    client.force_login(world.grid_worker)
    response = report(client, world, **changes)
    assert response.status_code == 422 and message in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_disabled_patrol_channel_is_explained(client, world):
    Channel.objects.filter(code="patrol").update(active=False)
    client.force_login(world.grid_worker)
    response = report(client, world)
    assert response.status_code == 422 and "渠道不存在或已停用" in response.content.decode()


def test_roles_without_an_area_to_report_in_are_refused(client, world, patrol):
    for user in [world.handler_a, world.outsider]:
        client.force_login(user)
        assert client.get("/m/report/").status_code == 403
        assert report(client, world).status_code == 403
    assert not Ticket.objects.exists()
    client.logout()
    assert client.get("/m/report/")["Location"].startswith("/login/")


def test_the_done_page_of_a_ticket_i_cannot_see_is_not_found(client, world, patrol):
    other = actions.do_receive(world.operator, channel="h12345", category=world.cat_noise.code, title="外网格",
                               description="描述", lon=3, lat=1, now=MONDAY_10AM)
    client.force_login(world.grid_worker)
    assert client.get(f"/m/report/{other.pk}/done/").status_code == 404
    assert client.get("/m/report/999999/done/").status_code == 404


def test_home_lists_my_grids_open_tickets_newest_first(client, world, patrol, fake_clock):
    w = world

    def make(title, lon, lat, minutes):
        return actions.do_receive(w.operator, channel="h12345", category=w.cat_noise.code, title=title, description="描述",
                                  lon=lon, lat=lat, now=MONDAY_10AM + timedelta(minutes=minutes))

    older, newer, outside = make("较早的单", 0.5, 0.5, 0), make("较新的单", 0.4, 0.4, 10), make("外网格的单", 3, 1, 20)
    rejected = make("不予受理的单", 0.5, 0.5, 30)
    actions.do_reject(w.dispatcher, rejected.pk, reason="重复", now=MONDAY_10AM + timedelta(minutes=40))
    client.force_login(w.grid_worker)
    page = client.get("/m/").content.decode()
    assert 'id="btn-report"' in page and 'id="btn-visit"' in page and "金茂第1网格" in page
    assert f'href="/tickets/{newer.pk}/"' in page and page.index("较新的单") < page.index("较早的单")
    assert f'href="/tickets/{older.pk}/"' in page
    assert outside.number not in page and "外网格的单" not in page and "不予受理的单" not in page
    assert 'id="my-tickets"' in page and 'id="menu"' not in page


def test_home_without_a_role_is_refused(client, world):
    client.force_login(world.outsider)
    assert client.get("/m/").status_code == 403
    client.force_login(world.viewer)  # may look, may neither report nor visit
    page = client.get("/m/").content.decode()
    assert 'id="btn-report"' not in page and 'id="btn-visit"' not in page


def visit_data(world, **changes):
    data = {"area": world.grid_a1.code, "visited_at": "2026-03-02T09:30", "address": "金茂小区3栋2单元501",
            "household": "张三丰", "people_count": "3", "situation": "hardship", "note": "独居老人", "lon": "", "lat": ""}
    data.update(changes)
    return data


def test_a_visit_is_recorded_and_listed(client, world):
    client.force_login(world.grid_worker)
    page = client.get("/m/visit/").content.decode()
    for marker in ['id="visit-form"', 'id="visit-submit"', 'id="id_area"', 'value="2026-03-02T10:00"', 'id="visit-list"']:
        assert marker in page
    response = client.post("/m/visit/", visit_data(world))
    assert response.status_code == 302 and response["Location"] == "/m/visit/"
    v = Visit.objects.get()
    assert (v.worker, v.area, v.situation, v.people_count) == (world.grid_worker, world.grid_a1, "hardship", 3)
    assert v.visited_at == MONDAY_10AM - timedelta(minutes=30)  # 09:30 Beijing time
    page = client.get("/m/visit/").content.decode()
    assert "走访记录已保存" in page and "张三丰（3 人）" in page and "困难帮扶" in page


def test_a_visit_outside_my_grid_is_refused(client, world):
    client.force_login(world.grid_worker)
    response = client.post("/m/visit/", visit_data(world, area=world.grid_b1.code))
    assert response.status_code == 422 and "请选择您负责的网格" in response.content.decode()
    assert not Visit.objects.exists()


def test_visit_errors_are_chinese(client, world):
    client.force_login(world.grid_worker)
    response = client.post("/m/visit/", visit_data(world, household="", visited_at="2026-03-02T23:00"))
    page = response.content.decode()
    assert response.status_code == 422 and "请填写户主或住户姓名" in page
    response = client.post("/m/visit/", visit_data(world, visited_at="2026-03-02T23:00"))
    assert response.status_code == 422 and "走访时间不能晚于当前时间" in response.content.decode()
    assert not Visit.objects.exists()


def test_roles_that_do_not_visit_cannot_open_the_visit_page(client, world):
    for user in [world.viewer, world.dispatcher, world.handler_a]:
        client.force_login(user)
        assert client.get("/m/visit/").status_code == 403
        assert client.post("/m/visit/", visit_data(world)).status_code == 403
    assert not Visit.objects.exists()


def test_a_community_leader_chooses_among_the_community_grids(client, world):
    leader = f.UserFactory(username="leader")
    f.GrantFactory(user=leader, role="grid_leader", area=world.community_a1)
    client.force_login(leader)
    page = client.get("/m/visit/").content.decode()
    assert f'value="{world.community_a1.code}"' in page and f'value="{world.grid_a1.code}"' in page
    assert f'value="{world.grid_b1.code}"' not in page
    assert client.post("/m/visit/", visit_data(world, area="430104001001002")).status_code == 302


def test_the_menu_links_the_mobile_pages(client, world):
    client.force_login(world.grid_worker)
    page = client.get("/inbox/all/").content.decode()
    assert 'href="/m/"' in page and 'href="/map/"' in page
