"""GeoReport v2 wire formats: JSON and schemaless XML (Spark convention), the errors document and W3C dates."""

import json
import re
from datetime import datetime
from xml.etree.ElementTree import Element, SubElement, tostring

from django.http import HttpResponse

from gridgov.core.clock import LOCAL_TZ

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The element name of one item of a list, as the specification's XML examples spell it.
ITEM_NAMES = {
    "services": "service", "attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format",
    "service_requests": "request", "errors": "error", "status_notes": "status_note",
}
# XML 1.0 cannot carry most control characters, even escaped; they are dropped rather than break the document.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    """A refused request, answered with the errors document and an HTTP status."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = list(descriptions)


def w3c(moment: datetime | None) -> str | None:
    """Format an aware datetime as W3C/ISO 8601 with the Asia/Shanghai offset, e.g. 2026-03-02T10:00:00+08:00."""
    return moment.astimezone(LOCAL_TZ).isoformat(timespec="seconds") if moment else None


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return _XML_ILLEGAL.sub("", str(value))


def _item_name(name: str) -> str:
    return ITEM_NAMES.get(name, name[:-1] if name.endswith("s") else f"{name}_item")


def _fill(element: Element, value) -> None:
    if value is None:
        return
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(SubElement(element, key), child)
    elif isinstance(value, list):
        for child in value:
            _fill(SubElement(element, _item_name(element.tag)), child)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> bytes:
    """Serialise a dict or list as the specification's XML: lists become a wrapper with one element per item."""
    element = Element(root)
    _fill(element, data)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(element, encoding="unicode").encode()


def respond(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    """Answer in the requested format; `root` names the XML document element (services, service_requests, …)."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False).encode()
    else:
        body = to_xml(root, data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    """Answer with the errors document: a list of {code, description}, code matching the HTTP status."""
    return respond(fmt, "errors", [{"code": error.status, "description": d} for d in error.descriptions], error.status)
