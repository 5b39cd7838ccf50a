"""Every endpoint's JSON answer validated against the Open311 schemas, with the spec's content type and dates."""

import pytest
from jsonschema import ValidationError

from tests.interop.open311.schema import assert_dates, validate

JSON = "application/json; charset=utf-8"


def get(client, path, **params):
    response = client.get(f"/open311/v2/{path}", params)
    assert response["Content-Type"] == JSON, response["Content-Type"]
    return response


def test_schemas_reject_what_they_should():
    """The vendored schemas are live: a numeric id or an unknown status fails."""
    with pytest.raises(ValidationError):
        validate("requests", [{"service_request_id": 1, "status": "open", "service_code": "1",
                               "requested_datetime": "2026-01-01T00:00:00+08:00"}])
    with pytest.raises(ValidationError):
        validate("services", [{"service_code": "1", "service_name": "x", "metadata": True, "type": "later"}])


def test_discovery(client, o311):
    response = get(client, "discovery.json")
    assert response.status_code == 200
    data = response.json()
    validate("discovery", data)
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}


def test_services_lists_public_leaves_with_group_keywords_metadata(client, o311):
    data = get(client, "services.json").json()
    validate("services", data)
    by_code = {s["service_code"]: s for s in data}
    assert set(by_code) == {"010101", "010102"}  # 拖欠工资 is not public
    road = by_code["010102"]
    assert road == {"service_code": "010102", "service_name": "道路破损", "description": "城市管理 > 市容环境 > 道路破损",
                    "metadata": True, "type": "realtime", "keywords": "道路, 坑洼", "group": "城市管理"}
    assert by_code["010101"]["metadata"] is False


def test_service_definition(client, o311):
    data = get(client, "services/010102.json").json()
    validate("service-definition", data)
    assert data["service_code"] == "010102"
    assert [a["code"] for a in data["attributes"]] == ["DAMAGE", "SIZE", "LANES", "NOTE"]
    damage = data["attributes"][0]
    assert damage["values"] == [{"key": "hole", "name": "坑洞"}, {"key": "crack", "name": "裂缝"}]
    assert damage["required"] is True and damage["variable"] is True and damage["order"] == 1
    assert data["attributes"][3]["variable"] is False
    assert get(client, "services/010101.json").json() == {"service_code": "010101", "attributes": []}


@pytest.mark.parametrize("code", ["999999", "020101", "01"])
def test_service_definition_of_unknown_private_or_inner_category_is_404(client, o311, code):
    response = get(client, f"services/{code}.json")
    assert response.status_code == 404
    validate("errors", response.json())
    assert response.json()[0]["code"] == 404


def test_post_get_token_round_trip(client, o311, submit):
    from gridgov.interop.open311.models import ServiceRequestRecord

    answer = submit(account_id="u-42")
    validate("post-response", [answer])
    assert answer["account_id"] == "u-42" and answer["service_notice"] == "按责任清单，10工作日内办理"
    request_id = answer["service_request_id"]
    assert request_id.startswith("OP")

    listed = get(client, "requests.json").json()
    validate("requests", listed)
    assert [r["service_request_id"] for r in listed] == [request_id]

    one = get(client, f"requests/{request_id}.json").json()
    validate("requests", one)
    (item,) = one
    assert item["status"] == "open" and item["service_code"] == "010101" and item["service_name"] == "噪音扰民"
    assert item["lat"] == 0.5 and item["long"] == 0.5 and item["address_id"] == "430104001001001"
    assert item["requested_datetime"] == "2026-03-02T10:00:00+08:00"
    assert_dates(item, "requested_datetime", "updated_datetime", "expected_datetime")

    token = ServiceRequestRecord.objects.get(ticket__number=request_id).token
    resolved = get(client, f"tokens/{token}.json").json()
    validate("token", resolved)
    assert resolved == [{"service_request_id": request_id, "token": token}]


def test_extensions_validate_too(client, o311, submit):
    request_id = submit()["service_request_id"]
    data = get(client, "requests.json", extensions="true").json()
    validate("requests", data)
    assert data[0]["service_request_id"] == request_id
    assert data[0]["extended_attributes"]["status_notes"][0]["type"] == "receive"


def test_errors_validate(client, o311):
    for response in (client.post("/open311/v2/requests.json", {"api_key": "nope", "service_code": "010101"}),
                     get(client, "requests/NOPE.json"), get(client, "tokens/NOPE.json"),
                     get(client, "requests.json", start_date="yesterday"), get(client, "unknown.json")):
        assert response["Content-Type"] == JSON
        validate("errors", response.json())
        assert response.json()[0]["code"] == response.status_code
