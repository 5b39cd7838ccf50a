"""Bulk import of historical tickets: read, validate, locate and route in bulk, write in atomic resumable batches.

Per batch: rows are validated, routed and rendered for COPY in Python without touching the database,
and (PostgreSQL) their external ids looked up, in a helper thread, so the next batch is prepared
while the current one is written; then one transaction (synchronous_commit off) locks the job row,
allocates ticket numbers in blocks, writes the tickets and one "import" timeline event each (one
COPY per table on PostgreSQL, bulk_create elsewhere), stores the row errors and the batch's months,
and advances the job. A crash loses at most the uncommitted batches (with synchronous_commit off, a
database crash may also lose the last committed ones, job row included); `resume` starts after the
last committed one, and the per-channel unique external id makes overlapping runs harmless.

The monthly counts are not touched per batch: when the last batch is written, every month the job's
batches touched (in this run or a killed earlier run of the same job) is recounted from the tickets.
Until then, and after a run that dies before that, those months' counts lag behind the committed
tickets; the next run over them (resumed or not) or `gridgov metrics rebuild` brings them back.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import math
import re
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F

from gridgov.core import clock
from gridgov.interop.imports.mapping import DATE_FIELDS, FIELDS, Mapping
from gridgov.interop.imports.models import ImportJob, ImportRowError
from gridgov.metrics import recount
from gridgov.metrics.cube import _write as write_cells
from gridgov.metrics.models import CUBES
from gridgov.metrics.periods import Period
from gridgov.tickets import routing
from gridgov.tickets.actions import PHONE_RE
from gridgov.tickets.models import Channel, Ticket, TimelineEvent
from gridgov.tickets.routing_context import routing_inputs
from gridgov.tickets.states import TicketState
from gridgov.units.models import Category, ResponsibilityRule, Urgency
from gridgov.units.responsibility import rule_in_force

STATES = (TicketState.RECEIVED, TicketState.CLOSED, TicketState.REJECTED)
LIMITS = {"external_id": 64, "title": 200, "address": 200, "citizen_name": 50, "citizen_phone": 20}
TITLE_FROM_DESCRIPTION = 30
MAX_ATTEMPTS = 5
VERB = "import"
# PostgreSQL COPY text format: backslash escapes; NUL cannot be stored in text at all.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": None})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r\x00]")


def _esc(text: str) -> str:
    """A value for COPY's text format; most values need nothing, and the search is cheaper than translate."""
    return text.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


def _clean(text: str) -> str:
    """Drop NUL characters, which no database text column accepts."""
    return text.replace("\x00", "") if "\x00" in text else text


class ImportAborted(Exception):
    """The import cannot go on (another process owns the job, or the file is unreadable)."""


# ---------------------------------------------------------------- reading


def file_sha256(path: Path) -> str:
    """Digest of the file's bytes, so a resumed job is known to read the same file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _cell(value):
    """A spreadsheet cell as text (dates stay datetimes; 13800138000.0 becomes "13800138000")."""
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def open_rows(path: Path, mapping: Mapping):
    """(header, iterator over data records, estimated number of data records, closer)."""
    try:
        if mapping.format == "xlsx":
            import openpyxl

            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            ws = wb[mapping.sheet] if mapping.sheet else wb.active
            rows = ws.iter_rows(values_only=True)
            for _ in range(mapping.header_row - 1):
                next(rows, None)
            header = [str(_cell(c)).strip() for c in next(rows, ())]
            total = max((ws.max_row or 0) - mapping.header_row, 0) or None
            return header, ([_cell(c) for c in row] for row in rows), total, wb.close
        with open(path, "rb") as f:
            total = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - mapping.header_row
        f = open(path, newline="", encoding=mapping.encoding)
        reader = csv.reader(f, delimiter=mapping.delimiter)
        for _ in range(mapping.header_row - 1):
            next(reader, None)
        header = [h.strip() for h in next(reader, [])]
        return header, reader, max(total, 0), f.close
    except (OSError, UnicodeDecodeError, KeyError, ValueError) as e:
        raise ImportAborted(f"无法读取文件：{e}") from None


# ---------------------------------------------------------------- master data


@dataclass
class Master:
    """Everything validation and routing look up, loaded once (no per-row queries)."""

    channels: dict
    categories: dict  # (by, key) -> category id, or an error message
    rule_steps: dict  # category id -> ([epoch seconds], [rule]) : the rule in force from each moment
    category_names: dict
    inputs: routing.RoutingInputs | object

    @classmethod
    def load(cls) -> Master:
        cats = list(Category.objects.select_related("parent__parent__parent").all())
        parents = {c.parent_id for c in cats if c.parent_id}
        by_id = {c.pk: c for c in cats}
        for c in cats:
            c.parent = by_id.get(c.parent_id)  # the whole chain, whatever the depth
        categories, names = {}, defaultdict(list)
        for c in cats:
            problem = "不是末级分类" if c.pk in parents else "已停用" if not c.active else None
            categories[("code", c.code)] = problem or c.pk
            names[c.name].append(problem or c.pk)
        for name, found in names.items():
            leaves = [x for x in found if isinstance(x, int)]
            categories[("name", name)] = leaves[0] if len(leaves) == 1 else "名称不唯一，请改用分类编码" if leaves else found[0]
        rules = list(ResponsibilityRule.objects.select_related("category", "department"))
        steps = {}
        for c in cats:
            if c.pk in parents:
                continue
            order = c.ancestor_ids()
            mine = [r for r in rules if r.category_id in order]
            points = sorted({r.effective_from for r in mine})
            steps[c.pk] = ([p.timestamp() for p in points], [rule_in_force(c, p, mine) for p in points])
        return cls(channels={ch.code: ch for ch in Channel.objects.all()}, categories=categories, rule_steps=steps,
                   category_names={c.pk: c.name for c in cats}, inputs=routing_inputs())


# ---------------------------------------------------------------- validation


class Row:
    """One valid source row, ready to be routed and written."""

    __slots__ = ("row", "ext", "channel", "category", "rule", "title", "description", "address", "lon", "lat",
                 "citizen_name", "citizen_phone", "urgency", "state", "received", "closed", "day", "route", "number", "pk",
                 "tail", "event")


def _date_parser(spec):
    tz = ZoneInfo(spec.timezone)
    fmt = spec.format
    # fromisoformat is ~20x faster than strptime and reads exactly these layouts (and ISO with offsets).
    iso = fmt in ("iso", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
    parse_text = datetime.fromisoformat if iso else (lambda v: datetime.strptime(v, fmt))

    def parse(value):
        if isinstance(value, datetime):
            d = value
        elif isinstance(value, date):
            d = datetime(value.year, value.month, value.day)
        else:
            d = parse_text(value)
        return d.replace(tzinfo=tz) if d.tzinfo is None else d

    return parse


class Validator:
    """Turns source records into valid Rows and row errors (row number, column, message in Chinese)."""

    def __init__(self, mapping: Mapping, header: list[str], master: Master, now: datetime):
        missing = [s.column for s in mapping.fields.values() if s.column is not None and s.column not in header]
        if missing:
            raise ImportAborted(f"映射文件中的列在文件表头中不存在：{'、'.join(missing)}")
        self.master = master
        self.now = now
        self.first_row = mapping.header_row + 1
        self.specs = mapping.fields
        self.index = {name: header.index(s.column) if s.column is not None else None for name, s in mapping.fields.items()}
        self.labels = {name: s.column or FIELDS[name] for name, s in mapping.fields.items()}
        self.dates = {name: _date_parser(mapping.fields[name]) for name in DATE_FIELDS if name in mapping.fields}
        self.seen: dict = {}  # (channel, external id) -> row number of its first valid row

    def _getter(self, name):
        spec = self.specs.get(name)
        if spec is None:
            return lambda rec: ""
        i, value_map, default = self.index[name], spec.map, spec.default
        if i is None:
            const = value_map.get(spec.value, spec.value)
            return lambda rec: const
        if name in DATE_FIELDS:
            def get(rec):
                v = rec[i] if i < len(rec) else ""
                if isinstance(v, str):
                    v = v.strip()
                    v = value_map.get(v, v) if value_map else v
                return v if v != "" else default
            return get

        def get(rec):
            v = rec[i].strip() if i < len(rec) else ""
            if value_map:
                v = value_map.get(v, v)
            return v or default
        return get

    def key_of(self):
        """A function giving (channel, external id) of a raw record, for rebuilding the duplicate check on resume."""
        ch, ext = self._getter("channel"), self._getter("external_id")
        return lambda rec: (ch(rec), _clean(ext(rec)))

    def validate(self, records: list, start: int) -> tuple[list[Row], list[tuple]]:
        """Validate records whose first is data record number `start` (0-based); return (rows, errors)."""
        g = {name: self._getter(name) for name in FIELDS}
        get_ext, get_channel, get_cat, get_received = g["external_id"], g["channel"], g["category"], g["received_at"]
        get_title, get_desc, get_addr, get_lon, get_lat = g["title"], g["description"], g["address"], g["lon"], g["lat"]
        get_name, get_phone, get_urgency, get_state, get_closed = (g["citizen_name"], g["citizen_phone"], g["urgency"],
                                                                   g["state"], g["closed_at"])
        by = self.specs["category"].by
        labels, master, seen = self.labels, self.master, self.seen
        parse_received = self.dates["received_at"]
        parse_closed = self.dates.get("closed_at")
        channels, categories, steps = master.channels, master.categories, master.rule_steps
        has_state, has_point = "state" in self.specs, "lon" in self.specs
        now, local = self.now, clock.LOCAL_TZ
        rows, errors = [], []
        number = self.first_row + start
        for rec in records:
            n, number = number, number + 1
            bad = []
            ext = _clean(get_ext(rec))
            if not ext:
                bad.append(("external_id", "外部编号不能为空", ""))
            elif len(ext) > LIMITS["external_id"]:
                bad.append(("external_id", f"外部编号超过{LIMITS['external_id']}个字符", ext))
            channel = get_channel(rec)
            if channel not in channels:
                bad.append(("channel", f"渠道“{channel}”不存在" if channel else "渠道不能为空", channel))
            cat_raw = get_cat(rec)
            cat = categories.get((by, cat_raw)) if cat_raw else None
            if not isinstance(cat, int):
                reason = f"事项分类“{cat_raw}”{cat}" if cat else f"事项分类“{cat_raw}”不存在" if cat_raw else "事项分类不能为空"
                bad.append(("category", reason, cat_raw))
                cat = None
            received = raw = get_received(rec)
            if raw == "":
                bad.append(("received_at", "受理时间不能为空", ""))
                received = None
            else:
                try:
                    received = parse_received(raw)
                except (ValueError, TypeError):
                    bad.append(("received_at", "受理时间格式不正确", str(raw)))
                    received = None
                else:
                    if received > now:
                        bad.append(("received_at", "受理时间晚于当前时间", str(raw)))
                        received = None
            rule = None
            if cat is not None and received is not None:
                points, rules = steps.get(cat, ((), ()))
                k = bisect.bisect_right(points, received.timestamp())
                if k == 0:
                    bad.append(("category", f"事项“{master.category_names[cat]}”在{received:%Y-%m-%d}尚无生效的责任清单", cat_raw))
                else:
                    rule = rules[k - 1]
            description = _clean(get_desc(rec))
            if not description:
                bad.append(("description", "诉求内容不能为空", ""))
            title = _clean(get_title(rec)) or " ".join(description.split())[:TITLE_FROM_DESCRIPTION]
            address = _clean(get_addr(rec))
            name = _clean(get_name(rec))
            phone = get_phone(rec)
            for fname, value in (("title", title), ("address", address), ("citizen_name", name)):
                if len(value) > LIMITS[fname]:
                    bad.append((fname, f"{FIELDS[fname]}超过{LIMITS[fname]}个字符", value[:50]))
            if phone and not PHONE_RE.fullmatch(phone):
                bad.append(("citizen_phone", "联系电话格式不正确", phone))
            lon = lat = None
            if has_point:
                lon_raw, lat_raw = get_lon(rec), get_lat(rec)
                if bool(lon_raw) != bool(lat_raw):
                    bad.append(("lat" if lon_raw else "lon", "经度和纬度必须同时填写", ""))
                elif lon_raw:
                    try:
                        lon, lat = float(lon_raw), float(lat_raw)
                    except ValueError:
                        bad.append(("lon", "经纬度必须是数字", f"{lon_raw},{lat_raw}"))
                        lon = lat = None
                    else:
                        if not (math.isfinite(lon) and math.isfinite(lat)):
                            bad.append(("lon", "经纬度必须是数字", f"{lon_raw},{lat_raw}"))
                            lon = lat = None
                        elif not (-180 <= lon <= 180 and -90 <= lat <= 90):
                            bad.append(("lon", "经纬度超出范围", f"{lon_raw},{lat_raw}"))
                            lon = lat = None
            urgency = get_urgency(rec)
            if urgency and urgency not in Urgency.values:
                bad.append(("urgency", f"紧急程度“{urgency}”无效", urgency))
            closed_raw = get_closed(rec)
            state = get_state(rec) if has_state else (TicketState.CLOSED if closed_raw else TicketState.RECEIVED)
            closed = None
            if state not in STATES:
                bad.append(("state", f"状态“{state}”无效，历史工单只能是已结案、不予受理或待派单", state))
            elif state == TicketState.RECEIVED:
                if closed_raw:
                    bad.append(("closed_at", "待派单工单不能有结案时间", str(closed_raw)))
            elif closed_raw:
                try:
                    closed = parse_closed(closed_raw)
                except (ValueError, TypeError):
                    bad.append(("closed_at", "结案时间格式不正确", str(closed_raw)))
                else:
                    if received is not None and closed < received:
                        bad.append(("closed_at", "结案时间早于受理时间", str(closed_raw)))
                    elif closed > now:
                        bad.append(("closed_at", "结案时间晚于当前时间", str(closed_raw)))
            elif state == TicketState.CLOSED:
                bad.append(("closed_at", "已结案工单须有结案时间", ""))
            else:
                closed = received  # 不予受理 without a time: refused on receipt
            if not bad:
                key = (channel, ext)
                first = seen.get(key)
                if first is not None:
                    bad.append(("external_id", f"外部编号在文件中重复（与第{first}行相同）", ext))
                else:
                    seen[key] = n
            if bad:
                errors.extend((n, labels.get(f, FIELDS[f]), msg, str(value)[:200]) for f, msg, value in bad)
                continue
            r = Row()
            r.row, r.ext, r.channel, r.category, r.rule = n, ext, channel, cat, rule
            r.title, r.description, r.address, r.lon, r.lat = title, description, address, lon, lat
            r.citizen_name, r.citizen_phone, r.urgency, r.state = name, phone, urgency or rule.urgency, state
            r.received, r.closed = received, closed
            r.day = received.astimezone(local).date()
            rows.append(r)
        return rows, errors


# ---------------------------------------------------------------- routing


@dataclass(frozen=True)
class Route:
    """A routing suggestion with its column values pre-rendered for COPY."""

    area: str | None
    located_by: str
    reason: str
    lead: int | None
    support: list
    copy_text: str = field(repr=False, default="")
    event_text: str = field(repr=False, default="")


class _Located:
    """Stands in for GridIndex/Gazetteer with an answer found in bulk, so `routing.route` itself decides."""

    def __init__(self, answer):
        self.answer = answer

    def locate(self, lon, lat):
        return self.answer

    def match(self, address):
        return self.answer


@dataclass
class _Terms:
    """The gazetteer's term table restricted to the terms found in one address, in the gazetteer's own order."""

    _terms: dict
    _ordered: list


class Router:
    """Locate and route a batch like do_receive: vectorised point-in-grid, cached gazetteer and rule decisions."""

    def __init__(self, inputs):
        self.inputs = inputs
        self.addresses: dict = {}
        self.routes: dict = {}
        self._rank = None

    def route(self, rows: list[Row]) -> None:
        inputs = self.inputs
        with_point = [r for r in rows if r.lon is not None]
        codes = inputs.grid_index.locate_many([(r.lon, r.lat) for r in with_point]) if with_point else []
        in_grid = {id(r): code for r, code in zip(with_point, codes)}
        addresses, routes, gazetteer = self.addresses, self.routes, inputs.gazetteer
        for r in rows:
            point = in_grid.get(id(r)) if r.lon is not None else False  # None = outside every grid, False = no point
            addr = None
            if not point and r.address:
                addr = addresses.get(r.address, False)
                if addr is False:
                    addr = addresses[r.address] = self._match(r.address)
            # Everything route() reads from the ticket is in the key, so cached answers are route()'s own.
            key = (r.rule.pk, point, bool(r.address), addr)
            found = routes.get(key)
            if found is None:
                found = routes[key] = self._decide(r.rule, point, r.address, addr)
            r.route = found

    def _match(self, address: str):
        """gazetteer.match, run over only the terms that occur in the address (the rest are skipped by it anyway)."""
        gaz = self.inputs.gazetteer
        if self._rank is None:
            self._rank = {t: i for i, t in enumerate(gaz._ordered)}
            self._lengths = sorted({len(t) for t in gaz._ordered})
        text, rank = routing.normalize_text(address), self._rank
        found = {text[i:i + n] for n in self._lengths for i in range(len(text) - n + 1)}
        view = _Terms(gaz._terms, sorted((t for t in found if t in rank), key=rank.__getitem__))
        return routing.Gazetteer.match(view, address)

    def _decide(self, rule, point, address, addr) -> Route:
        inputs = self.inputs
        s = routing.route(
            rule=routing.Rule(handler=rule.handler, department_id=rule.department_id, category_name=rule.category.name),
            point=None if point is False else (0.0, 0.0), address=address or None, reporter_area_code=None,
            grid_index=_Located(point or None), gazetteer=_Located(addr), territorial_units=inputs.territorial_units,
            department_names=inputs.department_names, area_names=inputs.area_names)
        reason = s.reason[:300]
        support = list(s.support_unit_ids)
        text = "\t".join((_nullable(s.area_code), s.located_by, reason.translate(_COPY_ESCAPES), _nullable(s.lead_unit_id),
                          "[" + ", ".join(map(str, support)) + "]"))
        event = f'"area": {"null" if s.area_code is None else chr(34) + s.area_code + chr(34)}, "located_by": "{s.located_by}"'
        return Route(s.area_code, s.located_by, reason, s.lead_unit_id, support, text, event)


def _nullable(value) -> str:
    return "\\N" if value is None else str(value)


# ---------------------------------------------------------------- writing

TICKET_COLUMNS = ("id", "number", "channel_id", "external_id", "category_id", "rule_id", "title", "description", "address",
                  "lon", "lat", "area_id", "located_by", "routing_reason", "suggested_lead_id", "suggested_support",
                  "citizen_name", "citizen_phone", "urgency", "state", "received_at", "closed_at", "dispatch_round",
                  "updated_at")
EVENT_COLUMNS = ("ticket_id", "seq", "at", "verb", "from_state", "to_state", "note", "data")


def _copy(cursor, table: str, columns, text: str) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(text)


class Writer:
    """Write one batch in one transaction, on PostgreSQL with COPY and elsewhere with bulk_create."""

    def __init__(self, job: ImportJob, now: datetime, channels: dict):
        self.job = job
        self.now = now
        self.prefixes = {code: ch.prefix for code, ch in channels.items()}
        self.pg = connection.vendor == "postgresql"
        # The helper thread may query on its own connection only if it sees what this one sees: PostgreSQL,
        # and no outer transaction around the import (a caller's atomic block, or a test's).
        self.helper_db = self.pg and not connection.in_atomic_block

    def existing(self, rows: list[Row]) -> set:
        """(channel, external id) pairs of these rows that are already tickets."""
        by_channel = defaultdict(list)
        for r in rows:
            by_channel[r.channel].append(r.ext)
        found = set()
        for channel, ids in by_channel.items():
            step = 50_000 if self.pg else 900
            for i in range(0, len(ids), step):
                chunk = ids[i:i + step]
                if self.pg:
                    with connection.cursor() as cur:
                        cur.execute("SELECT external_id FROM tickets_ticket WHERE channel_id = %s AND external_id = ANY(%s)",
                                    [channel, chunk])
                        found.update((channel, e) for (e,) in cur.fetchall())
                else:
                    found.update((channel, e) for e in Ticket.objects.filter(channel_id=channel, external_id__in=chunk)
                                 .values_list("external_id", flat=True))
        return found

    def numbers(self, rows: list[Row]) -> None:
        """Give each row its ticket number, bumping each (channel, day) sequence once by the batch's count."""
        counts = defaultdict(int)
        for r in rows:
            counts[(r.channel, r.day)] += 1
        if not counts:
            return
        keys = sorted(counts)  # one lock order for every importer, so overlapping runs cannot deadlock each other
        last = {}
        with connection.cursor() as cur:
            for i in range(0, len(keys), 300):
                part = keys[i:i + 300]
                cur.execute(
                    "INSERT INTO tickets_numbersequence (channel_id, day, last) VALUES "
                    + ", ".join(["(%s, %s, %s)"] * len(part))
                    + " ON CONFLICT (channel_id, day) DO UPDATE SET last = tickets_numbersequence.last + excluded.last"
                    " RETURNING channel_id, day, last",
                    [v for ch, day in part for v in (ch, connection.ops.adapt_datefield_value(day), counts[(ch, day)])])
                for channel, day, value in cur.fetchall():
                    last[(channel, day if isinstance(day, date) else date.fromisoformat(day))] = value
        nxt = {key: last[key] - counts[key] for key in counts}
        prefixes = self.prefixes
        for r in rows:
            key = (r.channel, r.day)
            nxt[key] += 1
            r.number = f"{prefixes[r.channel]}{r.day:%Y%m%d}{nxt[key]:05d}"

    def insert(self, rows: list[Row]) -> None:
        """Insert the tickets and their timeline events."""
        if self.pg:
            self._insert_pg(rows)
        else:
            self._insert_orm(rows)

    def render(self, rows: list[Row]) -> None:
        """Pre-render each row's COPY text except its id and number (in the helper thread, off the write path)."""
        if not self.pg:
            return
        esc, now, job, null = _esc, self.now.isoformat(), self.job.pk, "\\N"
        for r in rows:
            route = r.route
            closed = null if r.closed is None else r.closed.isoformat()
            lon, lat = (null, null) if r.lon is None else (r.lon, r.lat)
            r.tail = (f"\t{r.channel}\t{esc(r.ext)}\t{r.category}\t{r.rule.pk}\t"
                      f"{esc(r.title)}\t{esc(r.description)}\t{esc(r.address)}\t"
                      f"{lon}\t{lat}\t{route.copy_text}\t{esc(r.citizen_name)}\t{r.citizen_phone}\t"
                      f"{r.urgency}\t{r.state}\t{r.received.isoformat()}\t{closed}\t0\t{now}\n")
            r.event = (f"\t1\t{now}\t{VERB}\t\t{r.state}\t\t"
                       f'{{"job": {job}, "row": {r.row}, {route.event_text}}}\n')

    def _insert_pg(self, rows):
        with connection.cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence('tickets_ticket', 'id')) FROM generate_series(1, %s)", [len(rows)])
            ids = [i for (i,) in cur.fetchall()]
            for pk, r in zip(ids, rows):
                r.pk = pk
            # One COPY per table per batch; ids and numbers are the only parts not rendered beforehand.
            _copy(cur.cursor, "tickets_ticket", TICKET_COLUMNS, "".join([f"{r.pk}\t{r.number}{r.tail}" for r in rows]))
            _copy(cur.cursor, "tickets_timelineevent", EVENT_COLUMNS, "".join([f"{r.pk}{r.event}" for r in rows]))

    def _insert_orm(self, rows):
        tickets = [Ticket(
            number=r.number, channel_id=r.channel, external_id=r.ext, category_id=r.category, rule=r.rule, title=r.title,
            description=r.description, address=r.address, lon=r.lon, lat=r.lat, area_id=r.route.area,
            located_by=r.route.located_by, routing_reason=r.route.reason, suggested_lead_id=r.route.lead,
            suggested_support=r.route.support, citizen_name=r.citizen_name, citizen_phone=r.citizen_phone,
            urgency=r.urgency, state=r.state, received_at=r.received, closed_at=r.closed, dispatch_round=0,
            updated_at=self.now) for r in rows]
        Ticket.objects.bulk_create(tickets, batch_size=500)
        for t, r in zip(tickets, rows):
            r.pk = t.pk
        TimelineEvent.objects.bulk_create([TimelineEvent(
            ticket_id=r.pk, seq=1, at=self.now, verb=VERB, from_state="", to_state=r.state,
            data={"job": self.job.pk, "row": r.row, "area": r.route.area, "located_by": r.route.located_by})
            for r in rows], batch_size=500)

    def recount(self, job_id: int, pool: ThreadPoolExecutor | None = None) -> list[date]:
        """Recount the monthly cubes of every month the job's batches touched; returns those months.

        Each month is recounted from the tickets (the set-based recount of `gridgov metrics rebuild`) in a
        transaction that first locks the cube tables against writers: a live action's cube update waits for it
        and then adds its change on top, and recounts of overlapping imports run one after another, so the last
        one to run counts every batch committed before it. On PostgreSQL two months are counted at a time, the
        second by `pool`'s thread on its own connection (it reads only after the lock is held).
        """
        months = sorted({date.fromisoformat(m) for m in ImportJob.objects.get(pk=job_id).months})
        step = 2 if self.helper_db and pool is not None else 1
        for i in range(0, len(months), step):
            group = months[i:i + step]
            for attempt in range(MAX_ATTEMPTS):
                try:
                    self._recount(group, pool)
                    break
                except OperationalError:
                    # A lock cycle with a live action touching two cube tables: PostgreSQL broke it, count again.
                    if attempt == MAX_ATTEMPTS - 1:
                        raise
                    time.sleep(0.05 * (attempt + 1))
        return months

    def _recount(self, group: list[date], pool) -> None:
        with transaction.atomic():
            if self.pg:
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL synchronous_commit = off")
                    cur.execute(f"LOCK TABLE {', '.join(m._meta.db_table for m in CUBES)} IN SHARE ROW EXCLUSIVE MODE")
            others = [pool.submit(_month_cells, first) for first in group[1:]]
            found = [_month_cells(group[0])] + [f.result() for f in others]
            for first, cells in zip(group, found):
                for model in CUBES:
                    model.objects.filter(month=first).delete()
                    write_cells(model, cells[model])

    def commit(self, rows: list[Row], errors: list, start: int, end: int, known: set | None = None) -> tuple[int, int]:
        """Write one batch atomically (retrying when a concurrent run got there first); returns (imported, skipped).

        `known`: the rows' external ids already in the database, looked up before the transaction (on the
        helper thread). A run that inserted one of the others since then makes the insert fail on the
        unique (channel, external id) constraint, and the retry looks again inside the transaction.
        """
        for attempt in range(MAX_ATTEMPTS):
            try:
                with transaction.atomic():
                    if self.pg:
                        # A database crash may lose the last committed batches, job row included: resume redoes them.
                        with connection.cursor() as cur:
                            cur.execute("SET LOCAL synchronous_commit = off")
                    job = ImportJob.objects.select_for_update().get(pk=self.job.pk)
                    if job.rows_done != start:
                        raise ImportAborted(f"导入任务 {job.pk} 已被另一进程推进到第 {job.rows_done} 行，本进程停止")
                    if attempt:
                        for r in rows:
                            r.number = None
                    existing = known if known is not None and not attempt else self.existing(rows)
                    new = [r for r in rows if (r.channel, r.ext) not in existing]
                    self.numbers(new)
                    if new:
                        self.insert(new)
                    # Skipped rows count too: an earlier, killed run may have written them without recounting.
                    months = {r.day.replace(day=1).isoformat() for r in rows} - set(job.months)
                    ImportRowError.objects.bulk_create(
                        [ImportRowError(job=job, row=n, column=col[:100], message=msg[:300], value=val)
                         for n, col, msg, val in errors], batch_size=1000)
                    skipped = len(rows) - len(new)
                    ImportJob.objects.filter(pk=job.pk).update(
                        rows_done=end, imported=F("imported") + len(new), skipped=F("skipped") + skipped,
                        failed=F("failed") + len({e[0] for e in errors}), batches=F("batches") + 1, updated_at=clock.now(),
                        **({"months": sorted({*job.months, *months})} if months else {}))
                return len(new), skipped
            except (IntegrityError, OperationalError):
                # Another run inserted one of these external ids (or a lock cycle was broken): look again.
                if attempt == MAX_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")


# ---------------------------------------------------------------- the job


@dataclass
class Result:
    """What a run did."""

    job: ImportJob
    imported: int
    skipped: int
    failed: int
    rows: int
    seconds: float
    resumed_from: int = 0


def find_resumable(sha: str, mapping: Mapping) -> ImportJob | None:
    """The latest unfinished job for the same file and mapping."""
    return (ImportJob.objects.filter(file_sha256=sha, mapping_sha256=mapping.sha256)
            .exclude(state=ImportJob.State.DONE).order_by("-id").first())


def run(path: str | Path, mapping: Mapping, *, batch: int = 5000, resume: bool = False, progress=None,
        log=lambda msg: None) -> Result:
    """Import a file (resuming the unfinished job of the same file and mapping if asked); returns the counts."""
    started = time.perf_counter()
    path = Path(path)
    if not path.is_file():
        raise ImportAborted(f"文件不存在：{path}")
    sha = file_sha256(path)
    job = find_resumable(sha, mapping) if resume else None
    if resume and job is None:
        log("没有可继续的导入任务，将从头开始（已存在的外部编号会被跳过）。")
    master = Master.load()
    header, records, total, close = open_rows(path, mapping)
    try:
        now = clock.now()
        validator = Validator(mapping, header, master, now)
        if job is None:
            job = ImportJob.objects.create(
                file_name=str(path), file_sha256=sha, mapping=mapping.raw, mapping_sha256=mapping.sha256,
                channel=mapping.raw.get("cli_channel", ""), batch_size=batch, rows_total=total, started_at=now, updated_at=now)
        else:
            ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.RUNNING, batch_size=batch)
            log(f"继续导入任务 {job.pk}：从第 {job.rows_done} 条数据之后开始。")
        start = job.rows_done
        _skip(records, start, validator, job)
        if progress is not None:
            progress.reset(total=total)
            progress.update(start)
        router, writer = Router(master.inputs), Writer(job, now, master.channels)
        totals = [0, 0, 0]

        def prepare(chunk, first):
            rows, errors = validator.validate(chunk, first)
            router.route(rows)
            writer.render(rows)
            # PostgreSQL: the existing-id lookup runs here too, on this thread's own connection.
            known = writer.existing(rows) if writer.helper_db else None
            return rows, errors, first, first + len(chunk), known

        # One helper thread validates, routes and renders the next batch while this thread writes the current one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            try:
                pending = None
                pos = start
                for chunk in _chunks(records, batch):
                    job_next = pool.submit(prepare, chunk, pos)
                    pos += len(chunk)
                    if pending is not None:
                        _write(writer, pending.result(), totals, progress)
                    pending = job_next
                if pending is not None:
                    _write(writer, pending.result(), totals, progress)
                # The monthly counts of every month this job touched, in this run or a killed earlier one, once at the end.
                writer.recount(job.pk, pool)
            finally:
                if writer.helper_db:
                    pool.submit(lambda: connection.close()).result()  # the helper thread's own connection
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.DONE, finished_at=clock.now(), rows_total=pos,
                                                   updated_at=clock.now())
        job.refresh_from_db()
        return Result(job, totals[0], totals[1], totals[2], pos - start, time.perf_counter() - started, resumed_from=start)
    except BaseException as e:
        if job is not None and job.pk and not isinstance(e, KeyboardInterrupt):
            ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.FAILED, message=str(e)[:1000], updated_at=clock.now())
        raise
    finally:
        close()


def _month_cells(first: date) -> dict:
    return recount.month_cells(Period.month(first.year, first.month), CUBES)


def _write(writer: Writer, prepared, totals, progress) -> None:
    rows, errors, first, end, known = prepared
    imported, skipped = writer.commit(rows, errors, first, end, known)
    totals[0] += imported
    totals[1] += skipped
    totals[2] += len({e[0] for e in errors})
    if progress is not None:
        progress.update(end - first)


def _chunks(records, size: int):
    chunk = []
    for rec in records:
        chunk.append(rec)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _skip(records, count: int, validator: Validator, job: ImportJob) -> None:
    """Pass over the rows committed before, remembering their valid external ids for the in-file duplicate check."""
    if not count:
        return
    bad = set(ImportRowError.objects.filter(job=job).values_list("row", flat=True))
    key_of, seen, first = validator.key_of(), validator.seen, validator.first_row
    for i, rec in zip(range(count), records):
        n = first + i
        if n not in bad:
            seen.setdefault(key_of(rec), n)


def write_report(job: ImportJob, path: str | Path) -> int:
    """Write the job's row errors as a CSV Excel opens (UTF-8 with BOM); returns the number of errors."""
    n = 0
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["行号", "列", "错误", "原值"])
        for row, column, message, value in (ImportRowError.objects.filter(job=job).order_by("row", "id")
                                            .values_list("row", "column", "message", "value").iterator()):
            w.writerow([row, column, message, value])
            n += 1
    return n


def default_report_path(path: str | Path) -> Path:
    """Where the error report goes by default: next to the imported file."""
    p = Path(path)
    return p.with_name(p.stem + ".errors.csv")

