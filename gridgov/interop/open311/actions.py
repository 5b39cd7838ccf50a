"""POST requests: check the form, then receive the ticket through tickets.actions.do_receive with its Open311 record."""

import re
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from gridgov.areas.models import Area
from gridgov.core import clock
from gridgov.interop.open311.attributes import check_attributes, posted_attributes
from gridgov.interop.open311.keys import can_receive
from gridgov.interop.open311.models import ServiceRequestRecord
from gridgov.interop.open311.params import nul_error, nul_fields
from gridgov.interop.open311.render import Open311Error
from gridgov.interop.open311.serializers import CHANNEL
from gridgov.tickets.actions import do_receive
from gridgov.units.models import Category

MAX_DESCRIPTION = 4000
_CJK = re.compile(r"[\u3400-\u9fff]")
_PHONE_DECORATION = re.compile(r"[\s().]")


@dataclass
class Submitted:
    """What a successful POST answers with."""

    ticket: object
    record: ServiceRequestRecord


def public_service(code: str) -> Category | None:
    """Return the public, active leaf category with this service_code, or None."""
    cat = Category.objects.filter(code=code, public=True, active=True).prefetch_related("open311_attributes").first()
    if cat is None or cat.children.exists():
        return None
    return cat


def _field(form, name, limit) -> str:
    value = (form.get(name) or "").strip()
    if "\x00" in value:  # PostgreSQL cannot store NUL in text
        raise nul_error([name])
    if len(value) > limit:
        raise Open311Error(400, f"{name} is longer than {limit} characters / {name} 超过 {limit} 字")
    return value


def _citizen_name(first: str, last: str) -> str:
    # Chinese names are family name first with no space; others are "first last".
    if _CJK.search(first + last):
        return (last + first)[:50]
    return f"{first} {last}".strip()[:50]


def _location(form, errors) -> tuple:
    raw_lat, raw_lon = (form.get("lat") or "").strip(), (form.get("long") or "").strip()
    address, address_id = _field(form, "address_string", 200), _field(form, "address_id", 30)
    lat = lon = None
    if (raw_lat or raw_lon) and not (raw_lat and raw_lon):
        errors.append("lat and long must both be sent / lat 与 long 须同时提供")
    elif raw_lat:
        try:
            lat, lon = float(raw_lat), float(raw_lon)
        except ValueError:
            lat = lon = None
        if lat is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):  # NaN fails too
            lat = lon = None
            errors.append("lat/long must be WGS84 degrees / 经纬度须为 WGS84 度数且在有效范围内")
    if not (raw_lat or raw_lon) and not address and not address_id:
        errors.append("A location is required: lat & long, address_string or address_id / 请提供位置：经纬度、地址或地址编号")
    if address_id and not Area.objects.filter(code=address_id).exists():
        errors.append(f"address_id {address_id} is not a known grid code / 地址编号（网格编码）不存在")
    return lat, lon, address, address_id


def _contact(form, errors) -> dict:
    email = _field(form, "email", 254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append("email is not a valid address / 电子邮箱格式不正确")
    media_url = _field(form, "media_url", 500)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.append("media_url must be an http(s) URL / 媒体链接须为 http(s) 网址")
    return {"email": email, "media_url": media_url, "device_id": _field(form, "device_id", 100),
            "account_id": _field(form, "account_id", 100)}


def do_submit(client, form, *, now=None) -> Submitted:
    """Create one service request for `client`; raise Open311Error (404 unknown service, 400 bad input,
    503 client without a receiving grant) and create nothing."""
    # Every field, attributes included, ends up in text or jsonb, and PostgreSQL refuses NUL in both.
    if nul := nul_fields(form):
        raise nul_error(nul)
    code = (form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code was not provided / 缺少 service_code")
    category = public_service(code)
    if category is None:
        raise Open311Error(404, f"service_code {code} was not found / 服务编码 {code} 不存在")
    errors: list[str] = []
    description = _field(form, "description", MAX_DESCRIPTION)
    lat, lon, address, address_id = _location(form, errors)
    contact = _contact(form, errors)
    values, lines, attr_errors = check_attributes(list(category.open311_attributes.all()), posted_attributes(form))
    errors += attr_errors
    if errors:
        raise Open311Error(400, *errors)
    first, last = _field(form, "first_name", 50), _field(form, "last_name", 50)
    phone = _PHONE_DECORATION.sub("", _field(form, "phone", 30))
    if lines:  # staff read the ticket, not the record: the answers go into the text they work from
        description = "\n".join(filter(None, [description, "【补充信息】", *lines]))
    if contact["media_url"]:
        description = "\n".join(filter(None, [description, f"【图片/媒体】{contact['media_url']}"]))
    summary = (form.get("description") or "").strip().splitlines()[0][:60] if (form.get("description") or "").strip() else ""
    title = f"{category.name}：{summary}" if summary else category.name
    if not can_receive(client.user):  # granted by keys.issue only; an administrator may have withdrawn it
        raise Open311Error(503, "This client is not authorised to receive requests; contact the administrator"
                                " / 该应用尚未获授权受理诉求，请联系管理员")
    moment = now or clock.now()
    with transaction.atomic():
        ticket = do_receive(client.user, channel=CHANNEL, category=category.code, title=title[:200],
                            description=description or category.name, address=address, lon=lon, lat=lat,
                            citizen_name=_citizen_name(first, last), citizen_phone=phone,
                            reporter_area_code=address_id or None, now=moment)
        record = ServiceRequestRecord.objects.create(
            ticket=ticket, client=client, token=uuid.uuid4().hex, attributes=values, created_at=moment, **contact)
    return Submitted(ticket, record)
