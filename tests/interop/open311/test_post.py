"""POST requests: tickets enter the normal lifecycle on channel open311; bad input is refused and creates nothing."""

import pytest

from gridgov.accounts.models import RoleGrant
from gridgov.interop.open311 import keys
from gridgov.interop.open311.models import ServiceRequestRecord
from gridgov.tickets.models import Ticket, TimelineEvent
from tests.interop.open311.conftest import post_request

GOOD = {"service_code": "010101", "lat": "0.5", "long": "0.5", "description": "噪音扰民"}


def test_ticket_received_on_channel_open311_by_the_clients_system_user(o311, submit):
    answer = submit(first_name="三", last_name="张", phone="(138) 0013 8000", email="z@example.com",
                    device_id="dev-1", account_id="acc-9", media_url="http://example.com/p.jpg")
    ticket = Ticket.objects.get(number=answer["service_request_id"])
    assert ticket.channel_id == "open311" and ticket.state == "received" and ticket.category.code == "010101"
    assert ticket.area_id == "430104001001001" and ticket.routing_reason
    assert ticket.citizen_name == "张三" and ticket.citizen_phone == "13800138000"
    assert ticket.created_by == o311.client.user and ticket.title == "噪音扰民：楼下KTV每晚噪音到凌晨两点"
    assert "http://example.com/p.jpg" in ticket.description
    record = ticket.open311_request
    assert (record.client, record.email, record.device_id, record.account_id) == (o311.client, "z@example.com", "dev-1", "acc-9")
    event = TimelineEvent.objects.get(ticket=ticket)
    assert event.verb == "receive" and event.actor == o311.client.user


def test_attributes_validated_stored_and_shown_to_staff(o311, submit):
    answer = submit(service_code="010102", **{"attribute[DAMAGE]": "hole", "attribute[SIZE]": "2.5",
                                              "attribute[LANES][]": ["1", "2"]})
    ticket = Ticket.objects.get(number=answer["service_request_id"])
    assert ticket.open311_request.attributes == {"DAMAGE": "hole", "SIZE": "2.5", "LANES": ["1", "2"]}
    assert "破损类型：坑洞" in ticket.description and "影响车道：一车道、二车道" in ticket.description
    assert ticket.suggested_lead == o311.world.dept_city  # routed by the normal rule: department lead


def test_address_string_and_address_id_are_locations(o311, submit):
    by_address = Ticket.objects.get(number=submit(lat="", long="", address_string="望月湖街道金茂社区")["service_request_id"])
    assert by_address.address == "望月湖街道金茂社区" and by_address.lat is None
    by_id = Ticket.objects.get(number=submit(lat="", long="", address_id="430104102001001")["service_request_id"])
    assert by_id.area_id == "430104102001001"


def test_api_key_may_come_in_the_query_string(client, o311):
    response = client.post(f"/open311/v2/requests.json?api_key={o311.key}", GOOD)
    assert response.status_code == 200


def _refused(client, key, status, expect_words, **fields):
    before = Ticket.objects.count()
    response = post_request(client, key, **fields)
    assert response.status_code == status, response.content.decode()
    text = " ".join(e["description"] for e in response.json())
    assert all(w in text for w in expect_words), text
    assert all(e["code"] == status for e in response.json())
    assert Ticket.objects.count() == before and ServiceRequestRecord.objects.count() == 0


@pytest.mark.parametrize("fields,status,words", [
    ({**GOOD, "service_code": ""}, 400, ["service_code"]),
    ({**GOOD, "service_code": "999999"}, 404, ["999999"]),
    ({**GOOD, "service_code": "020101"}, 404, ["020101"]),  # exists, but not public
    ({"service_code": "010101", "description": "x"}, 400, ["location"]),
    ({**GOOD, "lat": "abc"}, 400, ["lat/long"]),
    ({**GOOD, "lat": "91"}, 400, ["lat/long"]),
    ({**GOOD, "long": "nan"}, 400, ["lat/long"]),
    ({**GOOD, "long": ""}, 400, ["lat and long"]),
    ({**GOOD, "address_id": "999"}, 400, ["address_id"]),
    ({**GOOD, "email": "not-an-email"}, 400, ["email"]),
    ({**GOOD, "media_url": "javascript:alert(1)"}, 400, ["media_url"]),
    ({**GOOD, "description": "长" * 4001}, 400, ["4000"]),
    ({**GOOD, "phone": "call me maybe"}, 400, ["联系电话"]),  # the domain's own check, in its Chinese words
    ({**GOOD, "service_code": "010102"}, 400, ["attribute[DAMAGE] is required"]),
    ({**GOOD, "service_code": "010102", "attribute[DAMAGE]": "flood"}, 400, ["unknown key flood"]),
    ({**GOOD, "service_code": "010102", "attribute[DAMAGE]": "hole", "attribute[SIZE]": "big"}, 400, ["number"]),
    ({**GOOD, "service_code": "010102", "attribute[DAMAGE]": "hole", "attribute[LANES][]": ["3"]}, 400, ["unknown keys 3"]),
    ({**GOOD, "service_code": "010102", "attribute[DAMAGE]": "hole", "attribute[COLOR]": "red"}, 400, ["COLOR"]),
    ({**GOOD, "service_code": "010102", "attribute[DAMAGE][]": ["hole", "crack"]}, 400, ["one value"]),
    # PostgreSQL refuses NUL in text and jsonb: refused up front, naming the field, on every database.
    ({**GOOD, "description": "噪音\x00扰民"}, 400, ["description", "NUL"]),
    ({**GOOD, "address_string": "金茂\x00社区"}, 400, ["address_string", "NUL"]),
    ({**GOOD, "service_code": "010101\x00"}, 400, ["service_code", "NUL"]),
    ({**GOOD, "service_code": "010102", "attribute[DAMAGE]": "hole", "attribute[NOTE2]": "\x00"}, 400, ["attribute[NOTE2]", "NUL"]),
])
def test_bad_input_is_refused_with_spec_errors_and_creates_nothing(client, o311, fields, status, words):
    _refused(client, o311.key, status, words, **fields)


def test_several_problems_are_named_at_once(client, o311):
    response = post_request(client, o311.key, service_code="010102", lat="x", long="1", email="bad")
    assert response.status_code == 400 and len(response.json()) == 3  # lat/long, email, DAMAGE required
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("key", ["", "o311_wrong", None])
def test_missing_or_wrong_key_is_403(client, o311, key):
    data = dict(GOOD) if key is None else {**GOOD, "api_key": key}
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code == 403 and response.json()[0]["code"] == 403
    assert Ticket.objects.count() == 0


def test_revoked_key_is_403_and_rekeying_works(client, o311):
    keys.revoke("城市随手拍")
    _refused(client, o311.key, 403, ["api_key"], **GOOD)
    _client, new_key = keys.issue("城市随手拍")
    assert post_request(client, new_key, **GOOD).status_code == 200
    assert post_request(client, o311.key, **GOOD).status_code == 403


def test_nul_in_a_field_is_refused_by_field():
    from gridgov.interop.open311.actions import _field
    from gridgov.interop.open311.render import Open311Error

    with pytest.raises(Open311Error) as caught:
        _field({"phone": "138\x00"}, "phone", 30)
    assert caught.value.status == 400 and "phone" in caught.value.descriptions[0]


def test_post_grants_nothing_and_without_a_grant_is_a_503(client, o311):
    grants = RoleGrant.objects.filter(user=o311.client.user)
    assert grants.count() == 1
    assert post_request(client, o311.key, **GOOD).status_code == 200
    grants.delete()  # an administrator withdraws the client's receiving grant
    refused = post_request(client, o311.key, **GOOD)
    assert refused.status_code == 503 and refused.json()[0]["code"] == 503
    assert "administrator" in refused.json()[0]["description"]
    assert not grants.exists() and Ticket.objects.count() == 1  # the grant is not silently restored
    xml = post_request(client, o311.key, fmt="xml", **GOOD)
    assert xml.status_code == 503 and b"<errors><error><code>503</code>" in xml.content


def test_post_on_an_unknown_channel_setup_is_a_400_not_a_crash(client, o311):
    from gridgov.tickets.models import Channel

    Channel.objects.filter(code="open311").update(active=False)
    _refused(client, o311.key, 400, ["渠道"], **GOOD)


def test_get_never_shows_personal_data(client, o311, submit):
    request_id = submit(first_name="三", last_name="张", phone="13800138000", email="zhang@example.com",
                        device_id="dev-1", description="请联系我 13800138000")["service_request_id"]
    for path in ("requests.json?extensions=true", f"requests/{request_id}.xml?extensions=true", "requests.xml"):
        body = client.get(f"/open311/v2/{path}").content.decode()
        for secret in ("张三", "13800138000", "zhang@example.com", "dev-1"):
            assert secret not in body, (path, secret)
