"""Parse and check GET requests' query parameters: the standard filters, their defaults and the common extensions."""

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from gridgov.core.clock import LOCAL_TZ
from gridgov.interop.open311.render import Open311Error

MAX_SPAN = timedelta(days=90)  # "Default query limit is a span of 90 days or first 1000 requests returned"
DEFAULT_LIMIT = 1000
DEFAULT_RADIUS = 1000.0  # meters, when lat/long come without radius
MAX_RADIUS = 100_000.0
STATUSES = ("open", "closed")
# A '+' offset sent unencoded in a query string arrives as a space: "…T10:00:00 08:00".
_SPACE_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


def parse_w3c(raw: str) -> datetime:
    """Parse a W3C datetime (YYYY, YYYY-MM, YYYY-MM-DD or a full time with Z or ±HH:MM); dates are Asia/Shanghai days."""
    text = _SPACE_OFFSET.sub(r"+\1", raw.strip())
    if re.fullmatch(r"\d{4}", text):
        text += "-01-01"
    elif re.fullmatch(r"\d{4}-\d{2}", text):
        text += "-01"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.combine(date.fromisoformat(text), time(), LOCAL_TZ)
    if "T" not in text:
        raise ValueError(raw)
    moment = datetime.fromisoformat(text)
    # The specification requires a zone; a client that forgets one means local time, as a person in the district would.
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


def split_list(raw: str | None) -> list[str]:
    """Split a comma-delimited parameter, dropping blanks."""
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


@dataclass
class RequestQuery:
    """The checked filters of one GET requests call."""

    ids: list[str] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    statuses: list[str] = field(default_factory=list)
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    near: tuple[float, float, float] | None = None  # lon, lat, radius in meters
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat
    page: int = 1
    page_size: int = DEFAULT_LIMIT
    extensions: bool = False


class _Errors(list):
    def date(self, params, name) -> datetime | None:
        raw = (params.get(name) or "").strip()
        if not raw:
            return None
        try:
            return parse_w3c(raw)
        except ValueError:
            self.append(f"{name} must be a W3C datetime such as 2026-01-01T00:00:00+08:00 / {name} 须为 W3C 日期时间格式")
            return None

    def number(self, params, name, low, high) -> float | None:
        raw = (params.get(name) or "").strip()
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not (low <= value <= high):  # NaN fails too
            self.append(f"{name} must be a number between {low:g} and {high:g} / {name} 须为 {low:g} 到 {high:g} 之间的数字")
            return None
        return value

    def positive_int(self, params, name, default, high=None) -> int:
        raw = (params.get(name) or "").strip()
        if not raw:
            return default
        if not raw.isdigit() or int(raw) < 1 or (high and int(raw) > high):
            limit = f" not above {high}" if high else ""
            self.append(f"{name} must be a positive integer{limit} / {name} 须为正整数" + (f"且不超过 {high}" if high else ""))
            return default
        return int(raw)


def _window(errors: _Errors, start, end, now, default_window: bool):
    """Apply the 90-day rule: missing ends default to the most recent 90 days; a longer span is refused."""
    if start and end and start > end:
        errors.append("start_date must not be after end_date / 开始时间不能晚于结束时间")
    elif start and end and end - start > MAX_SPAN:
        errors.append("start_date and end_date may not span more than 90 days / 查询时间跨度不能超过 90 天")
    elif start and not end:
        end = min(start + MAX_SPAN, max(now, start))
    elif end and not start:
        start = end - MAX_SPAN
    elif not start and not end and default_window:
        start, end = now - MAX_SPAN, now
    return start, end


def parse_request_query(params, now: datetime) -> RequestQuery:
    """Check every parameter of GET requests and return the filters, or raise one 400 naming every problem."""
    errors = _Errors()
    q = RequestQuery(extensions=(params.get("extensions") or "").strip().lower() == "true")
    q.ids = split_list(params.get("service_request_id"))
    q.page = errors.positive_int(params, "page", 1)
    q.page_size = errors.positive_int(params, "page_size", DEFAULT_LIMIT, high=DEFAULT_LIMIT)
    if q.ids:  # "This overrides all other arguments."
        if errors:
            raise Open311Error(400, *errors)
        return q
    q.service_codes = split_list(params.get("service_code"))
    q.statuses = split_list(params.get("status"))
    if any(s not in STATUSES for s in q.statuses):
        errors.append("status must be open or closed / status 只能是 open 或 closed")
    q.updated_after = errors.date(params, "updated_after")
    q.updated_before = errors.date(params, "updated_before")
    start, end = errors.date(params, "start_date"), errors.date(params, "end_date")
    # Clients syncing by update time need old requests that changed lately, so the default window then does not apply.
    q.start, q.end = _window(errors, start, end, now, default_window=not (q.updated_after or q.updated_before))
    lat, lon = errors.number(params, "lat", -90, 90), errors.number(params, "long", -180, 180)
    radius = errors.number(params, "radius", 1, MAX_RADIUS)
    if (params.get("lat") or "").strip() and (params.get("long") or "").strip():
        if lat is not None and lon is not None:
            q.near = (lon, lat, radius or DEFAULT_RADIUS)
    elif (params.get("lat") or params.get("long") or params.get("radius") or "").strip():
        errors.append("lat and long must be given together (radius in meters is optional) / lat 与 long 须同时提供")
    raw_bbox = (params.get("bbox") or "").strip()
    if raw_bbox:
        q.bbox = _bbox(errors, raw_bbox)
    if errors:
        raise Open311Error(400, *errors)
    return q


def _bbox(errors: _Errors, raw: str):
    try:
        min_lon, min_lat, max_lon, max_lat = (float(p) for p in raw.split(","))
    except ValueError:
        min_lon = min_lat = max_lon = max_lat = math.nan
    if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):  # NaN fails too
        errors.append("bbox must be min_long,min_lat,max_long,max_lat / bbox 格式为 最小经度,最小纬度,最大经度,最大纬度")
        return None
    return min_lon, min_lat, max_lon, max_lat
