"""The intake endpoint the city pushes work orders to: verify, parse, receive once, answer in JSON."""

import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from gridgov.core import clock
from gridgov.core.errors import DomainError
from gridgov.interop.hotline12345 import config, wire
from gridgov.interop.hotline12345.intake import receive_order
from gridgov.interop.hotline12345.models import InboundOrder

# do_receive names our fields; the city should read its own keys.
OUR_TO_CITY = {"category": wire.FIELDS["category_code"], "citizen_phone": wire.FIELDS["citizen_phone"],
               "urgency": wire.FIELDS["urgency"], "external_id": wire.FIELDS["order_no"]}


def error(status: int, code: str, message: str, details: dict | None = None) -> JsonResponse:
    """Return the structured error every non-200 answer uses."""
    body = {"error": {"code": code, "message": message, **({"details": details} if details else {})}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt  # the caller is a machine authenticated by its HMAC signature, not a browser session
def orders(request):
    """POST /interop/12345/orders: take in one city work order, idempotently by its order number."""
    if request.method != "POST":
        resp = error(405, "method_not_allowed", "只支持 POST")
        resp["Allow"] = "POST"
        return resp
    cfg = config.load()
    if not cfg.secret:
        return error(503, "not_configured", "未配置12345对接密钥（GRIDGOV_12345_SECRET）")
    body = request.body
    try:
        wire.verify(cfg.secret, request.headers.get(wire.TIMESTAMP_HEADER), request.headers.get(wire.SIGNATURE_HEADER),
                    body, clock.now().timestamp(), cfg.tolerance)
    except wire.SignatureError as exc:
        return error(401, exc.code, exc.message)
    try:
        data = json.loads(body.decode("utf-8"))
    except ValueError:  # includes UnicodeDecodeError
        return error(400, "invalid_json", "请求体不是合法的 JSON")
    try:
        order = wire.parse_order(data)
    except wire.WireError as exc:
        return error(400, "invalid_order", exc.message, {"field": exc.field} if exc.field else None)
    try:
        ticket, created = receive_order(order, source=InboundOrder.Source.PUSH, cfg=cfg)
    except DomainError as exc:
        details = dict(exc.details)
        if "field" in details:
            details["field"] = OUR_TO_CITY.get(details["field"], details["field"])
        return error(exc.status, exc.code, exc.message, details)
    return JsonResponse({"ticket": ticket.number, "created": created})
