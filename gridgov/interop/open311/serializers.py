"""Services, service definitions and service requests as GeoReport v2 documents; no personal data ever leaves."""

import re

from django.conf import settings

from gridgov.interop.open311.render import w3c
from gridgov.tickets.deadlines import LIMIT_UNIT_LABELS
from gridgov.tickets.states import DONE_STATES, TicketState, verb_label

CHANNEL = "open311"
# Channels whose tickets GET publishes. Only a request posted through Open311 was published by the citizen; a deployment
# may add others (e.g. "h12345"), whose tickets then show no title, no address and only a rounded point.
PUBLIC_CHANNELS_SETTING = "GRIDGOV_OPEN311_PUBLIC_CHANNELS"
COARSE_DIGITS = 3  # decimals of a published point of another channel: about 100 m
# Digit runs as long as a phone or ID number are masked in any free text shown to the public.
_LONG_DIGITS = re.compile(r"\d[\d\- ]{5,}\d")
# Timeline steps a citizen may follow; returns, extensions asked or denied, callbacks and investigations stay internal.
PUBLIC_VERBS = ("receive", "dispatch", "sign", "report", "close", "rework", "reject", "merge", "unmerge",
                "approve_extension", "reopen")
NOTED_VERBS = ("report", "close", "reject")  # whose note is written for the citizen


def published_channels() -> tuple[str, ...]:
    """The channel codes whose tickets GET requests publishes (setting GRIDGOV_OPEN311_PUBLIC_CHANNELS)."""
    return tuple(getattr(settings, PUBLIC_CHANNELS_SETTING, (CHANNEL,)))


def self_published(ticket) -> bool:
    """Whether the citizen posted this request through Open311 themselves (and so published its text and place)."""
    return ticket.channel_id == CHANNEL


def scrub(text: str | None) -> str:
    """Mask phone- or ID-like digit runs in text meant for the public."""
    return _LONG_DIGITS.sub(lambda m: m.group()[:2] + "*" * (len(m.group()) - 4) + m.group()[-2:], text or "")


def status_of(ticket) -> str:
    """open or closed as GeoReport defines them: closed once the centre is done with it (closed, rejected, merged)."""
    return "closed" if ticket.state in DONE_STATES else "open"


def category_path(category) -> list:
    """Return the category and its ancestors, root first (parents must be select_related)."""
    path, node = [], category
    while node is not None:
        path.insert(0, node)
        node = node.parent
    return path


def service(category, has_attributes: bool) -> dict:
    """One entry of GET services."""
    path = category_path(category)
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": " > ".join(c.name for c in path),
        "metadata": has_attributes,
        "type": "realtime",
        "keywords": ", ".join(str(k) for k in category.keywords or []) or None,
        "group": path[0].name,
    }


def attribute(attr) -> dict:
    """One attribute of a service definition."""
    item = {
        "variable": attr.variable,
        "code": attr.code,
        "datatype": attr.datatype,
        "required": attr.required,
        "datatype_description": attr.datatype_description or None,
        "order": attr.order,
        "description": attr.description,
    }
    if attr.datatype in ("singlevaluelist", "multivaluelist"):
        item["values"] = [{"key": str(v["key"]), "name": str(v["name"])} for v in attr.values or []]
    return item


def service_notice(ticket) -> str | None:
    """The handling promise from the responsibility list in force when the request was received."""
    rule = ticket.rule
    if rule is None:
        return None
    amount = f"{rule.handle_limit.normalize():f}"
    return f"按责任清单，{amount}{LIMIT_UNIT_LABELS.get(rule.handle_limit_unit, '')}内办理"


def _lead(ticket):
    """The current lead assignment, from the prefetched `leads` list."""
    return next((a for a in getattr(ticket, "leads", []) if a.round == ticket.dispatch_round), None)


def _record(ticket):
    try:
        return ticket.open311_request
    except ticket.__class__.open311_request.RelatedObjectDoesNotExist:
        return None


def status_notes(ticket) -> str:
    """Why the request is in its current status, in a line a citizen can read."""
    label = TicketState(ticket.state).label
    if ticket.state == TicketState.MERGED and ticket.parent_id:
        return f"{label}：与工单 {ticket.parent.number} 为同一诉求，合并办理"
    lead = _lead(ticket)
    if ticket.state in (TicketState.CLOSED, TicketState.REPORTED) and lead and lead.result:
        return f"{label}：{scrub(lead.result)}"
    return label


def _description(ticket) -> str:
    # Open311 reporters write for the public. Another channel's title is often the start of the call text
    # ("市民张三来电反映…"), so such a ticket shows only what was asked about: its category.
    return scrub(ticket.description)[:4000] if self_published(ticket) else ticket.category.name


def point(ticket) -> tuple[float | None, float | None]:
    """The published (lat, long): exact as posted through Open311, else rounded to COARSE_DIGITS decimals."""
    if ticket.lat is None or ticket.lon is None or self_published(ticket):
        return ticket.lat, ticket.lon
    return round(ticket.lat, COARSE_DIGITS), round(ticket.lon, COARSE_DIGITS)


def _timeline(ticket) -> list[dict]:
    notes = []
    for event in ticket.public_events:
        note = verb_label(event.verb)
        if event.verb in NOTED_VERBS and event.note:
            note += f"：{scrub(event.note)}"
        notes.append({"datetime": w3c(event.at), "type": event.verb, "description": note})
    return notes


def _extended(ticket) -> dict:
    record = _record(ticket)
    return {
        "channel": ticket.channel_id,
        "channel_name": ticket.channel.name,
        "ticket_state": ticket.state,
        "ticket_state_name": TicketState(ticket.state).label,
        "urgency": ticket.urgency,
        "area_name": ticket.area.name if ticket.area_id else None,
        # Sorted: PostgreSQL's jsonb does not keep the posted order.
        "attributes": [{"code": code, "value": ",".join(v) if isinstance(v, list) else str(v)}
                       for code, v in sorted((record.attributes if record else {}).items())],
        "status_notes": _timeline(ticket),
    }


def request(ticket, extensions: bool = False) -> dict:
    """One service request; citizen name, phone, email and device never appear, nor another channel's address."""
    lead = _lead(ticket)
    record = _record(ticket)
    closed = status_of(ticket) == "closed"
    lat, lon = point(ticket)
    item = {
        "service_request_id": ticket.number,
        "status": status_of(ticket),
        "status_notes": status_notes(ticket),
        "service_name": ticket.category.name,
        "service_code": ticket.category.code,
        "description": _description(ticket),
        "agency_responsible": lead.unit.name if lead else None,
        "service_notice": service_notice(ticket),
        "requested_datetime": w3c(ticket.received_at),
        # "For requests with status=closed, this will be the date the request was closed."
        "updated_datetime": w3c((ticket.closed_at if closed else None) or ticket.updated_at),
        "expected_datetime": w3c(ticket.handle_deadline),
        "address": (ticket.address or None) if self_published(ticket) else None,
        "address_id": ticket.area_id,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": (record.media_url or None) if record else None,
    }
    if extensions:
        item["extended_attributes"] = _extended(ticket)
    return item

