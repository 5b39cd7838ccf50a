"""The column-mapping file: which source column (or constant) feeds which ticket field, and how values are read.

A mapping is JSON::

    {
      "source": {"format": "csv", "encoding": "utf-8-sig", "delimiter": ",", "sheet": null, "header_row": 1},
      "timezone": "Asia/Shanghai",
      "fields": {
        "external_id": "工单编号",
        "received_at": {"column": "受理时间", "format": "%Y-%m-%d %H:%M:%S"},
        "category": {"column": "问题类别", "by": "name", "map": {"噪声污染": "噪音扰民"}},
        "channel": {"value": "h12345"},
        "state": {"column": "办理状态", "map": {"已办结": "closed", "不予受理": "rejected", "待派单": "received"},
                  "default": "closed"},
        "closed_at": {"column": "办结时间", "format": "%Y-%m-%d %H:%M:%S"},
        "title": "标题", "description": "诉求内容", "address": "事发地址", "lon": "经度", "lat": "纬度",
        "citizen_name": "诉求人", "citizen_phone": "联系电话", "urgency": {"column": "紧急程度", "map": {"紧急": "urgent"}}
      }
    }

A field is a column name, or an object with ``column`` or ``value`` (a constant), an optional
value map ``map`` (applied to the trimmed cell; values not in the map pass unchanged), a
``default`` for blank cells, and for dates ``format`` (strptime, or "iso") and ``timezone``.
``category`` is looked up by ``by``: "code" (default) or "name" (the leaf category's name).
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gridgov.core.errors import InvalidInput

FIELDS = {
    "external_id": "外部编号", "received_at": "受理时间", "category": "事项分类", "channel": "渠道", "title": "标题",
    "description": "诉求内容", "address": "地址", "lon": "经度", "lat": "纬度", "citizen_name": "诉求人",
    "citizen_phone": "联系电话", "urgency": "紧急程度", "state": "状态", "closed_at": "结案时间",
}
REQUIRED = ("external_id", "received_at", "category", "description")
DATE_FIELDS = ("received_at", "closed_at")
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class FieldSpec:
    """How one ticket field is read from a row."""

    name: str
    column: str | None = None
    value: str | None = None
    map: dict = field(default_factory=dict)
    default: str = ""
    format: str = "%Y-%m-%d %H:%M:%S"
    timezone: str = "Asia/Shanghai"
    by: str = "code"


@dataclass(frozen=True)
class Mapping:
    """A parsed, checked mapping file."""

    fields: dict
    format: str = "csv"
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    sheet: str | None = None
    header_row: int = 1
    raw: dict = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        """A digest of the mapping's content, to recognise the same import when resuming."""
        return hashlib.sha256(json.dumps(self.raw, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _spec(name: str, raw, default_tz: str) -> FieldSpec:
    if isinstance(raw, str):
        return FieldSpec(name=name, column=raw, timezone=default_tz)
    if not isinstance(raw, dict):
        raise InvalidInput(f"映射文件中字段“{name}”的写法无效：应为列名或对象")
    unknown = set(raw) - {"column", "value", "map", "default", "format", "timezone", "by"}
    if unknown:
        raise InvalidInput(f"映射文件中字段“{name}”有未知选项：{'、'.join(sorted(unknown))}")
    if ("column" in raw) == ("value" in raw):
        raise InvalidInput(f"映射文件中字段“{name}”须指定 column（列名）或 value（常量）之一")
    if raw.get("by", "code") not in ("code", "name"):
        raise InvalidInput(f"映射文件中字段“{name}”的 by 只能是 code 或 name")
    tz = raw.get("timezone", default_tz)
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"映射文件中字段“{name}”的时区“{tz}”无效") from None
    value_map = raw.get("map") or {}
    if not isinstance(value_map, dict):
        raise InvalidInput(f"映射文件中字段“{name}”的 map 应为对象")
    return FieldSpec(
        name=name, column=raw.get("column"), value=None if raw.get("value") is None else str(raw["value"]),
        map={str(k).strip(): str(v) for k, v in value_map.items()}, default=str(raw.get("default", "")),
        format=raw.get("format", "%Y-%m-%d %H:%M:%S"), timezone=tz, by=raw.get("by", "code"),
    )


def parse(raw: dict, *, channel: str | None = None) -> Mapping:
    """Check a mapping document and return it parsed; `channel` (--channel) overrides the channel field."""
    if not isinstance(raw, dict) or not isinstance(raw.get("fields"), dict):
        raise InvalidInput("映射文件应为 JSON 对象，并包含 fields")
    source = raw.get("source") or {}
    tz = raw.get("timezone", "Asia/Shanghai")
    unknown = set(raw["fields"]) - set(FIELDS)
    if unknown:
        raise InvalidInput(f"映射文件中有未知字段：{'、'.join(sorted(unknown))}；可用字段：{'、'.join(FIELDS)}")
    fields = {name: _spec(name, spec, tz) for name, spec in raw["fields"].items()}
    if channel:
        fields["channel"] = FieldSpec(name="channel", value=channel)
    missing = [FIELDS[n] for n in (*REQUIRED, "channel") if n not in fields]
    if missing:
        raise InvalidInput(f"映射文件缺少必需字段：{'、'.join(missing)}（渠道也可用 --channel 指定）")
    if ("lon" in fields) != ("lat" in fields):
        raise InvalidInput("映射文件中经度和纬度必须同时映射")
    fmt = source.get("format", "csv")
    if fmt not in FORMATS:
        raise InvalidInput(f"不支持的文件格式“{fmt}”，可用：csv、xlsx")
    return Mapping(fields=fields, format=fmt, encoding=source.get("encoding", "utf-8-sig"),
                   delimiter=source.get("delimiter", ","), sheet=source.get("sheet"),
                   header_row=int(source.get("header_row", 1)), raw={**raw, "cli_channel": channel or ""})


def load(path: str | Path, *, channel: str | None = None, file_format: str | None = None) -> Mapping:
    """Read and parse a mapping file; the data file's suffix decides the format unless the mapping names one."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InvalidInput(f"无法读取映射文件：{e}") from None
    if file_format and isinstance(raw, dict) and "format" not in (raw.get("source") or {}):
        raw = {**raw, "source": {**(raw.get("source") or {}), "format": file_format}}
    return parse(raw, channel=channel)
