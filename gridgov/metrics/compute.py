"""Figures for any scope, period and breakdown: from the monthly counts when they can answer, else from the tickets."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, DateField, F, Q, Sum
from django.db.models.functions import Left, TruncDate, TruncMonth

from gridgov.areas.models import Area, StreetGroup
from gridgov.core.clock import LOCAL_TZ
from gridgov.metrics import counters
from gridgov.metrics.definitions import ALL_COUNTERS, STORED_COUNTERS, Figure, figures as evaluate
from gridgov.metrics.models import AreaMonthCount, GridMonthCount, StreetMonthCount, UnitMonthCount
from gridgov.metrics.periods import Period
from gridgov.tickets.models import Assignment, Ticket
from gridgov.supervision.models import Urge
from gridgov.units.models import Category, Unit
from gridgov.whistles.models import WhistleSummons

__all__ = ["Scope", "Row", "Figure", "figures", "breakdown", "crosstab", "counts", "BREAKDOWNS"]

AREA_LEVELS = {"street": 1, "community": 2, "grid3": 3, "grid4": 4}
BREAKDOWN_OF_LEVEL = {level: by for by, level in AREA_LEVELS.items()}
CODE_LENGTH = {level: 6 + 3 * level for level in range(5)}
BREAKDOWNS = {
    "street": "街道（镇）", "community": "社区（村）", "grid3": "三级网格", "grid4": "四级网格",
    "street_group": "街道分组", "category_class": "事项大类", "category": "事项小类", "channel": "渠道",
    "unit": "承办单位", "unit_group": "单位分组", "month": "月份", "day": "日期",
}
UNIT_BREAKDOWNS = {"unit", "unit_group"}


@dataclass(frozen=True)
class Scope:
    """Which tickets a figure covers, besides the period."""

    area: str | None = None  # an area code: the whole subtree
    street_group: str | None = None  # a StreetGroup name: its streets' subtrees
    unit: int | None = None
    unit_group: str | None = None
    category: str | None = None  # a category code: the whole subtree
    channel: str | None = None

    @property
    def is_unit(self) -> bool:
        return self.unit is not None or bool(self.unit_group)


@dataclass
class Row:
    """One line of a breakdown."""

    key: str
    label: str
    figures: dict
    extra: dict = field(default_factory=dict)


def basis_of(scope: Scope, by: str | None = None, basis: str | None = None) -> str:
    """The basis a figure is counted on: the unit basis whenever units are the subject."""
    if scope.is_unit or by in UNIT_BREAKDOWNS:
        return "unit"
    return basis or "ticket"


def street_codes(group_name: str) -> list[str]:
    """The street codes of a street group."""
    return list(StreetGroup.objects.filter(name=group_name).values_list("streets__code", flat=True).exclude(streets__code=None))


def _prefixes(field_name: str, codes) -> Q:
    q = Q(pk__in=[])
    for code in codes:
        q |= Q(**{f"{field_name}__startswith": code})
    return q


def _category_ids(code: str) -> list[int]:
    return list(Category.objects.filter(code__startswith=code).values_list("pk", flat=True))


# --- key expressions ---------------------------------------------------------------------------

def _key_expr(by: str, via: str, stored: bool):
    """The SQL expression a breakdown groups on, over the monthly counts (stored) or tickets/assignments (via)."""
    if by in ("street", "community", "grid3", "grid4", "street_group"):
        length = CODE_LENGTH[AREA_LEVELS.get(by, 1)]
        return Left("area_key" if stored else f"{via}area_id", length)
    if by in ("category", "category_class"):
        return F("category_id" if stored else f"{via}category_id")
    if by == "channel":
        return F("channel_id" if stored else f"{via}channel_id")
    if by in ("unit", "unit_group"):
        return F("unit_id")
    if by == "month":
        return F("month") if stored else TruncMonth(f"{via}received_at", tzinfo=LOCAL_TZ, output_field=DateField())
    if by == "day":
        return TruncDate(f"{via}received_at", tzinfo=LOCAL_TZ)
    raise ValueError(by)


def _group(qs, by, via, stored, aggregates) -> dict:
    """Run aggregates over a queryset, grouped by the breakdown key (a tuple of keys for a cross table; None: one total)."""
    if by is None:
        return {None: qs.aggregate(**aggregates)}
    bys = by if isinstance(by, tuple) else (by,)
    keys = {f"k{i}": _key_expr(b, via, stored) for i, b in enumerate(bys)}
    rows = qs.order_by().values(**keys).annotate(**aggregates)
    if len(bys) == 1:
        return {row["k0"]: row for row in rows}
    return {tuple(row[k] for k in keys): row for row in rows}


# --- where counts come from ----------------------------------------------------------------------

def _cube_for(period: Period, scope: Scope, by: str | None, basis: str):
    """The monthly count table that can answer, or None to count the tickets."""
    if isinstance(by, tuple):
        models = {_cube_for(period, scope, b, basis) for b in by}
        return models.pop() if len(models) == 1 else None
    if period.months() is None:
        return None
    if basis == "unit":
        return UnitMonthCount if scope.area is None and not scope.street_group and by in (None, "unit", "unit_group", "category", "category_class", "channel", "month") else None
    district_by = (None, "street", "street_group", "category", "category_class", "channel", "month")
    if (scope.area is None or len(scope.area) <= CODE_LENGTH[1]) and by in district_by:
        return StreetMonthCount
    if (scope.area is None or len(scope.area) <= CODE_LENGTH[2]) and by in district_by + ("community",):
        return AreaMonthCount
    if scope.category is None and by in (None, "street", "community", "grid3", "grid4", "channel", "month"):
        return GridMonthCount
    return None


def _stored_from_cube(model, period: Period, scope: Scope, by) -> dict:
    qs = model.objects.filter(month__in=period.months())
    if scope.area:
        qs = qs.filter(area_key__startswith=scope.area)
    if scope.street_group:
        qs = qs.filter(_prefixes("area_key", street_codes(scope.street_group)))
    if scope.category:
        qs = qs.filter(category_id__in=_category_ids(scope.category))
    if scope.channel:
        qs = qs.filter(channel_id=scope.channel)
    if scope.unit is not None:
        qs = qs.filter(unit_id=scope.unit)
    if scope.unit_group:
        qs = qs.filter(unit_id__in=Unit.objects.filter(group=scope.unit_group).values("pk"))
    return _group(qs, by, "", True, {name: Sum(name) for name in STORED_COUNTERS})


def ticket_filter(period: Period, scope: Scope, via: str = "") -> Q:
    """The condition on tickets (or, via "ticket__", on assignments) for a period and scope."""
    start, end = period.bounds()
    q = Q(**{f"{via}received_at__gte": start, f"{via}received_at__lt": end})
    if scope.area:
        q &= Q(**{f"{via}area__code__startswith": scope.area})
    if scope.street_group:
        q &= _prefixes(f"{via}area__code", street_codes(scope.street_group))
    if scope.category:
        q &= Q(**{f"{via}category_id__in": _category_ids(scope.category)})
    if scope.channel:
        q &= Q(**{f"{via}channel_id": scope.channel})
    return q


def _unit_records(qs, via: str, period: Period, scope: Scope):
    """Records held by units (assignments, summons, urges) on the tickets of a period and scope, the scope's units only."""
    qs = qs.filter(ticket_filter(period, scope, via))
    if scope.unit is not None:
        qs = qs.filter(unit_id=scope.unit)
    if scope.unit_group:
        qs = qs.filter(unit__group=scope.unit_group)
    return qs


def assignments_in(period: Period, scope: Scope):
    """The assignments of the tickets in a period and scope (only the scope's units, if it names any)."""
    return _unit_records(Assignment.objects.all(), "ticket__", period, scope)


def _stored_from_tickets(period: Period, scope: Scope, by, basis: str) -> dict:
    assignments = assignments_in(period, scope)
    if basis == "unit":
        outcomes = _group(counters.with_outcomes(counters.attributions(assignments), "ticket__"), by, "ticket__", False,
                          counters.outcome_aggregates("ticket__"))
    else:
        tickets = Ticket.objects.filter(ticket_filter(period, scope, ""))
        outcomes = _group(counters.with_outcomes(tickets), by, "", False, counters.outcome_aggregates())
    by_assignment = _group(assignments, by, "ticket__", False, counters.assignment_aggregates())
    merged = defaultdict(dict)
    for part in (outcomes, by_assignment):
        for key, row in part.items():
            merged[key].update(row)
    return merged


def _live(period: Period, scope: Scope, by, basis: str, now=None) -> dict:
    """The counters that change with the clock, always counted from the tickets."""
    if basis == "unit":
        qs, via = counters.overdue_open_assignments(assignments_in(period, scope), now), "ticket__"
    else:
        qs, via = counters.overdue_open_tickets(Ticket.objects.filter(ticket_filter(period, scope, "")), now), ""
    out = _group(qs, by, via, False, {"overdue_open": Count("*")})
    for key, row in _group(summons_in(period, scope), by, "whistle__ticket__", False, counters.whistle_aggregates(now)).items():
        out.setdefault(key, {}).update(row)
    for key, row in _group(urges_in(period, scope), by, "ticket__", False, {"urges": Count("*")}).items():
        out.setdefault(key, {}).update(row)
    return out


def summons_in(period: Period, scope: Scope):
    """The 吹哨报到 summons on the tickets of a period and scope (only the scope's units, if it names any)."""
    return _unit_records(WhistleSummons.objects.all(), "whistle__ticket__", period, scope)


def urges_in(period: Period, scope: Scope):
    """The 催办 records on the tickets of a period and scope (only those urging the scope's units, if it names any)."""
    return _unit_records(Urge.objects.all(), "ticket__", period, scope)


def counts(period: Period, scope: Scope = Scope(), by: str | None = None, basis: str | None = None, now=None,
           fresh: bool = False) -> dict:
    """{raw key: {counter: value}} for a breakdown (key None for the total); fresh=True always counts the tickets."""
    basis = basis_of(scope, by, basis)
    model = None if fresh else _cube_for(period, scope, by, basis)
    stored = _stored_from_cube(model, period, scope, by) if model else _stored_from_tickets(period, scope, by, basis)
    out = defaultdict(lambda: {name: 0 for name in ALL_COUNTERS})
    for part in (stored, _live(period, scope, by, basis, now)):
        for key, row in part.items():
            out[key].update({name: value or 0 for name, value in row.items() if name in ALL_COUNTERS})
    if by is None and None not in out:
        out[None]  # noqa: B018 - a total of zeros when nothing matched
    return dict(out)


# --- labelled results ----------------------------------------------------------------------------

def _add(into: dict, row: dict) -> None:
    for name, value in row.items():
        into[name] = into.get(name, 0) + value


def _population(codes) -> dict[str, int | None]:
    """Residents of each area: its own figure, else (for the district and streets) the sum of its communities'."""
    out = dict(Area.objects.filter(code__in=list(codes)).values_list("code", "population"))
    missing = [code for code, own in out.items() if own is None and len(code) < CODE_LENGTH[2]]
    if missing:
        communities = list(Area.objects.filter(level=2, population__isnull=False).values_list("code", "population"))
        for code in missing:
            out[code] = sum(p for c, p in communities if c.startswith(code)) or None
    return out


def _area_rows(by, scope, raw) -> list[tuple]:
    level = AREA_LEVELS[by]
    areas = Area.objects.filter(level=level).order_by("code")
    if scope.area:
        areas = areas.filter(code__startswith=scope.area)
    areas = list(areas.values("code", "name", "kind", "population"))
    if level < 2:
        population = _population(a["code"] for a in areas)
        for a in areas:
            a["population"] = population[a["code"]]
    return [(a["code"], a["name"], raw.get(a["code"]), {"kind": a["kind"], "level": level, "population": a["population"]})
            for a in areas]


def _street_group_rows(scope, raw) -> list[tuple]:
    rows = []
    for group in StreetGroup.objects.prefetch_related("streets").order_by("sort", "name"):
        codes = [s.code for s in group.streets.all() if not scope.area or s.code.startswith(scope.area)]
        total = {}
        for code in codes:
            _add(total, raw.get(code, {}))
        population = _population(codes)
        rows.append((group.name, group.name, total,
                     {"streets": codes, "population": sum(p or 0 for p in population.values()) or None}))
    return rows


def _unit_rows(by, scope, raw) -> list[tuple]:
    units = Unit.objects.filter(active=True).exclude(kind=Unit.Kind.CENTER).order_by("kind", "code")
    if scope.unit is not None:
        units = units.filter(pk=scope.unit)
    if scope.unit_group:
        units = units.filter(group=scope.unit_group)
    units = list(units)
    if by == "unit":
        return [(str(u.pk), u.name, raw.get(u.pk), {"kind": u.kind, "group": u.group, "code": u.code}) for u in units]
    rows = []
    for value, label in Unit.Group.choices:
        total = {}
        for u in units:
            if u.group == value:
                _add(total, raw.get(u.pk, {}))
        rows.append((value, label, total, {}))
    territorial = {}
    for u in units:
        if u.kind == Unit.Kind.TERRITORIAL:
            _add(territorial, raw.get(u.pk, {}))
    rows.append(("territorial", "属地街镇", territorial, {}))
    return rows


def _category_rows(by, raw) -> list[tuple]:
    cats = {c.pk: c for c in Category.objects.all()}
    if by == "category":
        return [(cats[k].code, cats[k].name, v, {}) for k, v in sorted(raw.items(), key=lambda kv: cats[kv[0]].code) if k in cats]
    by_class, labels = {}, {}
    for pk, row in raw.items():
        root = cats[pk]
        while root.parent_id:
            root = cats[root.parent_id]
        _add(by_class.setdefault(root.code, {}), row)
        labels[root.code] = root.name
    return [(code, labels[code], by_class[code], {}) for code in sorted(by_class)]


def _channel_rows(raw) -> list[tuple]:
    from gridgov.tickets.models import Channel

    return [(c.code, c.name, raw.get(c.code), {}) for c in Channel.objects.order_by("sort", "code")
            if c.active or raw.get(c.code)]


def breakdown(period: Period, by: str, scope: Scope = Scope(), codes=None, weights=None, basis=None, now=None,
              fresh: bool = False) -> list[Row]:
    """Figures per street, community, grid, group, category, channel, unit or date."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    basis = basis_of(scope, by, basis)
    raw = counts(period, scope, "street" if by == "street_group" else by, basis, now, fresh)
    if by in AREA_LEVELS:
        rows = _area_rows(by, scope, raw)
    elif by == "street_group":
        rows = _street_group_rows(scope, raw)
    elif by in UNIT_BREAKDOWNS:
        rows = _unit_rows(by, scope, {int(k): v for k, v in raw.items() if k is not None})
    elif by in ("category", "category_class"):
        rows = _category_rows(by, raw)
    elif by == "channel":
        rows = _channel_rows(raw)
    else:
        rows = [(k.isoformat(), k.isoformat(), v, {}) for k, v in sorted(raw.items()) if k is not None]
    out = []
    for key, label, row, extra in rows:
        row = dict(row or {})
        row["population"] = extra.get("population")
        out.append(Row(str(key), label, evaluate(row, codes, basis, weights), extra))
    return out


def figures(period: Period, scope: Scope = Scope(), codes=None, basis=None, weights=None, now=None,
            fresh: bool = False) -> dict[str, Figure]:
    """The figures of one scope and period."""
    basis = basis_of(scope, None, basis)
    row = counts(period, scope, None, basis, now, fresh)[None]
    if scope.area:
        row["population"] = _population([scope.area]).get(scope.area)
    elif scope.street_group:
        row["population"] = sum(p or 0 for p in _population(street_codes(scope.street_group)).values()) or None
    elif not scope.is_unit:
        row["population"] = sum(Area.objects.filter(level=2, population__isnull=False).values_list("population", flat=True)) or None
    return evaluate(row, codes, basis, weights)


def _labels(by: str, scope: Scope) -> list[tuple[str, str]]:
    """(key, label) of every line a breakdown shows, in order."""
    if by in AREA_LEVELS:
        return [(k, label) for k, label, _row, _extra in _area_rows(by, scope, {})]
    if by == "street_group":
        return [(k, label) for k, label, _row, _extra in _street_group_rows(scope, {})]
    if by in UNIT_BREAKDOWNS:
        return [(str(k), label) for k, label, _row, _extra in _unit_rows(by, scope, {})]
    if by == "channel":
        return [(k, label) for k, label, _row, _extra in _channel_rows({})]
    if by in ("category", "category_class"):
        cats = Category.objects.filter(level=1) if by == "category_class" else Category.objects.filter(children=None)
        return list(cats.order_by("code").values_list("code", "name"))
    raise ValueError(f"{by!r} cannot be a side of a cross table")


def _mapper(by: str):
    """Map a raw group key onto the keys of the lines it belongs to."""
    if by in AREA_LEVELS:
        length = CODE_LENGTH[AREA_LEVELS[by]]
        return lambda k: [k] if k and len(k) == length else []
    if by == "street_group":
        groups = defaultdict(list)
        for name, code in StreetGroup.objects.values_list("name", "streets__code"):
            groups[code].append(name)
        return lambda k: groups.get(k, [])
    if by in ("category", "category_class"):
        cats = {c.pk: c for c in Category.objects.all()}

        def root(pk):
            c = cats[pk]
            while by == "category_class" and c.parent_id:
                c = cats[c.parent_id]
            return [c.code]
        return root
    if by == "unit_group":
        # As in the unit_group breakdown: a unit counts in its group, a territorial unit also under 属地街镇.
        groups = {u.pk: [g for g in (u.group, "territorial" if u.kind == Unit.Kind.TERRITORIAL else "") if g]
                  for u in Unit.objects.all()}
        return lambda k: groups.get(k, [])
    return lambda k: [str(k)]


@dataclass
class CrossTable:
    """Figures for every (row, column) pair, e.g. category × street."""

    rows: list[tuple[str, str]]
    cols: list[tuple[str, str]]
    cells: dict  # (row key, column key) -> {code: Figure}

    def value(self, row: str, col: str, code: str):
        cell = self.cells.get((row, col))
        return cell[code].value if cell else 0


def crosstab(period: Period, rows_by: str, cols_by: str, scope: Scope = Scope(), codes=("received",), basis=None,
             now=None, fresh: bool = False) -> CrossTable:
    """A two-way breakdown; cells without tickets are left out (their counts are zero)."""
    basis = basis_of(scope, rows_by if rows_by in UNIT_BREAKDOWNS else cols_by, basis)
    raw_by = tuple("street" if b == "street_group" else "unit" if b == "unit_group" else b for b in (rows_by, cols_by))
    raw = counts(period, scope, raw_by, basis, now, fresh)
    map_row, map_col = _mapper(rows_by), _mapper(cols_by)
    summed = defaultdict(dict)
    for (rk, ck), row in raw.items():
        for r in map_row(rk):
            for c in map_col(ck):
                _add(summed[(r, c)], row)
    cells = {key: evaluate(row, list(codes), basis) for key, row in summed.items()}
    return CrossTable(_labels(rows_by, scope), _labels(cols_by, scope), cells)
