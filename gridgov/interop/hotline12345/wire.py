"""The city 12345 wire format in one place: field names, value codes, parsing, serialising and signing.

A deployment whose city names its fields differently edits the tables at the top (FIELDS,
URGENCY, EVENT_CODES) or, for deeper differences, `parse_order` and `serialize_event`;
nothing else in the adapter knows the city's JSON. docs/hotline12345.md documents the schema.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

# Our name → the city's JSON key, for work orders (inbound, push and pull).
FIELDS: dict[str, str] = {
    "order_no": "orderNo",
    "category_code": "categoryCode",
    "category_name": "categoryName",
    "title": "title",
    "content": "content",
    "address": "address",
    "lon": "lon",
    "lat": "lat",
    "citizen_name": "citizenName",
    "citizen_phone": "citizenPhone",
    "urgency": "urgency",
    "deadline": "deadline",
    "accepted_at": "acceptedAt",
}
REQUIRED = ("order_no", "category_code", "content")

# The city's urgency values → ours; anything absent keeps the responsibility list's default.
URGENCY: dict[str, str] = {"紧急": "urgent", "urgent": "urgent", "1": "urgent", "一般": "normal", "normal": "normal", "0": "normal"}

# Our timeline verbs that go back to the city → the city's event code and its Chinese name.
EVENT_CODES: dict[str, tuple[str, str]] = {
    "sign": ("SIGN", "签收"),
    # The lead unit hands the ticket back to the district centre, which dispatches it again (or rejects it).
    # The platform has no action that hands an order back to the city, so RETURN is informational: the order
    # stays with the district and the city next hears a fresh SIGN (or a REJECT) on the same order.
    "return": ("RETURN", "回退"),
    "reject": ("REJECT", "不予受理"),
    "request_extension": ("EXTENSION_REQUEST", "延期申请"),
    "report": ("REPORT", "办理反馈"),
    "close": ("CLOSE", "办结"),
    # 并单: the order is finished here as part of another ticket; the city hears CLOSE naming that ticket.
    "merge": ("CLOSE", "办结"),
}
# The city sees RETURN for a unit's return to the centre; this is what the event means (docs/hotline12345.md).
RETURN_MEANING = "承办单位回退至中心，中心将重新派单"

# Headers of every signed request in both directions.
TIMESTAMP_HEADER = "X-12345-Timestamp"
SIGNATURE_HEADER = "X-12345-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"

# Times without an offset are the city's wall clock.
CITY_TZ = ZoneInfo("Asia/Shanghai")

LIMITS = {"title": 200, "address": 200, "citizen_name": 50}


class WireError(ValueError):
    """A message that does not follow the schema; `field` names the city's key."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class SignatureError(Exception):
    """A request whose timestamp or signature is missing, stale or wrong."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Order:
    """A city work order as the adapter understands it."""

    order_no: str
    category_code: str
    content: str
    title: str = ""
    category_name: str = ""
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    citizen_name: str = ""
    citizen_phone: str = ""
    urgency: str | None = None
    deadline: datetime | None = None
    accepted_at: datetime | None = None
    raw: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class StatusEvent:
    """A status change of an order going back to the city."""

    message_id: str
    order_no: str
    ticket_no: str
    event: str
    at: datetime
    unit: str = ""
    opinion: str = ""
    extension_amount: str = ""
    extension_unit: str = ""


def _nul_key(value, key: str = "") -> str | None:
    """Return the city key under which a NUL character hides anywhere in `value` (keys included), else None."""
    if isinstance(value, str):
        return key if "\x00" in value else None
    if isinstance(value, dict):
        for k, v in value.items():
            name = key or str(k).replace("\x00", "\\u0000")
            if "\x00" in str(k):
                return name
            found = _nul_key(v, name)
            if found is not None:
                return found
    elif isinstance(value, list):
        for v in value:
            found = _nul_key(v, key)
            if found is not None:
                return found
    return None


def strip_nul(value):
    """Return `value` with every NUL character removed from its strings and keys (to store a refused body)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {strip_nul(str(k)): strip_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_nul(v) for v in value]
    return value


def _text(data: dict, name: str) -> str:
    value = data.get(FIELDS[name])
    if value is None:
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise WireError(FIELDS[name], f"字段 {FIELDS[name]} 必须是字符串")
    text = str(value).strip()
    if "\x00" in text:
        # PostgreSQL stores no NUL in text or jsonb: refuse it here rather than fail at the database.
        raise WireError(FIELDS[name], f"字段 {FIELDS[name]} 含有空字符（\\u0000）")
    return text[: LIMITS[name]] if name in LIMITS else text


def _number(data: dict, name: str) -> float | None:
    value = data.get(FIELDS[name])
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise WireError(FIELDS[name], f"字段 {FIELDS[name]} 必须是数字") from None
    if number != number or isinstance(value, bool):
        raise WireError(FIELDS[name], f"字段 {FIELDS[name]} 必须是数字")
    return number


def _time(data: dict, name: str) -> datetime | None:
    value = data.get(FIELDS[name])
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise WireError(FIELDS[name], f"字段 {FIELDS[name]} 必须是 ISO 8601 时间") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=CITY_TZ)


def parse_order(data) -> Order:
    """Turn the city's JSON object into an Order, or raise WireError naming the offending key."""
    if not isinstance(data, dict):
        raise WireError("", "工单必须是 JSON 对象")
    # The whole body is kept (InboundOrder.payload, jsonb): a NUL in any key, even an unknown one, is refused.
    bad = _nul_key(data)
    if bad is not None:
        raise WireError(bad, f"字段 {bad} 含有空字符（\\u0000）")
    values = {name: _text(data, name) for name in ("order_no", "category_code", "category_name", "title", "content",
                                                   "address", "citizen_name", "citizen_phone", "urgency")}
    for name in REQUIRED:
        if not values[name]:
            raise WireError(FIELDS[name], f"缺少必填字段 {FIELDS[name]}")
    if len(values["order_no"]) > 64:
        raise WireError(FIELDS["order_no"], "工单编号超过64个字符")
    urgency = values.pop("urgency")
    if urgency and urgency not in URGENCY:
        raise WireError(FIELDS["urgency"], f"无法识别的紧急程度：{urgency}")
    # Hotline operators type phone numbers with spaces and brackets; the platform stores digits.
    phone = "".join(ch for ch in values.pop("citizen_phone") if ch not in " ()（）")
    # The city often leaves the title empty: the start of the content is what staff would write.
    title = values.pop("title") or values["content"].splitlines()[0][:30]
    return Order(**values, title=title, citizen_phone=phone, urgency=URGENCY.get(urgency),
                 lon=_number(data, "lon"), lat=_number(data, "lat"),
                 deadline=_time(data, "deadline"), accepted_at=_time(data, "accepted_at"), raw=dict(data))


def serialize_order(order: Order) -> dict:
    """Return the city's JSON for an Order (the inverse of parse_order, used by tools and tests)."""
    back = {v: k for k, v in URGENCY.items() if not k.isdigit() and k.isascii()}
    values = {
        "order_no": order.order_no, "category_code": order.category_code, "category_name": order.category_name,
        "title": order.title, "content": order.content, "address": order.address, "lon": order.lon, "lat": order.lat,
        "citizen_name": order.citizen_name, "citizen_phone": order.citizen_phone,
        "urgency": back.get(order.urgency) if order.urgency else None,
        "deadline": order.deadline.isoformat() if order.deadline else None,
        "accepted_at": order.accepted_at.isoformat() if order.accepted_at else None,
    }
    return {FIELDS[k]: v for k, v in values.items() if v not in (None, "")}


def serialize_event(event: StatusEvent) -> dict:
    """Return the city's JSON for a status change."""
    code, name = EVENT_CODES[event.event]
    body = {
        "messageId": event.message_id, "orderNo": event.order_no, "ticketNo": event.ticket_no,
        "event": code, "eventName": name, "occurredAt": event.at.astimezone(CITY_TZ).isoformat(),
        "unit": event.unit, "opinion": event.opinion,
    }
    if event.event == "request_extension":
        body["extension"] = {"amount": event.extension_amount, "unit": event.extension_unit}
    return body


def parse_event(data: dict) -> StatusEvent:
    """Turn a status-change JSON back into a StatusEvent (for the city's side: tools, tests).

    Codes shared by several verbs (CLOSE: close and merge) read back as the first verb listed.
    """
    verbs: dict[str, str] = {}
    for verb, (code, _name) in EVENT_CODES.items():
        verbs.setdefault(code, verb)
    ext = data.get("extension") or {}
    return StatusEvent(message_id=data["messageId"], order_no=data["orderNo"], ticket_no=data["ticketNo"],
                       event=verbs[data["event"]], at=datetime.fromisoformat(data["occurredAt"]), unit=data.get("unit", ""),
                       opinion=data.get("opinion", ""), extension_amount=ext.get("amount", ""), extension_unit=ext.get("unit", ""))


def parse_pull_page(data) -> tuple[list, str | None, bool]:
    """Return (orders, next cursor, whether more pages follow) from the city's answer to a poll."""
    if not isinstance(data, dict) or not isinstance(data.get("orders"), list):
        raise WireError("orders", "拉取结果必须是含 orders 数组的 JSON 对象")
    cursor = data.get("cursor")
    return data["orders"], (str(cursor) if cursor not in (None, "") else None), bool(data.get("hasMore"))


def encode(body: dict) -> bytes:
    """Serialise a JSON body the one way both signer and sender use."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over `timestamp + "." + body`, hex; for GET the body is the query string."""
    return hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def sign_headers(secret: str, body: bytes, now: float) -> dict[str, str]:
    """Return the timestamp and signature headers for a request sent at `now` (Unix seconds)."""
    timestamp = str(int(now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(secret: str, timestamp: str | None, sig: str | None, body: bytes, now: float, tolerance: int = 300) -> None:
    """Raise SignatureError unless the request was signed with `secret` within `tolerance` seconds of `now`."""
    if not timestamp or not sig:
        raise SignatureError("missing_signature", f"缺少签名请求头 {TIMESTAMP_HEADER} / {SIGNATURE_HEADER}")
    try:
        sent = int(timestamp)
    except ValueError:
        raise SignatureError("bad_timestamp", "时间戳必须是 Unix 秒数") from None
    # A replay outside the window is refused; inside it, intake is idempotent anyway.
    if abs(now - sent) > tolerance:
        raise SignatureError("stale_timestamp", f"请求时间戳与服务器时间相差超过{tolerance // 60}分钟")
    if not hmac.compare_digest(signature(secret, timestamp, body), sig.strip().lower()):
        raise SignatureError("bad_signature", "签名校验失败")
