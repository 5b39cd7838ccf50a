"""Pure whistle rules: check-in limits, lateness, status and the on-site check (no database)."""

import math
from datetime import datetime
from decimal import Decimal, InvalidOperation

from shapely.geometry import Point, shape

from gridgov.areas.distance import distance_m
from gridgov.core.errors import InvalidInput
from gridgov.tickets.deadlines import LIMIT_UNIT_LABELS, LIMIT_UNITS

MAX_LIMIT = Decimal(720)  # a month of clock hours: anything longer is no longer a summons
MAX_RADIUS_M = 50_000

PENDING = "pending"
PENDING_LATE = "pending_late"
ON_TIME = "on_time"
LATE = "late"
WITHDRAWN = "withdrawn"
WITHDRAWN_LATE = "withdrawn_late"
STATUS_LABELS = {PENDING: "待报到", PENDING_LATE: "超时未报到", ON_TIME: "按时报到", LATE: "迟到报到", WITHDRAWN: "已撤回",
                 WITHDRAWN_LATE: "超时未报到（已撤回）"}
LATE_STATUSES = frozenset({PENDING_LATE, LATE, WITHDRAWN_LATE})


def parse_limit(amount, unit: str) -> tuple[Decimal, str]:
    """Return a valid check-in limit or raise InvalidInput in Chinese."""
    if unit not in LIMIT_UNITS:
        raise InvalidInput("报到时限单位无效", {"field": "checkin_limit_unit"})
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput("报到时限必须是数字", {"field": "checkin_limit"}) from None
    if not value.is_finite() or value <= 0 or value > MAX_LIMIT:
        raise InvalidInput(f"报到时限须大于0且不超过{MAX_LIMIT}{LIMIT_UNIT_LABELS[unit]}", {"field": "checkin_limit"})
    if unit == "work_days" and value != value.to_integral_value():
        raise InvalidInput("以工作日计的报到时限须为整数", {"field": "checkin_limit"})
    if value.as_tuple().exponent < -2:
        raise InvalidInput("报到时限最多保留两位小数", {"field": "checkin_limit"})
    return value, unit


def parse_radius(radius) -> int:
    """Return a valid on-site radius in metres or raise InvalidInput."""
    try:
        value = int(radius)
    except (TypeError, ValueError):
        raise InvalidInput("现场报到范围必须是整数米", {"field": "onsite_radius_m"}) from None
    if not 1 <= value <= MAX_RADIUS_M:
        raise InvalidInput(f"现场报到范围须在1至{MAX_RADIUS_M}米之间", {"field": "onsite_radius_m"})
    return value


def parse_point(lon, lat) -> tuple[float, float] | None:
    """Return (lon, lat) as floats, None when both are empty; refuse half a point or nonsense."""
    empty = [v is None or (isinstance(v, str) and not v.strip()) for v in (lon, lat)]
    if all(empty):
        return None
    if any(empty):
        raise InvalidInput("经度和纬度必须同时填写", {"field": "lon"})
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise InvalidInput("经纬度必须是数字", {"field": "lon"}) from None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput("经纬度超出范围", {"field": "lon"})
    return lon, lat


def onsite_check(lon: float, lat: float, *, point: tuple[float, float] | None, radius_m: int,
                 boundary: dict | None = None, area_name: str = "") -> float | None:
    """Refuse a location that is not on site; return the distance to the matter's point when there is one.

    On site means within `radius_m` of the ticket's point, or, for a ticket without a point, inside its grid.
    """
    if point is not None:
        d = distance_m(lon, lat, point[0], point[1])
        if d > radius_m:
            raise InvalidInput(f"当前位置距事发地点约{d:.0f}米，超出现场报到范围{radius_m}米，请到达现场后再报到",
                               {"field": "lon", "distance_m": round(d, 1)})
        return d
    if boundary:
        if not shape(boundary).covers(Point(lon, lat)):
            raise InvalidInput(f"当前位置不在事发网格{('“' + area_name + '”') if area_name else ''}范围内，请到达现场后再报到",
                               {"field": "lon"})
        return None
    raise InvalidInput("该事项没有位置信息，无法核验现场报到")


def is_late(deadline: datetime, checked_in_at: datetime | None, ended_at: datetime | None, now: datetime) -> bool:
    """Late: checked in after the deadline, or not checked in when the deadline passed (before now or the withdrawal)."""
    if checked_in_at is not None:
        return checked_in_at > deadline
    return (ended_at or now) > deadline


def status(deadline: datetime, checked_in_at: datetime | None, ended_at: datetime | None, now: datetime) -> str:
    """One word for a summons: pending, pending_late, on_time, late, withdrawn or withdrawn_late."""
    late = is_late(deadline, checked_in_at, ended_at, now)
    if checked_in_at is not None:
        return LATE if late else ON_TIME
    if ended_at is not None:
        return WITHDRAWN_LATE if late else WITHDRAWN
    return PENDING_LATE if late else PENDING
