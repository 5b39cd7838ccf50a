"""The monthly 通报 as plain data: key figures with month-on-month change, rankings with classes, top categories."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from gridgov.areas.models import Area
from gridgov.core import clock
from gridgov.core.errors import InvalidInput
from gridgov.metrics.compute import BREAKDOWN_OF_LEVEL, BREAKDOWNS, Scope, breakdown, figures
from gridgov.metrics.definitions import BASES, COUNTER_LABELS, DEFAULT_THREE_RATE_WEIGHTS, METRICS, Figure
from gridgov.metrics.periods import Period
from gridgov.reports.analysis import Analysis, analyse
from gridgov.reports.common import Share, coverage, signed_change, ticket_digest, tickets_received
from gridgov.units.models import Unit

KEY_CODES = ["received", "close_rate", "ontime_close_rate", "callback_rate", "satisfaction_rate", "resolution_rate",
             "response_rate", "three_rates", "unsatisfied", "investigated", "responsible", "deduction", "overdue_open"]
RANK_CODES = ["received", "response_rate", "resolution_rate", "satisfaction_rate", "three_rates", "close_rate",
              "unsatisfied", "responsible", "deduction"]
CATEGORY_CODES = ["received", "unsatisfied", "satisfaction_rate"]
CLASS_BANDS = (("一类", 30), ("二类", 60), ("三类", 10))
TOP_CATEGORIES = 10
OWN_RULES = "按本通报规则计算"
ORDER_RULE = "按三率综合得分从高到低排名；得分相同的，受理工单多者在前；再相同的，按编码升序"
CLASS_RULE = ("按名次分为一类、二类、三类，比例 30%/60%/10%：一类为前 四舍五入(30%×参与排名数) 名，"
              "一、二类合计为前 四舍五入(90%×参与排名数) 名，其余为三类；三率综合无法计算（本月无交办或无有效回访）的不参与排名")


@dataclass
class KeyFigure:
    """A figure of the month beside the same figure of the month before."""

    figure: Figure
    previous: Figure

    @property
    def kind(self) -> str:
        return METRICS[self.figure.code].kind

    @property
    def change(self) -> Decimal | int | None:
        """Rates: percentage points (of the displayed percentages); counts and sums: the difference."""
        if self.figure.value is None or self.previous.value is None:
            return None
        if self.kind in ("rate", "composite"):
            return self.figure.percent - self.previous.percent
        return self.figure.value - self.previous.value

    @property
    def change_text(self) -> str:
        if self.kind in ("rate", "composite"):
            return signed_change(self.change, "个百分点")
        text = signed_change(self.change, "件" if self.kind == "count" else "")
        if self.change and self.previous.value:
            rel = (Decimal(self.change) * 100 / Decimal(self.previous.value)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            text += f"（{'+' if rel > 0 else ''}{rel}%）"
        return text


@dataclass
class RankRow:
    """One ranked (or unranked) object with its figures and class."""

    rank: int | None
    key: str
    code: str
    label: str
    figures: dict
    klass: str = ""


@dataclass
class Ranking:
    """A ranking table and the rules that produced it."""

    title: str
    object_name: str
    basis: str
    rows: list[RankRow]
    unranked: list[RankRow]
    order_rule: str
    class_rule: str
    source: str

    def class_counts(self) -> dict[str, int]:
        out = {name: 0 for name, _share in CLASS_BANDS}
        for r in self.rows:
            out[r.klass] = out.get(r.klass, 0) + 1
        return out


@dataclass
class CategoryRow:
    """A category class by tickets received, with its unsatisfied tickets and satisfaction."""

    share: Share
    unsatisfied: int
    satisfaction: Figure


@dataclass
class MonthlyReport:
    """Everything a monthly 通报 prints, and what it was computed from."""

    period: Period
    previous: Period
    area_code: str
    area_name: str
    district_name: str
    title: str
    computed_at: datetime
    weights: dict
    key_figures: list[KeyFigure]
    rankings: list[Ranking]
    categories: list[CategoryRow]
    analysis: Analysis
    ticket_count: int
    ticket_digest: str
    tickets: list[tuple[int, str]] = field(default_factory=list)  # (id, number) of every ticket behind the figures
    rules: list[str] = field(default_factory=list)

    def metric_notes(self) -> list[dict]:
        return metric_notes(KEY_CODES, self.weights)

    def footer(self) -> str:
        at = clock.localtime(self.computed_at)
        return (f"统计期：{self.period.label}（{self.period.start}至{self.period.end}，按受理时间，北京时间）；"
                f"计算时间：{at:%Y-%m-%d %H:%M}；工单{self.ticket_count}件（SHA-256 {self.ticket_digest[:16]}…）；"
                f"三率权重：{weights_text(self.weights)}；{self.analysis.bases()[0]}{self.analysis.bases()[1]}"
                f"比率类指标的分母见各表“基数”列及“口径说明”。")


def weights_text(weights: dict) -> str:
    """'响应率33.33%，解决率33.33%，满意率33.33%': each weight as a share of their sum."""
    total = sum(Decimal(str(v)) for v in weights.values())
    return "，".join(f"{METRICS[code].name}{(Decimal(str(w)) * 100 / total).quantize(Decimal('0.01'), ROUND_HALF_UP)}%"
                    for code, w in weights.items())


def metric_notes(codes, weights=None) -> list[dict]:
    """Each metric's numerator, denominator and basis in words (the 口径说明)."""
    out = []
    for code in codes:
        m = METRICS[code]
        if m.kind == "composite":
            num, den = f"加权：{weights_text(weights or DEFAULT_THREE_RATE_WEIGHTS)}", "—"
        else:
            num = COUNTER_LABELS.get(m.numerator, m.numerator)
            den = COUNTER_LABELS.get(m.denominator, m.denominator) if m.denominator else "—"
        out.append({"code": code, "name": m.name, "numerator": num, "denominator": den, "note": m.note})
    return out


def parse_month(text: str) -> Period:
    """Read YYYY-MM as a month period, in Chinese when it is not one."""
    try:
        period = Period.parse(text)
    except InvalidInput:
        period = None
    if period is None or period.kind != "month":
        raise InvalidInput(f"月份格式应为 YYYY-MM（如 2026-05），而不是 {text!r}")
    return period


def build(period: Period, area: str | None = None, weights: dict | None = None, now=None) -> MonthlyReport:
    """Gather one month's 通报 for the district (or an area of it)."""
    cov = coverage(area)
    now = now or clock.now()
    weights = dict(weights or DEFAULT_THREE_RATE_WEIGHTS)
    previous = period.previous()
    this = figures(period, cov.scope, codes=KEY_CODES, basis="ticket", weights=weights, now=now)
    before = figures(previous, cov.scope, codes=KEY_CODES, basis="ticket", weights=weights, now=now)
    key_figures = [KeyFigure(this[c], before[c]) for c in KEY_CODES]
    district = Area.objects.filter(level=0).order_by("code").first()
    rankings = [r for r in (_area_ranking(period, cov, weights, now), _department_ranking(period, cov, weights, now)) if r]
    tickets, digest = ticket_digest(tickets_received(period, cov.scope))
    title = f"{district.name}网格化综合服务中心 {period.label}" + ("" if cov.area.level == 0 else cov.name) + "工作通报"
    return MonthlyReport(
        period=period, previous=previous, area_code=cov.code, area_name=cov.name, district_name=district.name,
        title=title, computed_at=now, weights=weights, key_figures=key_figures, rankings=rankings,
        categories=_categories(period, cov.scope, this["received"].value or 0), analysis=analyse(period, area, now=now),
        ticket_count=len(tickets), ticket_digest=digest, tickets=tickets,
        rules=[f"统计范围：{period.label}受理的工单（按北京时间的受理日期），{cov.name}"
               + ("全部工单（含尚未定位到网格的）" if cov.scope == Scope() else "范围内定位的工单"),
               f"环比：与{previous.label}同口径比较；比率的变化以百分点计，件数的变化附变化率",
               f"三率综合 = {weights_text(weights)}（响应率、解决率、满意率加权平均）",
               ORDER_RULE, CLASS_RULE, "百分比由精确件数计算，仅在显示时四舍五入保留两位小数"]
        + [f"{r.title}：{r.source}" for r in rankings if r.source != OWN_RULES],
    )


def _sort_key(row: RankRow):
    three = row.figures["three_rates"].value
    return (-(three or 0), -(row.figures["received"].value or 0), row.code)


def assign_classes(rows: list[RankRow]) -> None:
    """一类/二类/三类 by 30%/60%/10% of the ranked list, band ends rounded half-up (the assessment rule's arithmetic)."""
    n, start, cumulative = len(rows), 0, 0
    for i, (name, share) in enumerate(CLASS_BANDS):
        cumulative += share
        end = n if i == len(CLASS_BANDS) - 1 else min(n, int((Decimal(cumulative) * n / 100).quantize(Decimal(1), ROUND_HALF_UP)))
        for r in rows[start:end]:
            r.klass = name
        start = max(start, end)


def _rank(title, object_name, basis, rows: list[RankRow], run) -> Ranking:
    ranked = sorted((r for r in rows if r.figures["three_rates"].value is not None), key=_sort_key)
    unranked = sorted((r for r in rows if r.figures["three_rates"].value is None), key=lambda r: r.code)
    if run is None:
        for i, r in enumerate(ranked, 1):
            r.rank = i
        assign_classes(ranked)
        return Ranking(title, object_name, basis, ranked, unranked, ORDER_RULE, CLASS_RULE, OWN_RULES)
    return _from_run(title, object_name, basis, ranked + unranked, run)


def _area_ranking(period, cov, weights, now) -> Ranking | None:
    if cov.area.level + 1 not in BREAKDOWN_OF_LEVEL:
        return None
    by = BREAKDOWN_OF_LEVEL[cov.area.level + 1]
    name = BREAKDOWNS[by]
    rows = [RankRow(None, r.key, r.key, r.label, r.figures)
            for r in breakdown(period, by, Scope(area=cov.code), codes=RANK_CODES, weights=weights, now=now)]
    run = _published_run("street", period, cov) if by == "street" else None
    return _rank(f"{name}排名", name, BASES["ticket"], rows, run)


def _department_ranking(period, cov, weights, now) -> Ranking:
    rows = [RankRow(None, r.key, r.extra.get("code", r.key), r.label, r.figures)
            for r in breakdown(period, "unit", cov.scope, codes=RANK_CODES, weights=weights, now=now)
            if r.extra.get("kind") == Unit.Kind.DEPARTMENT]
    return _rank("区直部门排名", "区直部门", BASES["unit"], rows, _published_run("department", period, cov))


def _published_run(object_kind: str, period: Period, cov):
    """The published assessment run of this month for streets or departments, if the report covers the district."""
    if cov.area.level != 0:
        return None  # runs rank the whole district; an area's report ranks only its own part
    from gridgov.assessment.models import Run

    return (Run.objects.filter(state=Run.State.PUBLISHED, period_slug=period.slug, rule_set__object_kind=object_kind)
            .select_related("rule_set").order_by("-published_at", "-pk").first())


def _from_run(title, object_name, basis, rows: list[RankRow], run) -> Ranking:
    """Order and class the rows as the published run did; objects it did not assess go last, unranked."""
    results = {r.object_key: r for r in run.results.all()}
    ranked, unranked = [], []
    for row in rows:
        res = results.get(row.code)
        if res is None:
            row.rank, row.klass = None, ""
            unranked.append(row)
        else:
            row.rank, row.klass = res.rank, res.klass
            ranked.append(row)
    ranked.sort(key=lambda r: r.rank)
    published = clock.localtime(run.published_at)
    source = (f"名次与档次取自已发布的考核结果：{run.rule_set.name}（{run.rule_code} v{run.rule_set.version}，"
              f"计算#{run.pk}，发布于{published:%Y-%m-%d %H:%M}）")
    rules = "；".join(run.summary.get("rules", [])) or "见考核规则"
    return Ranking(title, object_name, basis, ranked, unranked, rules, "档次按考核结果；未参评的不分档", source)


def _categories(period, scope, total: int) -> list[CategoryRow]:
    rows = breakdown(period, "category_class", scope, codes=CATEGORY_CODES)
    out = [CategoryRow(Share(r.key, r.label, r.figures["received"].value or 0, total, "受理工单（按工单计）"),
                       r.figures["unsatisfied"].value or 0, r.figures["satisfaction_rate"]) for r in rows]
    out = [c for c in out if c.share.count]
    return sorted(out, key=lambda c: (-c.share.count, c.share.key))[:TOP_CATEGORIES]
