"""The wire format without a database: parsing, serialising, signing."""

from datetime import datetime, timezone

import pytest

from gridgov.interop.hotline12345 import wire
from tests.interop.hotline12345.conftest import SECRET, order_json

NOW = 1_772_416_800.0  # 2026-03-02 10:00 Beijing


def test_parse_maps_every_city_field():
    o = wire.parse_order(order_json())
    assert (o.order_no, o.category_code, o.title, o.address) == ("SZ20260302000123", "A0101", "夜间施工噪音", "望月湖街道金茂社区")
    assert (o.lon, o.lat, o.citizen_name, o.citizen_phone, o.urgency) == (0.5, 0.5, "张三", "13800000000", "normal")
    assert o.deadline == datetime(2026, 3, 9, 10, 0, tzinfo=timezone.utc)
    assert o.raw["orderNo"] == "SZ20260302000123"


def test_parse_defaults_title_city_local_times_and_urgency_codes():
    o = wire.parse_order(order_json(title=None, urgency=1, deadline="2026-03-09 18:00:00", lon=None, lat=None))
    assert o.title == "金茂小区旁工地夜间施工，噪音扰民。"
    assert o.urgency == "urgent"
    assert o.deadline == datetime(2026, 3, 9, 10, 0, tzinfo=timezone.utc)
    assert o.lon is None and o.lat is None


@pytest.mark.parametrize("over, key", [
    ({"orderNo": ""}, "orderNo"), ({"categoryCode": None}, "categoryCode"), ({"content": "  "}, "content"),
    ({"lon": "东经"}, "lon"), ({"deadline": "下周"}, "deadline"), ({"urgency": "特急"}, "urgency"),
    ({"title": {"a": 1}}, "title"), ({"orderNo": "X" * 65}, "orderNo"),
])
def test_parse_refuses_bad_fields_naming_the_city_key(over, key):
    with pytest.raises(wire.WireError) as exc:
        wire.parse_order(order_json(**over))
    assert exc.value.field == key


@pytest.mark.parametrize("over, key", [
    ({"content": "噪音\x00扰民"}, "content"), ({"orderNo": "SZ\x001"}, "orderNo"), ({"citizenName": "\x00"}, "citizenName"),
    ({"remark": {"inner": ["ok", "a\x00"]}}, "remark"), ({"bad\x00key": 1}, "bad\\u0000key"),
])
def test_parse_refuses_nul_characters_anywhere_naming_the_key(over, key):
    # PostgreSQL cannot store U+0000 in text or jsonb, and the whole body is kept: refuse it as a schema error.
    with pytest.raises(wire.WireError) as exc:
        wire.parse_order({**order_json(), **over})
    assert exc.value.field == key and "\x00" not in exc.value.message and "空字符" in exc.value.message


def test_strip_nul_cleans_strings_and_keys_at_any_depth():
    assert wire.strip_nul({"a\x00": ["x\x00y", {"k": "\x00"}], "n": 1}) == {"a": ["xy", {"k": ""}], "n": 1}


def test_parse_refuses_non_objects():
    with pytest.raises(wire.WireError):
        wire.parse_order(["SZ1"])


def test_serialize_order_round_trips():
    o = wire.parse_order(order_json(urgency="紧急"))
    assert wire.parse_order(wire.serialize_order(o)) == o


def test_a_merge_goes_out_as_close_and_return_keeps_its_code():
    assert wire.EVENT_CODES["merge"] == wire.EVENT_CODES["close"] == ("CLOSE", "办结")
    assert wire.EVENT_CODES["return"] == ("RETURN", "回退")
    e = wire.StatusEvent(message_id="m1", order_no="SZ1", ticket_no="RX1", event="merge",
                         at=datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc), opinion="已并入工单 RX2，由该工单统一办理")
    body = wire.serialize_event(e)
    assert (body["event"], body["eventName"]) == ("CLOSE", "办结")
    assert wire.parse_event(body).event == "close"


def test_status_event_round_trips_and_names_the_event():
    e = wire.StatusEvent(message_id="m1", order_no="SZ1", ticket_no="RX1", event="request_extension",
                         at=datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc), unit="望月湖街道办事处", opinion="需协调",
                         extension_amount="3", extension_unit="work_days")
    body = wire.serialize_event(e)
    assert body["event"] == "EXTENSION_REQUEST" and body["eventName"] == "延期申请"
    assert body["occurredAt"] == "2026-03-02T10:00:00+08:00"
    assert body["extension"] == {"amount": "3", "unit": "work_days"}
    assert wire.parse_event(body) == e


def test_signature_accepts_a_fresh_correct_request():
    body = b'{"orderNo":"SZ1"}'
    h = wire.sign_headers(SECRET, body, NOW)
    wire.verify(SECRET, h[wire.TIMESTAMP_HEADER], h[wire.SIGNATURE_HEADER], body, NOW + 299)


@pytest.mark.parametrize("change, code", [
    (lambda h, b: (h[wire.TIMESTAMP_HEADER], h[wire.SIGNATURE_HEADER], b + b" ", NOW), "bad_signature"),
    (lambda h, b: (h[wire.TIMESTAMP_HEADER], "0" * 64, b, NOW), "bad_signature"),
    (lambda h, b: (str(int(NOW) + 1), h[wire.SIGNATURE_HEADER], b, NOW), "bad_signature"),
    (lambda h, b: (h[wire.TIMESTAMP_HEADER], h[wire.SIGNATURE_HEADER], b, NOW + 301), "stale_timestamp"),
    (lambda h, b: (h[wire.TIMESTAMP_HEADER], h[wire.SIGNATURE_HEADER], b, NOW - 301), "stale_timestamp"),
    (lambda h, b: (None, h[wire.SIGNATURE_HEADER], b, NOW), "missing_signature"),
    (lambda h, b: ("yesterday", h[wire.SIGNATURE_HEADER], b, NOW), "bad_timestamp"),
])
def test_signature_refuses_tampering_staleness_and_absence(change, code):
    body = b'{"orderNo":"SZ1"}'
    ts, sig, signed_body, now = change(wire.sign_headers(SECRET, body, NOW), body)
    with pytest.raises(wire.SignatureError) as exc:
        wire.verify(SECRET, ts, sig, signed_body, now)
    assert exc.value.code == code


def test_wrong_secret_is_a_bad_signature():
    body = b"{}"
    h = wire.sign_headers("other", body, NOW)
    with pytest.raises(wire.SignatureError, match="签名校验失败"):
        wire.verify(SECRET, h[wire.TIMESTAMP_HEADER], h[wire.SIGNATURE_HEADER], body, NOW)


def test_the_documented_meaning_of_return_is_the_one_in_the_code():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[3] / "docs" / "hotline12345.md").read_text(encoding="utf-8")
    assert wire.RETURN_MEANING in docs and "fresh `SIGN`" in docs
