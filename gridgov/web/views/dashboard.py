"""数据看板 and 大屏: a scope's figures for a period as cards, ECharts charts, a grid heat map and a unit league table.

URLs (namespace "web"):
  dashboard/         "dashboard"         the page, filtered by period and area (or unit); figures.view
  dashboard/screen/  "dashboard_screen"  the command centre's full-screen dark view, reloaded every 60 s
Chart data is rendered into the page with json_script ("dash-data") and drawn by static/web/dashboard.js;
every chart has a table fallback, and every number links to the tickets behind it (views/figures.py).
Stable ids for tests: [data-figure=<code>] cards, #chart-trend, #chart-channel, #chart-pareto,
#chart-satisfaction, #heat-map, #league, #overdue-now.
"""

from calendar import monthrange
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Min
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse

from gridgov.areas.models import LEVEL_NAMES, Area
from gridgov.core import clock
from gridgov.metrics.compute import BREAKDOWN_OF_LEVEL, Scope, breakdown, figures
from gridgov.metrics.definitions import METRICS
from gridgov.metrics.periods import Period
from gridgov.tickets.models import Ticket
from gridgov.units.models import Unit
from gridgov.web.views.figures import (
    BadParam, FigureGrants, _error, figure_grants, may_view_figures, parse_period, resolve_scope, scope_label, tickets_url,
)

CARD_CODES = ["received", "close_rate", "ontime_close_rate", "satisfaction_rate", "resolution_rate", "response_rate",
              "three_rates", "unsatisfied", "overdue_open"]
LEAGUE_CODES = ["received", "response_rate", "resolution_rate", "satisfaction_rate", "three_rates", "overdue_open"]
THREE_RATE_PARTS = ("response_rate", "resolution_rate", "satisfaction_rate")
# The breakdown that lists an area's children, by the area's level (the district is level 0).
DAILY_UP_TO_DAYS = 62  # longer periods trend by month
SCREEN_REFRESH_SECONDS = 60
SCREEN_LEAGUE = 5


# --- small helpers -------------------------------------------------------------------------------

def _json_number(value):
    """A figure value for the charts (JSON has no Decimal)."""
    return float(value) if isinstance(value, Decimal) else value


def _month_end(first: date) -> date:
    return first.replace(day=monthrange(first.year, first.month)[1])


def _months_back(first: date, n: int) -> date:
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def trend_by(period: Period) -> str:
    return "day" if (period.end - period.start).days < DAILY_UP_TO_DAYS else "month"


def row_period(period: Period, by: str, first: date) -> Period:
    """The period of one trend point, clipped to the selected period."""
    if by == "day":
        return Period.day(first)
    last = _month_end(first)
    if first >= period.start and last <= period.end:
        return Period.month(first.year, first.month)
    return Period.range(max(first, period.start), min(last, period.end))


def _points(period: Period, by: str) -> list[date]:
    """Every day or month of the period, so days without tickets show as zero."""
    out, d = [], period.start if by == "day" else period.start.replace(day=1)
    while d <= period.end:
        out.append(d)
        d = d + timedelta(days=1) if by == "day" else _month_end(d) + timedelta(days=1)
    return out


def to_date_period(now) -> Period:
    """Every whole month from the first ticket's to the current one: "now" for live counts like 超期未办结."""
    today = clock.local_date(now)
    first = Ticket.objects.aggregate(first=Min("received_at"))["first"]
    start = clock.local_date(first).replace(day=1) if first else today.replace(day=1)
    return Period.range(min(start, today.replace(day=1)), _month_end(today))


# --- the pieces of a dashboard -------------------------------------------------------------------

def card(period: Period, scope: Scope, fig) -> dict:
    """One figure with its base and the links to its numerator's and denominator's tickets."""
    metric = METRICS[fig.code]
    out = {"code": fig.code, "name": fig.name, "display": fig.display, "value": fig.value, "base": fig.base,
           "note": metric.note, "numerator": fig.numerator, "denominator": fig.denominator, "kind": metric.kind}
    if metric.kind == "composite":
        out["parts"] = [METRICS[c].name for c in THREE_RATE_PARTS]
        return out
    out["num_url"] = tickets_url(period, scope, fig.code)
    if metric.denominator:
        out["den_url"] = tickets_url(period, scope, fig.code, "denominator")
    return out


def cards(period: Period, scope: Scope, now=None) -> list[dict]:
    figs = figures(period, scope, codes=CARD_CODES, now=now)
    return [card(period, scope, figs[code]) for code in CARD_CODES]


def trend(period: Period, scope: Scope, now=None) -> dict:
    """受理量 and 办结量 per day (a month or shorter) or per month."""
    by = trend_by(period)
    rows = {r.key: r for r in breakdown(period, by, scope, codes=["received", "closed"], now=now)}
    today = clock.local_date(now or clock.now())
    points = []
    for d in _points(period, by):
        if d > today:
            break  # the rest of the period has not happened yet
        row, sub = rows.get(d.isoformat()), row_period(period, by, d)
        points.append({
            "label": f"{d.month}-{d.day:02d}" if by == "day" else f"{d.year}-{d.month:02d}", "period": sub.label,
            "received": row.figures["received"].value if row else 0, "closed": row.figures["closed"].value if row else 0,
            "received_url": tickets_url(sub, scope, "received"), "closed_url": tickets_url(sub, scope, "closed"),
        })
    return {"by": by, "by_label": "按日" if by == "day" else "按月", "points": points}


def channels(period: Period, scope: Scope, now=None) -> list[dict]:
    rows = breakdown(period, "channel", scope, codes=["received"], now=now)
    out = [{"key": r.key, "name": r.label, "value": r.figures["received"].value,
            "url": tickets_url(period, replace(scope, channel=r.key), "received")} for r in rows if r.figures["received"].value]
    total = sum(r["value"] for r in out)
    for r in out:
        r["share"] = round(100 * r["value"] / total, 2) if total else None
    return sorted(out, key=lambda r: -r["value"])


def pareto(period: Period, scope: Scope, now=None) -> list[dict]:
    """事项大类 by 受理量, largest first, with the cumulative share."""
    rows = [r for r in breakdown(period, "category_class", scope, codes=["received"], now=now) if r.figures["received"].value]
    rows.sort(key=lambda r: (-r.figures["received"].value, r.key))
    total = sum(r.figures["received"].value for r in rows)
    out, running = [], 0
    for r in rows:
        running += r.figures["received"].value
        out.append({"key": r.key, "name": r.label, "value": r.figures["received"].value,
                    "cumulative": round(100 * running / total, 2) if total else None,
                    "url": tickets_url(period, replace(scope, category=r.key), "received")})
    return out


def satisfaction_trend(period: Period, scope: Scope, now=None) -> list[dict]:
    """满意率 of the twelve months ending with the period's last month."""
    last = period.end.replace(day=1)
    span = Period.range(_months_back(last, 11), _month_end(last))
    rows = {r.key: r for r in breakdown(span, "month", scope, codes=["satisfaction_rate"], now=now)}
    out = []
    for d in _points(span, "month"):
        fig = rows[d.isoformat()].figures["satisfaction_rate"] if d.isoformat() in rows else None
        month = Period.month(d.year, d.month)
        out.append({"label": f"{d.year}-{d.month:02d}", "period": month.label,
                    "value": _json_number(fig.percent) if fig and fig.percent is not None else None,
                    "display": fig.display if fig else "—", "numerator": fig.numerator if fig else 0,
                    "denominator": fig.denominator if fig else 0,
                    "url": tickets_url(month, scope, "satisfaction_rate"),
                    "den_url": tickets_url(month, scope, "satisfaction_rate", "denominator")})
    return out


def heat(period: Period, scope: Scope, total: int, now=None) -> dict | None:
    """受理量 per child area of the scope's area, for the grid map; None for a unit's scope (it has no area)."""
    if scope.unit is not None or scope.unit_group:
        return None
    level = Area.objects.filter(code=scope.area).values_list("level", flat=True).first() if scope.area else 0
    by = BREAKDOWN_OF_LEVEL.get(level + 1)
    rows = breakdown(period, by, scope, codes=["received", "overdue_open"], now=now) if by else []
    areas = [{"code": r.key, "name": r.label, "received": r.figures["received"].value, "overdue": r.figures["overdue_open"].value,
              "url": tickets_url(period, replace(scope, area=r.key), "received"),
              "dashboard": f"{reverse('web:dashboard')}?period={period.slug}&area={r.key}"} for r in rows]
    return {"parent": scope.area or "", "level_label": LEVEL_NAMES.get(level + 1, "区域") if by else LEVEL_NAMES.get(level, ""),
            "areas_url": reverse("web:map_areas"), "areas": areas, "total": total,
            "total_url": tickets_url(period, scope, "received")}


def league(period: Period, scope: Scope, now=None) -> list[dict]:
    """Units ranked by 三率 (unit basis), every number with the link to its tickets."""
    out = []
    for r in breakdown(period, "unit", scope, codes=LEAGUE_CODES, now=now):
        figs = r.figures
        if not figs["received"].numerator and not figs["response_rate"].denominator and not figs["overdue_open"].value:
            continue  # a unit with no work in the scope
        unit_scope = replace(scope, unit=int(r.key))
        out.append({"key": r.key, "name": r.label, "group": r.extra.get("group") or "属地单位",
                    "three_rates": figs["three_rates"].value,
                    "cells": [card(period, unit_scope, figs[code]) for code in LEAGUE_CODES]})
    out.sort(key=lambda u: (u["three_rates"] is None, -(u["three_rates"] or 0), u["name"]))
    for i, u in enumerate(out, 1):
        u["rank"] = i
    return out


def overdue_now(scope: Scope, now) -> dict:
    """超期未办结 at this moment, over every ticket ever received in the scope."""
    span = to_date_period(now)
    fig = figures(span, scope, codes=["overdue_open"], now=now)["overdue_open"]
    return {"value": fig.value, "display": fig.display, "base": fig.base, "url": tickets_url(span, scope, "overdue_open"),
            "at": clock.localtime(now)}


def chart_data(trend_: dict, channels_: list, pareto_: list, satisfaction_: list | None, heat_: dict | None) -> dict:
    """What dashboard.js draws (the same rows as the tables, numbers as JSON numbers)."""
    return {"trend": trend_, "channels": channels_, "pareto": pareto_, "satisfaction": satisfaction_, "heat": heat_}


# --- filter form ---------------------------------------------------------------------------------

def quick_periods(today: date) -> list[tuple[str, str]]:
    this_month = Period.month(today.year, today.month)
    return [("本月", this_month.slug), ("上月", this_month.previous().slug), ("本季度", f"{today.year}-Q{(today.month + 2) // 3}"),
            ("本年", str(today.year)), ("上年", str(today.year - 1)),
            ("近30天", f"{(today - timedelta(days=29)).isoformat()}..{today.isoformat()}")]


def area_options(grants: FigureGrants, selected: str | None) -> list[tuple[str, str]]:
    """The areas a user may pick: each granted root and two levels below it ("" = the whole district)."""
    out = []
    for root in grants.areas:
        top = Area.objects.filter(code=root).values_list("level", flat=True).first() or 0
        for code, name, level in (Area.objects.filter(code__startswith=root, level__lte=top + 2).order_by("code")
                                  .values_list("code", "name", "level")):
            value = "" if code == root and grants.default_area is None else code  # "" = the district, unlocated tickets too
            out.append((value, "　" * (level - top) + name + ("（全部范围）" if code == root else "")))
    if selected and selected not in {v for v, _ in out}:
        name = Area.objects.filter(code=selected).values_list("name", flat=True).first()
        out.append((selected, name or selected))
    return out


# --- views ---------------------------------------------------------------------------------------

def _request_scope(request):
    """(period, scope) of a dashboard request; raises BadParam."""
    period = parse_period(request.GET.get("period"))
    return period, resolve_scope(request.user, request.GET)


@login_required
def dashboard(request):
    """The 数据看板 page."""
    if not may_view_figures(request.user):
        return render(request, "web/no_role.html", status=403)
    try:
        period, scope = _request_scope(request)
    except BadParam as err:
        return _error(request, err)
    now = clock.now()
    grants = figure_grants(request.user)
    cards_ = cards(period, scope, now)
    received = next(c for c in cards_ if c["code"] == "received")["value"]
    trend_, channels_, pareto_ = trend(period, scope, now), channels(period, scope, now), pareto(period, scope, now)
    satisfaction_, heat_ = satisfaction_trend(period, scope, now), heat(period, scope, received, now)
    return render(request, "web/dashboard/dashboard.html", {
        "title": "数据看板", "period": period, "scope": scope, "scope_label": scope_label(scope),
        "cards": cards_, "trend": trend_, "channels": channels_, "pareto": pareto_, "satisfaction": satisfaction_,
        "heat": heat_, "league": league(period, scope, now), "overdue": overdue_now(scope, now),
        "data": chart_data(trend_, channels_, pareto_, satisfaction_, heat_),
        "quick_periods": quick_periods(clock.local_date(now)),
        "area_options": area_options(grants, scope.area) if grants.areas else [],
        "selected_area": scope.area or "",
        "unit_options": list(Unit.objects.filter(pk__in=grants.units).values_list("pk", "name")) if not grants.areas else [],
        "screen_query": request.GET.urlencode(),
    })


@login_required
def screen(request):
    """The 大屏: today and this month for the scope, on a dark full screen without the menu."""
    if not may_view_figures(request.user):
        return render(request, "web/no_role.html", status=403)
    try:
        scope = resolve_scope(request.user, request.GET)
    except BadParam as err:
        return _error(request, err)
    now = clock.now()
    today = clock.local_date(now)
    month = Period.month(today.year, today.month)
    day = Period.day(today)
    today_figs = figures(day, scope, codes=["received", "closed"], now=now)
    month_cards = {c["code"]: c for c in cards(month, scope, now)}
    trend_, channels_, pareto_ = trend(month, scope, now), channels(month, scope, now), pareto(month, scope, now)
    heat_ = heat(month, scope, month_cards["received"]["value"], now)
    ranked = league(month, scope, now)
    rated = [u for u in ranked if u["three_rates"] is not None]
    # Rendered without the request: the layout's menu counts are not needed on a screen without a menu.
    return HttpResponse(render_to_string("web/dashboard/screen.html", {
        "title": "指挥中心大屏", "scope_label": scope_label(scope), "month": month, "day": day, "now": clock.localtime(now),
        "today": {code: card(day, scope, fig) for code, fig in today_figs.items()}, "cards": month_cards,
        "overdue": overdue_now(scope, now), "top": rated[:SCREEN_LEAGUE],
        "bottom": list(reversed(rated[SCREEN_LEAGUE:][-SCREEN_LEAGUE:])) if len(rated) > SCREEN_LEAGUE else [],
        "data": chart_data(trend_, channels_, pareto_, None, heat_), "refresh": SCREEN_REFRESH_SECONDS,
        "dashboard_url": f"{reverse('web:dashboard')}?{request.GET.urlencode()}",
    }))


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/screen/", screen, name="dashboard_screen"),
]
