"""The tickets behind a figure (/figures/tickets/), and the figure scope a user may ask for: period, area or unit.

Every number on the dashboards links here with the figure's period, metric (`m`), `part`
(numerator/denominator), scope and basis; the list is `metrics.behind.tickets_behind`, drawn with
the inbox's table, under a header naming the figure, its base and its count.

URLs (namespace "web"):
  figures/tickets/              "figure_tickets"         the list (400 with a Chinese message for bad parameters)
  figures/tickets/export.xlsx   "figure_tickets_export"  the same list as .xlsx
"""

import tempfile
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import render
from django.urls import path, reverse
from openpyxl import Workbook

from gridgov.areas.models import Area, StreetGroup
from gridgov.core import clock
from gridgov.core.errors import InvalidInput
from gridgov.metrics.behind import counter_of, tickets_behind
from gridgov.metrics.compute import Scope, basis_of, counts
from gridgov.metrics.definitions import ASSIGNMENT_COUNTERS, BASES, COUNTER_LABELS, METRICS, derived
from gridgov.metrics.periods import Period
from gridgov.tickets import access
from gridgov.tickets.deadlines import is_overdue
from gridgov.tickets.models import Channel
from gridgov.tickets.queries import ORDERINGS
from gridgov.units.models import Category, Unit
from gridgov.web.views.inbox import EXPORT_COLUMNS, PAGE_SIZE, _xlsx_rows

FIGURES_PERM = "figures.view"
PARTS = {"numerator": "分子", "denominator": "分母"}
SCOPE_PARAMS = ("area", "street_group", "unit", "unit_group", "category", "channel")
DISTRICT_CODE_LENGTH = 6
# Periods far outside any ticket's life only produce overflowing dates (9999-12-31 + 1 day).
FIRST_YEAR, LAST_YEAR = 2000, 2099


class BadParam(Exception):
    """A request parameter the figures cannot be computed from; the message is shown to the user (400)."""

    status = 400


class OutOfScope(BadParam):
    """An area or unit outside the user's grants: answered exactly like a missing one (404)."""

    status = 404

    def __init__(self, message: str = "区域或单位不存在，或无权查看其数据"):
        super().__init__(message)


# --- who may see which figures --------------------------------------------------------------------

@dataclass(frozen=True)
class FigureGrants:
    """The widest area codes and the units in which a user may read figures."""

    areas: list[str]
    units: list[int]

    @property
    def default_area(self) -> str | None:
        """The area of the user's whole scope; None (the whole district, unlocated tickets included) for district grants."""
        if not self.areas or len(self.areas[0]) == DISTRICT_CODE_LENGTH:
            return None
        return self.areas[0]


def figure_grants(user) -> FigureGrants:
    """Return where the user may read figures (grants carrying figures.view)."""
    grants = [g for g in access.grants_of(user) if FIGURES_PERM in g.perms]
    codes = sorted({g.area_code for g in grants if g.area_code})
    widest = [c for c in codes if not any(c.startswith(o) and c != o for o in codes)]
    return FigureGrants(widest, sorted({g.unit_id for g in grants if g.unit_id}))


def may_view_figures(user) -> bool:
    return bool(figure_grants(user).areas or figure_grants(user).units)


def parse_period(text: str | None, today: date | None = None) -> Period:
    """The period of a request: Period.parse text, the current month when empty."""
    if not (text or "").strip():
        today = today or clock.local_date(clock.now())
        return Period.month(today.year, today.month)
    try:
        period = Period.parse(text)
    except InvalidInput as e:
        raise BadParam(e.message) from None
    if not (FIRST_YEAR <= period.start.year and period.end.year <= LAST_YEAR):
        raise BadParam(f"统计期须在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间")
    return period


def _area_param(code: str, grants: FigureGrants) -> str:
    if not code.isdigit() or len(code) > 18 or not Area.objects.filter(code=code).exists():
        raise OutOfScope()
    if not any(code.startswith(root) for root in grants.areas) and not grants.units:
        raise OutOfScope()
    return code


def _unit_param(text: str, grants: FigureGrants) -> int:
    if not text.isdigit() or len(text) > 9 or not Unit.objects.filter(pk=int(text)).exists():  # 9 digits fit any integer column
        raise OutOfScope()
    unit = int(text)
    if not grants.areas and unit not in grants.units:
        raise OutOfScope()
    return unit


def resolve_scope(user, params) -> Scope:
    """The Scope a request asks for, checked against the user's figure grants; their whole scope by default.

    Area users may narrow to any area under their grants and to any unit's work there; unit users
    see their own unit's work only (optionally narrowed to an area).
    """
    grants = figure_grants(user)
    if not grants.areas and not grants.units:
        raise OutOfScope("您的角色无权查看统计数据")
    get = lambda name: (params.get(name) or "").strip()  # noqa: E731
    area = _area_param(get("area"), grants) if get("area") else None
    unit = _unit_param(get("unit"), grants) if get("unit") else None
    if grants.areas:
        if area is not None and not any(area.startswith(root) for root in grants.areas):
            raise OutOfScope()
        if area is None:
            area = grants.default_area
    elif unit is None:
        unit = grants.units[0]
    street_group = get("street_group") or None
    if street_group and not StreetGroup.objects.filter(name=street_group).exists():
        raise BadParam(f"没有名为“{street_group}”的街镇分组")
    unit_group = get("unit_group") or None
    if unit_group and unit_group not in Unit.Group.values:
        raise BadParam(f"没有名为“{unit_group}”的单位分组（可选：{'、'.join(Unit.Group.values)}）")
    category = get("category") or None
    if category and not Category.objects.filter(code=category).exists():
        raise BadParam(f"没有编码为“{category}”的事项分类")
    channel = get("channel") or None
    if channel and not Channel.objects.filter(code=channel).exists():
        raise BadParam(f"没有编码为“{channel}”的渠道")
    if unit_group and not grants.areas:
        raise OutOfScope()
    return Scope(area=area, street_group=street_group, unit=unit, unit_group=unit_group, category=category, channel=channel)


def scope_label(scope: Scope) -> str:
    """The scope in words, e.g. "望月湖街道 · 12345热线"."""
    parts = [Area.objects.filter(code=scope.area).values_list("name", flat=True).first() or scope.area] if scope.area else ["全区"]
    if scope.street_group:
        parts.append(f"{scope.street_group}组街镇")
    if scope.unit is not None:
        parts.append(Unit.objects.filter(pk=scope.unit).values_list("name", flat=True).first() or "")
    if scope.unit_group:
        parts.append(scope.unit_group)
    if scope.category:
        parts.append(Category.objects.filter(code=scope.category).values_list("name", flat=True).first() or scope.category)
    if scope.channel:
        parts.append(Channel.objects.filter(code=scope.channel).values_list("name", flat=True).first() or scope.channel)
    if scope.unit is not None and not scope.area:
        parts.pop(0)  # a unit's work is not limited to one area
    return " · ".join(p for p in parts if p)


def tickets_url(period: Period, scope: Scope, m: str, part: str = "numerator", basis: str | None = None) -> str:
    """The link from a figure to the tickets behind it."""
    params = {"period": period.slug, "m": m}
    if part != "numerator":
        params["part"] = part
    for name in SCOPE_PARAMS:
        value = getattr(scope, name)
        if value is not None and value != "":
            params[name] = value
    if basis:
        params["basis"] = basis
    return f"{reverse('web:figure_tickets')}?{urlencode(params)}"


# --- the list behind a figure ---------------------------------------------------------------------

@dataclass(frozen=True)
class FigureQuery:
    """A parsed /figures/tickets/ request."""

    period: Period
    scope: Scope
    code: str
    part: str
    counter: str
    basis: str  # the basis actually used

    @property
    def title(self) -> str:
        """E.g. "满意率的分母：有效回访工单"."""
        label = COUNTER_LABELS[self.counter]
        metric = METRICS.get(self.code)
        if metric is None:
            return label
        if metric.denominator is None:
            return f"{metric.name}：{label}"
        return f"{metric.name}的{PARTS[self.part]}：{label}"


def formula(code: str) -> str:
    """A metric in words, e.g. "满意率 = 满意和基本满意工单 ÷ 有效回访工单（以最近一次有效回访为准）"."""
    metric = METRICS.get(code)
    if metric is None or metric.kind == "composite":
        return ""
    text = f"{metric.name} = {COUNTER_LABELS.get(metric.numerator, metric.numerator)}"
    if metric.denominator:
        text += f" ÷ {COUNTER_LABELS.get(metric.denominator, metric.denominator)}"
    return text + (f"（{metric.note}）" if metric.note else "")


def read_query(user, params) -> FigureQuery:
    """Parse and check the parameters of a figure's ticket list; BadParam (400) or OutOfScope (404) otherwise."""
    code = (params.get("m") or "").strip()
    if not code:
        raise BadParam("缺少参数 m：请指定指标或统计口径（如 satisfaction_rate、received）")
    part = (params.get("part") or "numerator").strip()
    if part not in PARTS:
        raise BadParam("参数 part 只能是 numerator（分子）或 denominator（分母）")
    if code not in METRICS and code not in COUNTER_LABELS:
        raise BadParam(f"未知的指标或统计口径：{code}")
    try:
        counter = counter_of(code, part)
    except InvalidInput as e:
        raise BadParam(e.message) from None
    basis = (params.get("basis") or "").strip() or None
    if basis and basis not in BASES:
        raise BadParam("参数 basis 只能是 ticket（按工单计）或 unit（按单位计）")
    period = parse_period(params.get("period"))
    scope = resolve_scope(user, params)
    return FigureQuery(period, scope, code, part, counter, basis_of(scope, None, basis))


def figure_count(q: FigureQuery, now=None) -> int:
    """What the figure itself counts for this part (records, not tickets, for assignment counters)."""
    row = derived(counts(q.period, q.scope, None, q.basis, now)[None])
    return row.get(q.counter, 0) or 0


def _count_note(q: FigureQuery, counted: int, listed: int) -> str:
    """Why the list may hold fewer tickets than the figure counts; empty when they agree."""
    if counted == listed:
        return ""
    if q.counter in ASSIGNMENT_COUNTERS:
        return f"该口径统计的是交办记录（共 {counted:,} 条）；同一工单多次交办或联合交办时对应一件工单，故工单为 {listed:,} 件。"
    if q.basis == "unit":
        return f"按单位计，联合办理的工单每个单位各计一次（共 {counted:,} 次），对应不重复工单 {listed:,} 件。"
    return f"统计数为 {counted:,}；清单只列出您有权查看的工单（{listed:,} 件）。"


def _error(request, err: BadParam):
    return render(request, "web/dashboard/error.html", {"title": "参数错误" if err.status == 400 else "无权查看", "message": str(err)},
                  status=err.status)


def _listing(request):
    """(FigureQuery, ordered queryset, ordering) of a request; raises BadParam."""
    q = read_query(request.user, request.GET)
    ordering = request.GET.get("ordering") or "-received_at"
    if ordering not in ORDERINGS:
        raise BadParam(f"无法按“{ordering}”排序")
    qs = tickets_behind(request.user, q.period, q.scope, q.counter, q.basis)
    return q, qs.select_related("channel", "category", "area").order_by(*ORDERINGS[ordering]), ordering


@login_required
def figure_tickets(request):
    """The tickets behind one figure, with which figure and base they are, in the inbox's table."""
    if not may_view_figures(request.user):
        return render(request, "web/no_role.html", status=403)
    try:
        q, qs, ordering = _listing(request)
    except BadParam as err:
        return _error(request, err)
    now = clock.now()
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for t in page.object_list:
        t.is_late = is_overdue(t.handle_deadline, now, t.closed_at)
    listed = page.paginator.count
    counted = figure_count(q, now)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/dashboard/tickets.html", {
        "title": f"{q.title} · {q.period.label}", "q": q, "page": page, "ordering": ordering, "query": query.urlencode(),
        "listed": listed, "counted": counted, "note": _count_note(q, counted, listed),
        "scope_label": scope_label(q.scope), "base": BASES[q.basis], "formula": formula(q.code),
        "dashboard_url": _dashboard_url(q),
    })


def _dashboard_url(q: FigureQuery) -> str:
    params = {"period": q.period.slug}
    if q.scope.area:
        params["area"] = q.scope.area
    if q.scope.unit is not None:
        params["unit"] = q.scope.unit
    return f"{reverse('web:dashboard')}?{urlencode(params)}"


@login_required
def figure_tickets_export(request):
    """The same list as .xlsx, written row by row to disk (the inbox's export)."""
    if not may_view_figures(request.user):
        return render(request, "web/no_role.html", status=403)
    try:
        q, qs, _ordering = _listing(request)
    except BadParam as err:
        return _error(request, err)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("工单清单")
    sheet.append([f"{q.period.label} · {scope_label(q.scope)} · {q.title}（{BASES[q.basis]}）"])
    sheet.append(EXPORT_COLUMNS)
    for row in _xlsx_rows(qs, clock.now()):
        sheet.append(row)
    out = tempfile.TemporaryFile(suffix=".xlsx")
    book.save(out)
    out.seek(0)
    name = f"{q.period.slug}-{q.code}-{q.part}.xlsx".replace("..", "至")
    return FileResponse(out, as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


urlpatterns = [
    path("figures/tickets/", figure_tickets, name="figure_tickets"),
    path("figures/tickets/export.xlsx", figure_tickets_export, name="figure_tickets_export"),
]
