"""Indicators bound to platform figures: the year's actual value, with the link to what is behind it."""

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from gridgov.areas.models import Area
from gridgov.core.errors import InvalidInput
from gridgov.metrics import compute
from gridgov.metrics.definitions import METRICS
from gridgov.metrics.periods import Period
from gridgov.selfeval.scoring import round2

COMMUNITY_LEVEL, GRID_LEVEL = 2, 3
# Platform metrics an indicator may be bound to (code → name); counts in 件, rates in %.
BINDABLE = {code: METRICS[code].name for code in (
    "received", "closed", "close_rate", "ontime_close_rate", "satisfaction_rate", "resolution_rate",
    "response_rate", "callback_rate", "timely_sign_rate", "three_rates", "unsatisfied", "investigated",
    "responsible", "overdue_open")}
BINDABLE["grid_coverage"] = "网格覆盖率"
NAMES = {"received": "全年受理工单数", "satisfaction_rate": "群众满意率"}


@dataclass(frozen=True)
class LiveValue:
    """An actual value computed from the platform, with its basis in words and a link to the records behind it."""

    code: str
    value: Decimal | None
    unit: str
    basis: str
    link: str
    numerator: Decimal | int | None = None
    denominator: int | None = None


def label(code: str) -> str:
    """The binding's name as the picker shows it."""
    return NAMES.get(code) or BINDABLE.get(code, code)


def scope_of(evaluation) -> compute.Scope:
    """What an evaluation's figures cover: its area's subtree, else its unit's own work, else the district.

    A unit's evaluation never sees other units' figures, as a unit grant on the figures pages does not.
    """
    if evaluation.area_id:
        return compute.Scope(area=evaluation.area_id)
    if evaluation.unit_id:
        return compute.Scope(unit=evaluation.unit_id)
    return compute.Scope()


def value_of(code: str, year: int, scope: compute.Scope = compute.Scope(), now=None) -> LiveValue:
    """The bound figure for the calendar year over the scope."""
    if code not in BINDABLE:
        raise InvalidInput(f"未知的平台指标：{code}")
    if code == "grid_coverage":
        return _grid_coverage(scope.area)
    from gridgov.web.views.figures import tickets_url  # the web layer owns its URLs

    period = Period.parse(str(year))
    figure = compute.figures(period, scope, codes=[code], now=now)[code]
    kind = METRICS[code].kind
    if kind in ("rate", "composite"):
        value, unit = (None if figure.value is None else round2(Decimal(figure.value) * 100)), "%"
    else:
        value, unit = (None if figure.value is None else Decimal(figure.value)), "件"
    link = "" if kind == "composite" else tickets_url(period, scope, code)
    return LiveValue(code, value, unit, f"{period.label}，{figure.base}", link, figure.numerator, figure.denominator)


def _grid_coverage(area_code: str | None) -> LiveValue:
    """Communities and villages divided into level-three grids, over all of them in scope (三级网格覆盖率)."""
    communities = Area.objects.filter(level=COMMUNITY_LEVEL)
    if area_code:
        communities = communities.filter(code__startswith=area_code)
    total = communities.count()
    covered = communities.filter(children__level=GRID_LEVEL).distinct().count()
    value = round2(Decimal(covered) * 100 / total) if total else None
    basis = f"已划分三级网格的社区（村）{covered} 个 / 社区（村）{total} 个"
    return LiveValue("grid_coverage", value, "%", basis, reverse("web:map"), covered, total)
