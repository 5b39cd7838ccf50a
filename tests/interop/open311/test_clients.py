"""Existing clients against a live server: the `georeport` library from PyPI, unchanged, and a urllib client
posting form-encoded data the way Open311 libraries and apps do (georeport cannot create requests)."""

import json
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen
from xml.etree import ElementTree

import pytest

from tests.conftest import build_world
from tests.interop.open311.conftest import setup_open311
from tests.interop.open311.schema import validate


@pytest.fixture
def live(live_server, transactional_db):
    """A live server over the Open311 world; the endpoint root as clients configure it."""
    ns = setup_open311(build_world())
    ns.root = f"{live_server.url}/open311/v2"
    return ns


def post_form(url: str, fields: list[tuple[str, str]]) -> tuple[int, bytes, str]:
    """POST application/x-www-form-urlencoded; charset=utf-8, as the spec's example request does."""
    request = Request(url, data=urlencode(fields).encode(), method="POST",
                      headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    try:
        with urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers["Content-Type"]
    except HTTPError as error:
        return error.code, error.read(), error.headers["Content-Type"]


def test_urllib_client_posts_and_reads_back(live):
    fields = [("api_key", live.key), ("service_code", "010102"), ("lat", "0.5"), ("long", "0.5"),
              ("description", "路面有个大坑"), ("attribute[DAMAGE]", "hole"),
              ("attribute[LANES][]", "1"), ("attribute[LANES][]", "2"), ("email", "a@example.com")]
    status, body, ctype = post_form(f"{live.root}/requests.json", fields)
    assert (status, ctype) == (200, "application/json; charset=utf-8")
    answer = json.loads(body)
    validate("post-response", answer)
    request_id = answer[0]["service_request_id"]

    status, body, ctype = post_form(f"{live.root}/requests.xml", fields[:1] + [("service_code", "010101"), ("address_string", "金茂社区")])
    assert status == 200 and ctype == "text/xml; charset=utf-8"
    assert ElementTree.fromstring(body).find("request/service_request_id").text.startswith("OP")

    with urlopen(f"{live.root}/requests/{request_id}.json", timeout=30) as response:
        item = json.loads(response.read())[0]
    assert item["service_code"] == "010102" and item["status"] == "open"

    status, body, _ = post_form(f"{live.root}/requests.json", [("api_key", "bad"), ("service_code", "010101")])
    assert status == 403 and json.loads(body)[0]["code"] == 403


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_library_unchanged(live, output_format):
    georeport = pytest.importorskip("georeport", reason="pip install georeport (test extra) to run the PyPI client")
    post_form(f"{live.root}/requests.json", [("api_key", live.key), ("service_code", "010101"), ("lat", "0.5"),
                                              ("long", "0.5"), ("description", "夜间施工噪音")])
    client = georeport.GeoReport(live.root, output_format=output_format)

    services = client.get_service_list()
    assert sorted(s["service_code"] for s in services) == ["010101", "010102"]
    definition = client.get_service_definition("010102")
    assert definition["service_code"] == "010102"

    requests = client.get_service_requests(service_code="010101", status="open", start_date="2026-03-01T00:00:00Z",
                                           end_date="2026-03-03T00:00:00Z")
    # xmltodict gives a single <request> as a dict, several as a list: that is the library's own convention.
    requests = requests if isinstance(requests, list) else [requests]
    assert [r["service_name"] for r in requests] == ["噪音扰民"]
    one = client.get_service_request(requests[0]["service_request_id"])
    assert one["service_request_id"] == requests[0]["service_request_id"] and one["status"] == "open"
