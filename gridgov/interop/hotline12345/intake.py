"""Turn a city order into a ticket, exactly once per city order number."""

from django.db import transaction

from gridgov.accounts.models import RoleGrant, User
from gridgov.core import clock
from gridgov.core.errors import InvalidInput
from gridgov.interop.hotline12345 import config
from gridgov.interop.hotline12345.models import CategoryMapping, InboundOrder
from gridgov.interop.hotline12345.wire import FIELDS, Order
# The one name of the 系统接入 role (gridgov.accounts.permissions), shared with the Open311 clients.
from gridgov.interop.open311.keys import ACTOR_ROLE as INTAKE_ROLE
from gridgov.tickets.actions import do_receive
from gridgov.tickets.models import Ticket


def gateway_user(cfg: config.Config) -> User:
    """Return the system account the adapter receives tickets as."""
    user = User.objects.filter(username=cfg.username, is_active=True).first()
    if user is None:
        raise config.NotConfigured(f"未配置12345对接账号 {cfg.username}（运行 gridgov hotline12345 setup）")
    return user


def grant_intake(user: User, area) -> RoleGrant:
    """Let the system account register tickets in `area` and do nothing else; idempotent."""
    grant, _ = RoleGrant.objects.get_or_create(user=user, role=INTAKE_ROLE, area=area, unit=None)
    return grant


def resolve_category(city_code: str) -> int:
    """Return the local category id for a city code: its mapping row, else the fallback row (*)."""
    rows = {m.city_code: m.category_id for m in CategoryMapping.objects.filter(
        city_code__in=[city_code, CategoryMapping.FALLBACK], active=True)}
    found = rows.get(city_code) or rows.get(CategoryMapping.FALLBACK)
    if found is None:
        raise InvalidInput(f"市平台分类 {city_code} 未配置对照，且没有兜底分类", {"field": FIELDS["category_code"]})
    return found


def _existing(order_no: str) -> Ticket | None:
    return Ticket.objects.filter(channel_id=config.CHANNEL, external_id=order_no).first()


def receive_order(order: Order, *, source: str = InboundOrder.Source.PUSH, cfg: config.Config | None = None) -> tuple[Ticket, bool]:
    """Return (ticket, created): the ticket for this city order number, creating it only if none exists."""
    cfg = cfg or config.load()
    found = _existing(order.order_no)
    if found is not None:
        return found, False
    actor = gateway_user(cfg)
    category = resolve_category(order.category_code)
    try:
        # The order's record commits with its ticket, so a ticket never lacks the city's deadline.
        with transaction.atomic():
            ticket = do_receive(
                actor, channel=config.CHANNEL, category=category, title=order.title, description=order.content,
                address=order.address, lon=order.lon, lat=order.lat, citizen_name=order.citizen_name,
                citizen_phone=order.citizen_phone, urgency=order.urgency, external_id=order.order_no,
            )
            InboundOrder.objects.create(
                external_id=order.order_no, ticket=ticket, source=source,
                city_category=" ".join(filter(None, [order.category_code, order.category_name]))[:100],
                city_deadline=order.deadline, accepted_at=order.accepted_at, payload=order.raw, received_at=clock.now(),
            )
    except InvalidInput as exc:
        # A concurrent duplicate won the unique (channel, external_id) race: answer with its ticket.
        if exc.details.get("field") != "external_id":
            raise
        found = _existing(order.order_no)
        if found is None:
            raise
        return found, False
    return ticket, True
