"""The intake endpoint: signatures, mapping, idempotency, errors (Django test client)."""

import json
from datetime import datetime, timezone

import pytest

from gridgov.core import clock
from gridgov.interop.hotline12345.intake import receive_order
from gridgov.interop.hotline12345.models import CategoryMapping, InboundOrder
from gridgov.interop.hotline12345.wire import parse_order
from gridgov.tickets.models import Ticket, TimelineEvent
from tests.interop.hotline12345.conftest import order_json, post_order, signed

URL = "/interop/12345/orders"


def _error(resp):
    return json.loads(resp.content)["error"]


def test_push_creates_a_ticket_with_the_city_fields_mapped(client, gateway):
    resp = post_order(client, order_json())
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["created"] is True
    t = Ticket.objects.get(number=body["ticket"])
    assert (t.channel_id, t.external_id, t.category, t.title) == ("h12345", "SZ20260302000123", gateway.cat_noise, "夜间施工噪音")
    assert (t.lon, t.lat, t.area, t.citizen_name, t.citizen_phone) == (0.5, 0.5, gateway.grid_a1, "张三", "13800000000")
    assert t.created_by.username == "hotline12345"
    order = InboundOrder.objects.get(ticket=t)
    assert order.city_deadline == datetime(2026, 3, 9, 10, 0, tzinfo=timezone.utc)
    assert order.source == "push" and order.payload["categoryName"] == "噪音扰民"


def test_urgency_and_second_mapping_row_apply(client, gateway):
    body = post_order(client, order_json("SZ2", categoryCode="B0201", urgency="紧急")).json()
    t = Ticket.objects.get(number=body["ticket"])
    assert t.category == gateway.cat_wages and t.urgency == "urgent"


def test_unmapped_city_code_goes_to_the_fallback_category(client, gateway):
    body = post_order(client, order_json("SZ3", categoryCode="Z9999")).json()
    assert Ticket.objects.get(number=body["ticket"]).category == gateway.cat_road


def test_unmapped_code_without_fallback_is_refused_and_nothing_created(client, gateway):
    CategoryMapping.objects.filter(city_code="*").delete()
    resp = post_order(client, order_json("SZ4", categoryCode="Z9999"))
    assert resp.status_code == 422
    err = _error(resp)
    assert err["code"] == "invalid_input" and "Z9999" in err["message"] and err["details"]["field"] == "categoryCode"
    assert not Ticket.objects.exists()


def test_retried_push_returns_the_same_ticket(client, gateway):
    first = post_order(client, order_json()).json()
    for _ in range(3):
        again = post_order(client, order_json(title="标题被改也不另建")).json()
        assert again == {"ticket": first["ticket"], "created": False}
    assert Ticket.objects.count() == 1 and InboundOrder.objects.count() == 1
    assert TimelineEvent.objects.filter(verb="receive").count() == 1


def test_a_duplicate_losing_the_insert_race_gets_the_winners_ticket(gateway, monkeypatch):
    """The look-up before creating misses a ticket committed a moment later: the unique constraint decides."""
    from gridgov.interop.hotline12345 import intake

    winner, _ = receive_order(parse_order(order_json()))
    real, calls = intake._existing, []

    def blind_first_look(order_no):
        calls.append(order_no)
        return None if len(calls) == 1 else real(order_no)

    monkeypatch.setattr(intake, "_existing", blind_first_look)
    ticket, created = receive_order(parse_order(order_json()))
    assert (ticket.pk, created) == (winner.pk, False)
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize("kw, code", [
    ({"secret": "wrong"}, "bad_signature"),
    ({"at": 0}, "stale_timestamp"),
])
def test_bad_signature_or_stale_timestamp_is_401_and_creates_nothing(client, gateway, kw, code):
    resp = post_order(client, order_json(), **kw)
    assert resp.status_code == 401
    assert _error(resp)["code"] == code and _error(resp)["message"]
    assert not Ticket.objects.exists()


def test_stale_by_just_over_five_minutes(client, gateway):
    resp = post_order(client, order_json(), at=clock.now().timestamp() - 301)
    assert resp.status_code == 401 and _error(resp)["code"] == "stale_timestamp"


def test_body_changed_after_signing_is_refused(client, gateway):
    raw, headers = signed(order_json())
    tampered = raw.replace("张三".encode(), "李四".encode())
    resp = client.post(URL, data=tampered, content_type="application/json", **headers)
    assert resp.status_code == 401 and _error(resp)["code"] == "bad_signature"
    assert not Ticket.objects.exists()


def test_unsigned_request_is_refused(client, gateway):
    resp = client.post(URL, data=json.dumps(order_json()), content_type="application/json")
    assert resp.status_code == 401 and _error(resp)["code"] == "missing_signature"


def test_invalid_json_and_invalid_order_are_400(client, gateway):
    raw, headers = signed(b"{not json")
    resp = client.post(URL, data=raw, content_type="application/json", **headers)
    assert resp.status_code == 400 and _error(resp)["code"] == "invalid_json"
    resp = post_order(client, order_json(orderNo=""))
    assert resp.status_code == 400 and _error(resp) == {"code": "invalid_order", "message": "缺少必填字段 orderNo", "details": {"field": "orderNo"}}
    assert not Ticket.objects.exists()


def test_domain_refusal_names_the_city_key(client, gateway):
    resp = post_order(client, order_json(citizenPhone="call me"))
    assert resp.status_code == 422 and _error(resp)["details"]["field"] == "citizenPhone"


def test_only_post_is_allowed(client, gateway):
    resp = client.get(URL)
    assert resp.status_code == 405 and resp["Allow"] == "POST" and _error(resp)["code"] == "method_not_allowed"


def test_without_secret_the_endpoint_refuses(client, gateway, settings):
    settings.GRIDGOV_12345_SECRET = ""
    resp = post_order(client, order_json())
    assert resp.status_code == 503 and _error(resp)["code"] == "not_configured"


def test_without_the_system_account_the_endpoint_says_so(client, world, h12345):
    resp = post_order(client, order_json())
    assert resp.status_code == 503 and "hotline12345" in _error(resp)["message"]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("over", [{"content": "工地\u0000夜间施工"}, {"remark": "备注\u0000"}])
def test_a_nul_character_is_a_400_naming_the_key_and_nothing_is_created(client, gateway, over):
    resp = post_order(client, {**order_json("SZ-NUL"), **over})
    assert resp.status_code == 400, resp.content
    err = _error(resp)
    assert err["code"] == "invalid_order" and err["details"]["field"] == next(iter(over)) and "空字符" in err["message"]
    assert not Ticket.objects.exists() and not InboundOrder.objects.exists()
