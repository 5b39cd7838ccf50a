"""The only way visits are written: `do_record_visit`, which checks the worker's grid scope and audits the record."""

from datetime import datetime, timedelta

from django.db import transaction

from gridgov.areas.models import Area
from gridgov.audit.log import audit
from gridgov.core import clock
from gridgov.core.errors import Forbidden, InvalidInput
from gridgov.patrol.models import Visit
from gridgov.tickets.access import grants_of

# The roles that walk the grid; the permission catalogue has no visit code, so the roles are named here.
VISIT_ROLES = frozenset({"grid_worker", "grid_leader", "admin"})
# Visits are recorded on a grid: a community/village (二级网格) or below.
MIN_LEVEL = 2
# Phones' clocks drift; a visit a few minutes "in the future" is a clock, not a lie.
CLOCK_SKEW = timedelta(minutes=10)
MAX_PEOPLE = 999


def visit_scopes(actor) -> list[str]:
    """Return the area codes in which the actor may record visits."""
    return sorted({g.area_code for g in grants_of(actor) if g.role in VISIT_ROLES and g.area_code})


def may_record_in(actor, area_code: str) -> bool:
    """Tell whether one of the actor's visit-role grants covers the area (its code is a prefix of the area's)."""
    return any(area_code.startswith(code) for code in visit_scopes(actor))


def _text(value, label: str, max_length: int, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}", {"field": label})
    if len(value) > max_length:
        raise InvalidInput(f"{label}不能超过 {max_length} 个字", {"field": label})
    return value


def _point(lon, lat):
    if lon in (None, "") and lat in (None, ""):
        return None, None
    if lon in (None, "") or lat in (None, ""):
        raise InvalidInput("经度和纬度必须同时填写", {"field": "lon"})
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise InvalidInput("经纬度必须是数字", {"field": "lon"}) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput("经纬度超出范围", {"field": "lon"})
    return lon, lat


def do_record_visit(actor, *, area_code: str, address: str, household: str, people_count, situation: str,
                    note: str = "", visited_at: datetime | None = None, lon=None, lat=None, now=None) -> Visit:
    """入户走访: record a visit in a grid the actor is responsible for."""
    area_code = str(area_code or "").strip()
    # Scope first, on the code alone: a code outside the actor's grids is refused the same whether it exists or not.
    if not area_code or not may_record_in(actor, area_code):
        raise Forbidden("只能登记本人负责网格内的走访")
    area = Area.objects.filter(code=area_code).first() if area_code.isdigit() else None
    if area is None:
        raise InvalidInput("网格不存在", {"field": "area"})
    if area.level < MIN_LEVEL:
        raise InvalidInput("走访须登记到社区/村或其下的网格", {"field": "area"})
    now = now or clock.now()
    if visited_at is None:
        visited_at = now
    if visited_at.tzinfo is None:
        raise InvalidInput("走访时间缺少时区", {"field": "visited_at"})
    if visited_at > now + CLOCK_SKEW:
        raise InvalidInput("走访时间不能晚于当前时间", {"field": "visited_at"})
    if situation not in Visit.Situation.values:
        raise InvalidInput("请选择走访情况", {"field": "situation"})
    try:
        people = int(people_count)
    except (TypeError, ValueError):
        raise InvalidInput("在户人数必须是整数", {"field": "people_count"}) from None
    if not 0 <= people <= MAX_PEOPLE:
        raise InvalidInput(f"在户人数应在 0 到 {MAX_PEOPLE} 之间", {"field": "people_count"})
    lon, lat = _point(lon, lat)
    visit = Visit(worker=actor, area=area, visited_at=visited_at, lon=lon, lat=lat, people_count=people, situation=situation,
                  address=_text(address, "走访地址", 200, required=True),
                  household=_text(household, "户主/住户", 50, required=True),
                  note=_text(note, "走访记录", 2000, required=False), created_at=now)
    with transaction.atomic():
        visit.save()
        # The household is personal data: the audit entry names the visit, not the person.
        audit(actor, "visit.record", visit, area=area.code, situation=situation)
    return visit
