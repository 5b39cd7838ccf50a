"""GET /tickets: filters, ordering, pagination and a fixed number of queries."""

from datetime import datetime, timedelta, timezone

import pytest

from gridgov.tickets import actions
from tests.api.helpers import Api, assert_error, make_ticket
from tests.conftest import MONDAY_10AM


def ids(response):
    assert response.status_code == 200, response.content.decode()
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def tickets(world):
    """Four tickets on three local days, two streets and two categories, in various states."""
    w = world
    noise = make_ticket(w, at=MONDAY_10AM - timedelta(days=2), title="夜间噪音")                    # Sat 10:00
    # 23:30 UTC on Saturday is already Sunday 07:30 in Beijing.
    wages = make_ticket(w, at=datetime(2026, 2, 28, 23, 30, tzinfo=timezone.utc), category="020101", title="拖欠工资",
                        description="某工地拖欠农民工工资", citizen_phone="13911112222")
    road = make_ticket(w, at=MONDAY_10AM - timedelta(hours=1), category="010102", title="道路破损", lon=3.0, lat=1.0)
    late = make_ticket(w, at=MONDAY_10AM - timedelta(days=30), title="垃圾清运不及时")
    actions.do_dispatch(w.dispatcher, late.pk, lead_unit_id=w.unit_a.pk, now=MONDAY_10AM - timedelta(days=30))
    actions.do_dispatch(w.dispatcher, road.pk, lead_unit_id=w.dept_city.pk, support_unit_ids=[w.unit_b.pk], now=MONDAY_10AM)
    return {"noise": noise, "wages": wages, "road": road, "late": late}


def test_default_order_is_newest_first(world, tickets):
    t = tickets
    body = Api(world.dispatcher).get("/tickets").json()
    assert body["count"] == 4
    assert [i["id"] for i in body["items"]] == [t["road"].pk, t["wages"].pk, t["noise"].pk, t["late"].pk]
    item = body["items"][0]
    assert item["channel"] == {"code": "h12345", "name": "12345热线"} and item["category"]["code"] == "010102"
    assert item["area"]["code"] == world.grid_b1.code and item["state_label"] == "待签收"
    assert item["received_at"] == "2026-03-02T09:00:00+08:00"
    assert "citizen_phone" not in item and "citizen_name" not in item


@pytest.mark.parametrize("params,expected", [
    ({"state": "dispatched"}, ["road", "late"]),
    ({"state": ["dispatched", "received"]}, ["road", "wages", "noise", "late"]),
    ({"channel": "h12345"}, ["road", "wages", "noise", "late"]),
    ({"channel": "nope"}, []),
    ({"category": "01"}, ["road", "noise", "late"]),
    ({"category": "0101"}, ["road", "noise", "late"]),
    ({"category": "020101"}, ["wages"]),
    ({"area": "430104001"}, ["wages", "noise", "late"]),
    ({"area": "430104102001001"}, ["road"]),
    ({"received_from": "2026-03-01", "received_to": "2026-03-01"}, ["wages"]),
    ({"received_from": "2026-02-28", "received_to": "2026-02-28"}, ["noise"]),
    ({"received_from": "2026-03-01"}, ["road", "wages"]),
    ({"received_to": "2026-02-28"}, ["noise", "late"]),
    ({"q": "工资"}, ["wages"]),
    ({"q": "农民工"}, ["wages"]),
    ({"q": "13911112222"}, ["wages"]),
    ({"q": "1391111"}, []),  # phones match exactly, never by fragment
    ({"overdue": "true"}, ["late"]),
    ({"overdue": "false"}, ["road", "wages", "noise"]),
    ({"category": "01", "state": "received"}, ["noise"]),
])
def test_filters(world, tickets, params, expected):
    assert ids(Api(world.dispatcher).get("/tickets", params)) == [tickets[k].pk for k in expected]


def test_filter_by_number_and_unit(world, tickets):
    api = Api(world.dispatcher)
    assert ids(api.get("/tickets", {"q": tickets["late"].number.lower()})) == [tickets["late"].pk]
    assert ids(api.get("/tickets", {"unit": world.unit_b.pk})) == [tickets["road"].pk]  # a support assignment counts
    assert ids(api.get("/tickets", {"unit": world.unit_a.pk})) == [tickets["late"].pk]
    assert ids(api.get("/tickets", {"unit": world.dept_labour.pk})) == []


def test_overdue_includes_tickets_closed_late(world, tickets, fake_clock):
    late = tickets["late"]
    a = late.assignments.get()
    actions.do_sign(world.handler_a, late.pk, assignment_id=a.pk)
    actions.do_report(world.handler_a, late.pk, assignment_id=a.pk, result="已清运")
    actions.do_close(world.dispatcher, late.pk)
    api = Api(world.dispatcher)
    assert ids(api.get("/tickets", {"overdue": True})) == [late.pk]
    detail = api.get(f"/tickets/{late.pk}").json()
    assert detail["state"] == "closed" and detail["overdue"] is True


def test_overdue_flag_agrees_with_the_filter(world, tickets, fake_clock):
    fake_clock.advance(days=40)
    body = Api(world.dispatcher).get("/tickets").json()
    flagged = {i["id"] for i in body["items"] if i["overdue"]}
    assert flagged == set(ids(Api(world.dispatcher).get("/tickets", {"overdue": True}))) == {tickets["road"].pk, tickets["late"].pk}


@pytest.mark.parametrize("ordering,expected", [
    ("received_at", ["late", "noise", "wages", "road"]),
    ("-received_at", ["road", "wages", "noise", "late"]),
    ("handle_deadline", ["late", "road", "noise", "wages"]),  # tickets without a deadline last
    ("-handle_deadline", ["road", "late", "wages", "noise"]),
])
def test_ordering(world, tickets, ordering, expected):
    assert ids(Api(world.dispatcher).get("/tickets", {"ordering": ordering})) == [tickets[k].pk for k in expected]


def test_order_by_number(world, tickets):
    body = Api(world.dispatcher).get("/tickets", {"ordering": "number"}).json()
    numbers = [i["number"] for i in body["items"]]
    assert numbers == sorted(numbers)


def test_pagination(world, tickets):
    api = Api(world.dispatcher)
    everything = ids(api.get("/tickets"))
    first = api.get("/tickets", {"limit": 3}).json()
    second = api.get("/tickets", {"limit": 3, "offset": 3}).json()
    assert first["count"] == second["count"] == 4
    assert [i["id"] for i in first["items"] + second["items"]] == everything
    assert api.get("/tickets", {"offset": 100}).json() == {"count": 4, "items": []}
    assert api.get("/tickets", {"offset": 2**63 - 1, "limit": 500}).json() == {"count": 4, "items": []}


@pytest.mark.parametrize("params", [
    {"limit": 501}, {"limit": 0}, {"limit": -1}, {"offset": -1}, {"limit": "many"}, {"offset": 2**64},
    {"state": "lost"}, {"ordering": "title"}, {"received_from": "2026-13-40"}, {"received_to": "0001-01-01"},
    {"overdue": "maybe"}, {"unit": "abc"}, {"unit": 2**70}, {"q": "\x00"}, {"q": ""}, {"area": "4301\x00"},
])
def test_bad_query_parameters_are_422(world, params):
    assert_error(Api(world.dispatcher).get("/tickets", params), 422, "invalid_input")


def test_limit_500_is_allowed(world, tickets):
    assert Api(world.dispatcher).get("/tickets", {"limit": 500}).json()["count"] == 4


def test_list_queries_do_not_grow_with_the_page(world, django_assert_max_num_queries):
    for i in range(30):
        make_ticket(world, title=f"噪音{i}", at=MONDAY_10AM - timedelta(minutes=i))
    api = Api(world.dispatcher)
    api.get("/tickets")  # warm: nothing is cached per process that the count would depend on
    # token lookup, token last-use update, grants, count, page.
    with django_assert_max_num_queries(5):
        body = api.get("/tickets", {"limit": 30, "area": "430104", "category": "01", "overdue": "false"}).json()
    assert len(body["items"]) == 30


def test_detail_queries_do_not_grow_with_the_history(world, django_assert_max_num_queries):
    t = make_ticket(world)
    api = Api(world.dispatcher)
    for _ in range(3):
        actions.do_dispatch(world.dispatcher, t.pk, lead_unit_id=world.unit_a.pk, support_unit_ids=[world.unit_b.pk])
        for a in t.assignments.filter(state="pending", role="lead"):
            actions.do_return(world.handler_a, t.pk, assignment_id=a.pk, reason="不属于本街道")
    with django_assert_max_num_queries(14):
        body = api.get(f"/tickets/{t.pk}").json()
    assert len(body["assignments"]) == 6 and len(body["timeline"]) == 7
