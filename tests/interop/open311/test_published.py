"""What GET publishes: by default only requests citizens posted through Open311 themselves; a channel a deployment
opts into (GRIDGOV_OPEN311_PUBLIC_CHANNELS) shows its category instead of its title, no address and a rounded point."""

import pytest

from gridgov.tickets import actions
from tests.interop.open311.schema import validate

LON, LAT = 0.50123, 0.50089  # published as 0.501, 0.501
CALL = {"title": "市民张三来电反映小区夜间噪音", "description": "市民张三来电反映望月湖小区3栋楼下KTV噪音，电话13900001111",
        "citizen_name": "张三", "citizen_phone": "13900001111", "address": "望月湖街道金茂社区3栋502"}
SECRETS = ("张三", "13900001111", "金茂社区3栋502", "来电反映", "50123", "50089")


@pytest.fixture
def hotline(o311):
    """A 12345 call about a public category, with the citizen's name, phone and exact place."""
    return actions.do_receive(o311.world.operator, channel="h12345", category=o311.world.cat_noise.code,
                              lon=LON, lat=LAT, **CALL)


def get(client, path, **params):
    return client.get(f"/open311/v2/{path}", params)


def test_by_default_a_hotline_ticket_is_not_published(client, hotline):
    for params in ({}, {"extensions": "true"}, {"service_request_id": hotline.number}, {"service_code": "010101"}):
        response = get(client, "requests.json", **params)
        assert response.status_code == 200 and response.json() == [], params
    for fmt in ("json", "xml"):
        response = get(client, f"requests/{hotline.number}.{fmt}")
        assert response.status_code == 404, fmt
        body = response.content.decode()
        assert hotline.number in body and not any(s in body for s in SECRETS)
    validate("errors", get(client, f"requests/{hotline.number}.json").json())


def test_by_default_an_open311_request_is_published_exactly(client, hotline, submit):
    request_id = submit(address_string="金茂社区东门", lat=str(LAT), long=str(LON))["service_request_id"]
    (item,) = get(client, "requests.json").json()
    assert item["service_request_id"] == request_id
    assert (item["lat"], item["long"], item["address"]) == (LAT, LON, "金茂社区东门")
    assert item["description"] == "楼下KTV每晚噪音到凌晨两点"


@pytest.mark.parametrize("path", ["requests.json", "requests.json?extensions=true", "requests.xml?extensions=true",
                                  "requests/{number}.json?extensions=true", "requests/{number}.xml"])
def test_an_opted_in_channel_shows_no_title_address_or_precise_point(client, hotline, settings, path):
    settings.GRIDGOV_OPEN311_PUBLIC_CHANNELS = ("open311", "h12345")
    response = client.get("/open311/v2/" + path.format(number=hotline.number))
    assert response.status_code == 200
    body = response.content.decode()
    assert hotline.number in body
    assert not any(s in body for s in SECRETS), [s for s in SECRETS if s in body]
    if ".json" in path:
        (item,) = response.json()
        assert item["description"] == "噪音扰民"  # the category, not the title
        assert item["address"] is None and (item["lat"], item["long"]) == (0.501, 0.501)
        assert item["address_id"] == hotline.area_id  # the grid, as for every request


def test_filters_see_only_the_rounded_point_of_an_opted_in_channel(client, hotline, settings):
    settings.GRIDGOV_OPEN311_PUBLIC_CHANNELS = ["open311", "h12345"]

    def found(**params):
        response = get(client, "requests.json", **params)
        assert response.status_code == 200, response.content.decode()
        return [r["service_request_id"] for r in response.json()]

    # Small boxes or circles around the exact point must not find it, or repeated queries would reveal it.
    assert found(bbox="0.5011,0.5008,0.5014,0.5010") == []
    assert found(lat=str(LAT), long=str(LON), radius="1") == []
    assert found(bbox="0.5009,0.5009,0.5011,0.5011") == [hotline.number]
    assert found(lat="0.501", long="0.501", radius="1") == [hotline.number]
