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
MAX_PAGE = 10**6  # far beyond any real result; keeps the OFFSET a number every database accepts
MAX_LIST = 1000  # comma-listed service_request_id / service_code values
# Dates outside these years are no one's request, and near year 1 or 9999 a zone shift or the 90-day window overflows.
MIN_YEAR, MAX_YEAR = 1900, 2100
STATUSES = ("open", "closed")
# A '+' offset sent unencoded in a query string arrives as a space: "…T10:00:00 08:00".
_SPACE_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


def parse_w3c(raw: str) -> datetime:
    """Parse a W3C datetime (YYYY, YYYY-MM, YYYY-MM-DD or a full time with Z or ±HH:MM); dates are Asia/Shanghai days.

    Raise ValueError for anything else, including a year outside MIN_YEAR–MAX_YEAR.
    """
    moment = _parse(raw)
    # Checked before any zone conversion: 0001-01-01T00:00:00+14:00 is a valid string but has no UTC instant.
    if not (MIN_YEAR <= moment.year <= MAX_YEAR):
        raise ValueError(raw)
    return moment


def _parse(raw: str) -> datetime:
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


def nul_fields(params) -> list[str]:
    """The names (NUL shown as \\x00) of a QueryDict's or dict's fields holding a NUL, which PostgreSQL text refuses."""
    pairs = params.lists() if hasattr(params, "lists") else ((k, [v]) for k, v in params.items())
    return [str(name).replace("\x00", "\\x00") for name, values in pairs
            if "\x00" in str(name) or any("\x00" in str(v) for v in values)]


def nul_error(names: list[str]) -> Open311Error:
    """The 400 refusing fields that hold a NUL."""
    return Open311Error(400, *(f"{name} must not contain NUL characters / {name} 不能包含空字符" for name in names))


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
            self.append(f"{name} must be a W3C datetime between {MIN_YEAR} and {MAX_YEAR} such as 2026-01-01T00:00:00+08:00"
                        f" / {name} 须为 {MIN_YEAR}–{MAX_YEAR} 年间的 W3C 日期时间")
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

    def positive_int(self, params, name, default, high) -> int:
        raw = (params.get(name) or "").strip()
        if not raw:
            return default
        # ASCII digits only ("²".isdigit() is true but int() refuses it), and short enough for int() to take.
        if not (re.fullmatch(r"[0-9]{1,20}", raw) and 1 <= int(raw) <= high):
            self.append(f"{name} must be a positive integer not above {high} / {name} 须为不超过 {high} 的正整数")
            return default
        return int(raw)

    def values(self, params, name) -> list[str]:
        found = split_list(params.get(name))
        if len(found) > MAX_LIST:
            self.append(f"{name} may list at most {MAX_LIST} values / {name} 最多列出 {MAX_LIST} 个")
            return []
        return found


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
    if nul := nul_fields(params):
        raise nul_error(nul)
    q = RequestQuery(extensions=(params.get("extensions") or "").strip().lower() == "true")
    q.ids = errors.values(params, "service_request_id")
    q.page = errors.positive_int(params, "page", 1, high=MAX_PAGE)
    q.page_size = errors.positive_int(params, "page_size", DEFAULT_LIMIT, high=DEFAULT_LIMIT)
    if q.ids:  # "This overrides all other arguments."
        if errors:
            raise Open311Error(400, *errors)
        return q
    q.service_codes = errors.values(params, "service_code")
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
