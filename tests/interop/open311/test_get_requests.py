"""GET requests: the standard filters and defaults, the extensions, status from the lifecycle, and a fixed query count.

These tests make their tickets through the hotline, so they publish that channel as a deployment may opt into;
what is published by default, and how much of another channel's ticket, is in test_published.py.
"""

import pytest

from gridgov.tickets import actions
from gridgov.tickets.models import Ticket


@pytest.fixture(autouse=True)
def hotline_published(settings):
    settings.GRIDGOV_OPEN311_PUBLIC_CHANNELS = ("open311", "h12345")


def receive(world, category=None, lon=0.5, lat=0.5, **kw):
    """A ticket received by the hotline (channel h12345), as the other channels make them."""
    return actions.do_receive(world.operator, channel="h12345", category=(category or world.cat_noise).code,
                              title=kw.pop("title", "噪音"), description=kw.pop("description", "有人很吵"),
                              lon=lon, lat=lat, **kw)


def close(world, ticket, result="已协调商户整改"):
    actions.do_dispatch(world.dispatcher, ticket.pk, lead_unit_id=world.unit_a.pk)
    assignment = ticket.assignments.get()
    actions.do_sign(world.handler_a, ticket.pk, assignment_id=assignment.pk)
    actions.do_report(world.handler_a, ticket.pk, assignment_id=assignment.pk, result=result)
    return actions.do_close(world.dispatcher, ticket.pk, note="核查属实，结案")


def ids(client, **params):
    response = client.get("/open311/v2/requests.json", params)
    assert response.status_code == 200, response.content.decode()
    return [r["service_request_id"] for r in response.json()]


def test_only_public_categories_are_listed(client, o311):
    public = receive(o311.world)
    receive(o311.world, category=o311.world.cat_wages)
    assert ids(client) == [public.number]


def test_status_follows_the_lifecycle(client, o311):
    world = o311.world
    open_one, closed_one, rejected, merged = (receive(world) for _ in range(4))
    close(world, closed_one, result="已处理，回电 13800138000 告知")
    actions.do_reject(world.dispatcher, rejected.pk, reason="重复来电")
    actions.do_merge(world.dispatcher, merged.pk, parent_id=open_one.pk)
    data = {r["service_request_id"]: r for r in client.get("/open311/v2/requests.json").json()}
    assert data[open_one.number]["status"] == "open" and data[open_one.number]["status_notes"] == "待派单"
    closed = data[closed_one.number]
    assert closed["status"] == "closed" and closed["status_notes"].startswith("已结案：已处理，回电 13")
    assert "13800138000" not in closed["status_notes"]
    assert closed["agency_responsible"] == "望月湖街道办事处"
    assert closed["updated_datetime"] == "2026-03-02T10:00:00+08:00"
    assert data[rejected.number]["status"] == "closed" and data[merged.number]["status"] == "closed"
    assert open_one.number in data[merged.number]["status_notes"]
    assert ids(client, status="open") == [open_one.number]
    assert sorted(ids(client, status="closed")) == sorted([closed_one.number, rejected.number, merged.number])
    assert len(ids(client, status="open,closed")) == 4


def test_hotline_text_and_title_are_not_published_only_its_category(client, o311):
    receive(o311.world, title="小区噪音", description="我是王五，住3栋，电话13900001111")
    (item,) = client.get("/open311/v2/requests.json").json()
    assert item["description"] == "噪音扰民"


def test_service_request_id_list_overrides_other_filters(client, o311, fake_clock):
    a, b, c = (receive(o311.world) for _ in range(3))
    fake_clock.advance(days=200)  # outside the default window: the ids still win
    assert sorted(ids(client, service_request_id=f"{a.number},{c.number}", status="closed", service_code="x")) == sorted([a.number, c.number])


def test_service_code_list(client, o311):
    noise, road = receive(o311.world), receive(o311.world, category=o311.world.cat_road)
    assert ids(client, service_code="010102") == [road.number]
    assert sorted(ids(client, service_code="010101,010102")) == sorted([noise.number, road.number])
    assert ids(client, service_code="nothing") == []


def test_default_window_is_the_most_recent_90_days(client, o311, fake_clock):
    old = receive(o311.world)
    fake_clock.advance(days=91)
    new = receive(o311.world)
    assert ids(client) == [new.number]
    assert ids(client, start_date="2026-03-01T00:00:00+08:00") == [old.number]  # start alone: 90 days from it
    assert ids(client, end_date="2026-03-03") == [old.number]  # end alone: the 90 days before it
    assert ids(client, start_date="2026-03-04", end_date="2026-06-01T12:00:00+08:00") == [new.number]  # 89.5 days


@pytest.mark.parametrize("params,word", [
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
    ({"start_date": "2026-03-02", "end_date": "2026-03-01"}, "after"),
    ({"start_date": "last week"}, "start_date"),
    ({"end_date": "2026-13-01"}, "end_date"),
    ({"status": "pending"}, "status"),
    ({"page": "0"}, "page"),
    ({"page_size": "1001"}, "page_size"),
    ({"lat": "0.5"}, "lat and long"),
    ({"lat": "0.5", "long": "0.5", "radius": "-3"}, "radius"),
    ({"bbox": "1,1,0,0"}, "bbox"),
    ({"updated_after": "soon"}, "updated_after"),
    # Dates that parse but overflow once shifted by a zone or the 90-day window: years are held to 1900–2100.
    ({"end_date": "0001-01-01"}, "end_date"),
    ({"start_date": "9999-12-31"}, "start_date"),
    ({"updated_after": "0001-01-01T00:00:00+14:00"}, "updated_after"),
    ({"updated_before": "9999-12-31T23:59:59-12:00"}, "updated_before"),
    ({"start_date": "1899-12-31"}, "1900"),
    ({"page": "99999999999999999999"}, "page"),
    ({"page": "1000001"}, "page"),
    ({"page": "²"}, "page"),
    ({"page_size": "99999999999999999999"}, "page_size"),
    ({"service_request_id": ",".join(f"X{n}" for n in range(1001))}, "service_request_id"),
    ({"service_code": ",".join(str(n) for n in range(1001))}, "service_code"),
    ({"service_code": "010101\x00"}, "NUL"),
    ({"status": "open\x00"}, "NUL"),
])
def test_bad_parameters_are_400(client, o311, params, word):
    response = client.get("/open311/v2/requests.json", params)
    assert response.status_code == 400
    assert any(word in e["description"] for e in response.json()), response.json()


def test_the_bounds_themselves_are_accepted(client, o311):
    t = receive(o311.world)
    assert ids(client, page="1000000") == []
    assert ids(client, service_request_id=",".join([t.number] + [f"X{n}" for n in range(999)])) == [t.number]
    assert ids(client, updated_after="1900-01-01T00:00:00+14:00") == [t.number]
    assert ids(client, start_date="2100-12-31") == [] and ids(client, end_date="1900-01-01") == []


def test_nul_in_a_path_is_a_spec_404(client, o311):
    for path in ("requests/%00.json", "tokens/%00.json", "services/%00.json"):
        response = client.get(f"/open311/v2/{path}")
        assert response.status_code == 404 and response.json()[0]["code"] == 404, path


def test_dates_accept_z_offsets_and_an_unencoded_plus(client, o311):
    t = receive(o311.world)  # 2026-03-02T02:00:00Z
    assert ids(client, start_date="2026-03-02T01:59:59Z") == [t.number]
    assert ids(client, start_date="2026-03-02T10:00:01+08:00") == []
    assert client.get("/open311/v2/requests.json?start_date=2026-03-02T09:59:00+08:00").json()[0]["service_request_id"] == t.number


def test_updated_after_and_before(client, o311, fake_clock):
    world = o311.world
    stale, fresh = receive(world), receive(world)
    fake_clock.advance(days=120)
    actions.do_reject(world.dispatcher, fresh.pk, reason="不属于受理范围")
    # Sync by update time reaches past the default 90-day window of requested_datetime.
    assert ids(client, updated_after="2026-06-01T00:00:00+08:00") == [fresh.number]
    assert ids(client, updated_before="2026-06-01T00:00:00+08:00") == [stale.number]


def test_lat_long_radius_and_bbox(client, o311):
    world = o311.world
    here = receive(world, lon=0.5, lat=0.5)
    near = receive(world, lon=0.505, lat=0.5)  # about 557 m east
    far = receive(world, lon=3.5, lat=1.5)
    assert sorted(ids(client, lat="0.5", long="0.5", radius="600")) == sorted([here.number, near.number])
    assert ids(client, lat="0.5", long="0.5", radius="100") == [here.number]
    assert sorted(ids(client, lat="0.5", long="0.5")) == sorted([here.number, near.number])  # default 1000 m
    assert ids(client, bbox="3,1,4,2") == [far.number]
    assert ids(client, bbox="0,0,0.502,1") == [here.number]


def test_pages_and_the_default_limit_of_1000(client, o311, django_assert_max_num_queries):
    first = receive(o311.world)
    clones = []
    for n in range(1004):  # bulk copies of one received ticket: volume, not lifecycle, is under test here
        first.pk, first.number = None, f"CLONE{n:05d}"
        clones.append(Ticket(**{f.attname: getattr(first, f.attname) for f in Ticket._meta.concrete_fields}))
    Ticket.objects.bulk_create(clones)
    with django_assert_max_num_queries(3):
        response = client.get("/open311/v2/requests.json")
    assert len(response.json()) == 1000
    assert len(ids(client, page="2")) == 5
    assert len(ids(client, page_size="10", page="3")) == 10
    assert ids(client, page_size="10", page="200") == []


def test_no_n_plus_one_with_extensions(client, o311, submit, django_assert_max_num_queries):
    world = o311.world
    for _ in range(3):
        close(world, receive(world))
    for _ in range(5):
        submit(service_code="010102", **{"attribute[DAMAGE]": "hole"})
    with django_assert_max_num_queries(4):  # tickets with joins, lead assignments, public timeline events
        data = client.get("/open311/v2/requests.json", {"extensions": "true"}).json()
    assert len(data) == 8


def test_extended_attributes_and_status_notes(client, o311, submit):
    world = o311.world
    request_id = submit(service_code="010102", **{"attribute[DAMAGE]": "hole", "attribute[LANES][]": ["1", "2"]})["service_request_id"]
    ticket = Ticket.objects.get(number=request_id)
    close(world, ticket, result="已修补，联系人电话 13800138000")
    actions.do_callback(world.operator, ticket.pk, method="phone", satisfaction="satisfied", resolved=True, note="市民很满意")
    (item,) = client.get(f"/open311/v2/requests/{request_id}.json", {"extensions": "true"}).json()
    ext = item["extended_attributes"]
    assert ext["channel"] == "open311" and ext["ticket_state"] == "closed" and ext["area_name"] == "金茂第1网格"
    assert ext["attributes"] == [{"code": "DAMAGE", "value": "hole"}, {"code": "LANES", "value": "1,2"}]
    types = [n["type"] for n in ext["status_notes"]]
    assert types == ["receive", "dispatch", "sign", "report", "close"]  # the callback stays internal
    assert ext["status_notes"][3]["description"].startswith("办理反馈：已修补")
    assert "13800138000" not in str(ext) and "市民很满意" not in str(ext)
    assert "extended_attributes" not in client.get(f"/open311/v2/requests/{request_id}.json").json()[0]
