"""Every endpoint's XML answer: declaration, content type, and the element names and nesting of the spec's examples."""

from xml.etree import ElementTree

import pytest

XML = "text/xml; charset=utf-8"
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
                  "address", "address_id", "zipcode", "lat", "long", "media_url"]


def xml(response, status=200):
    """Check the wire details and return the parsed document element."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == XML
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)


def children(element) -> list[str]:
    return [child.tag for child in element]


def test_discovery(client, o311):
    root = xml(client.get("/open311/v2/discovery.xml"))
    assert root.tag == "discovery"
    assert children(root) == ["changeset", "contact", "key_service", "endpoints"]
    (endpoint,) = root.find("endpoints")
    assert endpoint.tag == "endpoint"
    assert children(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert [f.text for f in endpoint.find("formats").findall("format")] == ["text/xml", "application/json"]


def test_services(client, o311):
    root = xml(client.get("/open311/v2/services.xml"))
    assert root.tag == "services" and children(root) == ["service", "service"]
    road = root[1]
    assert children(road) == ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
    assert road.findtext("metadata") == "true" and road.findtext("type") == "realtime"
    assert road.findtext("group") == "城市管理" and root[0].findtext("metadata") == "false"


def test_service_definition(client, o311):
    root = xml(client.get("/open311/v2/services/010102.xml"))
    assert root.tag == "service_definition" and children(root) == ["service_code", "attributes"]
    attrs = root.find("attributes")
    assert children(attrs) == ["attribute"] * 4
    damage = attrs[0]
    assert children(damage) == ["variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"]
    assert [(v.findtext("key"), v.findtext("name")) for v in damage.find("values").findall("value")] == [("hole", "坑洞"), ("crack", "裂缝")]
    assert damage.find("datatype_description").text is None  # empty element, like the spec's example


def test_post_then_get_request_and_token(client, o311):
    from gridgov.interop.open311.models import ServiceRequestRecord

    root = xml(client.post("/open311/v2/requests.xml", {
        "api_key": o311.key, "service_code": "010102", "lat": "0.5", "long": "0.5", "description": "路面塌陷一个大坑",
        "attribute[DAMAGE]": "hole", "attribute[LANES][]": ["1", "2"]}))
    assert root.tag == "service_requests" and children(root) == ["request"]
    assert children(root[0]) == ["service_request_id", "service_notice", "account_id"]
    request_id = root[0].findtext("service_request_id")
    assert root[0].find("account_id").text is None  # <account_id/>

    listed = xml(client.get("/open311/v2/requests.xml"))
    assert listed.tag == "service_requests" and children(listed) == ["request"]
    assert children(listed[0]) == REQUEST_FIELDS
    one = xml(client.get(f"/open311/v2/requests/{request_id}.xml"))
    assert children(one[0]) == REQUEST_FIELDS and one[0].findtext("status") == "open"
    assert one[0].findtext("requested_datetime") == "2026-03-02T10:00:00+08:00"

    token = ServiceRequestRecord.objects.get(ticket__number=request_id).token
    resolved = xml(client.get(f"/open311/v2/tokens/{token}.xml"))
    assert resolved.tag == "service_requests" and children(resolved[0]) == ["service_request_id", "token"]
    assert resolved[0].findtext("service_request_id") == request_id


def test_extended_attributes_nest_as_elements(client, o311):
    client.post("/open311/v2/requests.xml", {"api_key": o311.key, "service_code": "010102", "address_string": "金茂社区",
                                             "attribute[DAMAGE]": "crack"})
    root = xml(client.get("/open311/v2/requests.xml", {"extensions": "true"}))
    extended = root[0].find("extended_attributes")
    assert children(root[0]) == REQUEST_FIELDS + ["extended_attributes"]
    note = extended.find("status_notes").find("status_note")
    assert children(note) == ["datetime", "type", "description"] and note.findtext("type") == "receive"
    assert extended.find("attributes").find("attribute").findtext("value") == "crack"


@pytest.mark.parametrize("path,status", [
    ("requests/NOPE.xml", 404), ("tokens/NOPE.xml", 404), ("services/NOPE.xml", 404), ("nothing-here", 404),
    ("requests.xml?status=pending", 400),
])
def test_errors_document(client, o311, path, status):
    root = xml(client.get(f"/open311/v2/{path}"), status)
    assert root.tag == "errors" and children(root)[0] == "error"
    assert children(root[0]) == ["code", "description"] and root[0].findtext("code") == str(status)


def test_bad_key_is_403_in_xml(client, o311):
    root = xml(client.post("/open311/v2/requests.xml", {"api_key": "wrong", "service_code": "010101"}), 403)
    assert root[0].findtext("code") == "403" and "api_key" in root[0].findtext("description")


def test_wrong_method_is_405_in_spec_format(client, o311):
    root = xml(client.delete("/open311/v2/services.xml"), 405)
    assert root[0].findtext("code") == "405"
