"""Every figure the centre reports, defined once: numerator, denominator and the ticket set behind it.

Pure: a metric is arithmetic over named counters (see `counters.py`); nothing here touches the database.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# Counters computed over tickets (ticket basis) or over unit attributions (unit basis).
OUTCOME_COUNTERS = (
    "received", "rejected", "merged", "closed", "closed_on_time", "handle_seconds", "called",
    "answered", "satisfied", "resolved", "unsatisfied", "investigated", "responsible", "deduction",
)
# Counters over the assignments of those tickets (both bases).
ASSIGNMENT_COUNTERS = ("assigned", "signed", "signed_on_time")
# Counters over the 吹哨报到 summons of those tickets (both bases), one per summoned unit per whistle.
WHISTLE_COUNTERS = ("whistle_checkins", "whistle_late")
# Counters over the 催办 records of those tickets (both bases), one per urge, on the urged assignment's unit.
URGE_COUNTERS = ("urges",)
# Counted live, never stored: they change with the clock (or live in the whistles' and urges' own tables), not with the tickets.
LIVE_COUNTERS = ("overdue_open",) + WHISTLE_COUNTERS + URGE_COUNTERS
STORED_COUNTERS = OUTCOME_COUNTERS + ASSIGNMENT_COUNTERS
ALL_COUNTERS = STORED_COUNTERS + LIVE_COUNTERS

COUNTER_LABELS = {
    "received": "受理工单", "rejected": "不予受理工单", "merged": "并单工单", "closed": "已办结工单",
    "closed_on_time": "按期办结工单", "handle_seconds": "办结工单办理用时", "called": "已回访工单",
    "answered": "有效回访工单", "satisfied": "满意和基本满意工单", "resolved": "已解决工单",
    "unsatisfied": "回访不满意工单", "investigated": "已发起调查工单", "responsible": "认定有责工单",
    "deduction": "有责扣分", "assigned": "交办记录", "signed": "已签收交办记录",
    "signed_on_time": "时限内签收交办记录", "overdue_open": "超期未办结工单", "due": "应办结工单",
    "population": "常住人口", "whistle_checkins": "已报到的吹哨召集", "whistle_late": "迟到报到的吹哨召集",
    "urges": "催办记录",
}

BASES = {
    "ticket": "按工单计，联合办单只计一次",
    "unit": "按单位计，联合办单每个签收单位各计一次",
}

# Assignment counters count records: a joint ticket's every unit, and every round after a return.
ASSIGNMENT_BASE = "按交办记录计，联合办单每个承办单位、每轮交办各计一次"
WHISTLE_BASE = "按吹哨召集计，每次吹哨每个被召集部门各计一次"
URGE_BASE = "按催办记录计，每次催办（人工或自动）计一次，计入被催办单位"

DEFAULT_THREE_RATE_WEIGHTS = {"response_rate": Decimal(1) / 3, "resolution_rate": Decimal(1) / 3,
                              "satisfaction_rate": Decimal(1) / 3}


@dataclass(frozen=True)
class Metric:
    """One figure: what is counted over what, and how it is shown."""

    code: str
    name: str
    kind: str  # count, rate, hours, sum, per_thousand, composite
    numerator: str
    denominator: str | None = None
    note: str = ""


def _m(code, name, kind, numerator, denominator=None, note=""):
    return Metric(code, name, kind, numerator, denominator, note)


METRICS: dict[str, Metric] = {m.code: m for m in [
    _m("received", "受理量", "count", "received", note="统计期内受理的工单（含后来不予受理或并单的）"),
    _m("closed", "办结量", "count", "closed"),
    _m("overdue_open", "超期未办结量", "count", "overdue_open", note="统计时点已过办理时限且仍未办结"),
    _m("signed_rate", "签收率", "rate", "signed", "assigned"),
    _m("timely_sign_rate", "及时签收率", "rate", "signed_on_time", "assigned"),
    _m("close_rate", "办结率", "rate", "closed", "due", note="应办结 = 已办结 + 超期未办结"),
    _m("ontime_close_rate", "按期办结率", "rate", "closed_on_time", "due", note="应办结 = 已办结 + 超期未办结"),
    _m("callback_rate", "回访率", "rate", "called", "closed"),
    _m("satisfaction_rate", "满意率", "rate", "satisfied", "answered", note="以最近一次有效回访为准"),
    _m("resolution_rate", "解决率", "rate", "resolved", "answered", note="以最近一次有效回访为准"),
    _m("response_rate", "响应率", "rate", "signed_on_time", "assigned", note="签收时限内签收的交办记录"),
    _m("three_rates", "三率综合", "composite", "three_rates", note="响应率、解决率、满意率加权"),
    _m("answered", "有效回访量", "count", "answered"),
    _m("satisfied", "满意量", "count", "satisfied"),
    _m("unsatisfied", "不满意量", "count", "unsatisfied", note="任一次有效回访为不满意的工单"),
    _m("investigated", "调查量", "count", "investigated"),
    _m("responsible", "有责量", "count", "responsible"),
    _m("deduction", "扣分", "sum", "deduction"),
    _m("avg_handle_hours", "平均办理时长（小时）", "hours", "handle_seconds", "closed", note="受理至结案"),
    _m("per_thousand", "每千人工单量", "per_thousand", "received", "population"),
    _m("whistle_checkins", "报到次数", "count", "whistle_checkins", note="统计期内受理工单上的吹哨召集中已报到的"),
    _m("whistle_late", "迟到报到", "count", "whistle_late",
       note="报到时间晚于报到时限，或统计时点已过时限仍未报到（含吹哨结束时超时未报到而撤回的）"),
    _m("urges", "催办次数", "count", "urges", note="统计期内受理工单上的催办（人工催办和超期自动催办）"),
]}

@dataclass(frozen=True)
class Figure:
    """A computed figure with the counts behind it."""

    code: str
    name: str
    value: int | Decimal | None
    numerator: int | Decimal
    denominator: int | None
    base: str

    @property
    def percent(self) -> Decimal | None:
        """A rate as a percentage rounded half-up to 2 places (for display only)."""
        if self.value is None or METRICS[self.code].kind not in ("rate", "composite"):
            return None
        return (Decimal(self.value) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def display(self) -> str:
        """The figure as a report prints it."""
        if self.value is None:
            return "—"
        kind = METRICS[self.code].kind
        if kind in ("rate", "composite"):
            return f"{self.percent}%"
        if kind == "count":
            return f"{self.value:,}"
        return f"{Decimal(self.value).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


def derived(counts: dict) -> dict:
    """Add the counters defined from other counters (应办结)."""
    out = dict(counts)
    out["due"] = counts.get("closed", 0) + counts.get("overdue_open", 0)
    return out


def base_text(counter: str | None, basis: str) -> str:
    """The denominator in words, with the basis joint tickets are counted on."""
    label = COUNTER_LABELS.get(counter, "") if counter else "—"
    if counter in ASSIGNMENT_COUNTERS:
        return f"{label}（{ASSIGNMENT_BASE}）"
    if counter in WHISTLE_COUNTERS:
        return f"{label}（{WHISTLE_BASE}）"
    if counter in URGE_COUNTERS:
        return f"{label}（{URGE_BASE}）"
    return f"{label}（{BASES[basis]}）"


def compute(code: str, counts: dict, basis: str = "ticket", weights: dict | None = None) -> Figure:
    """Evaluate one metric over a dict of counters."""
    metric = METRICS[code]
    c = derived(counts)
    if metric.kind == "composite":
        return _three_rates(c, basis, weights or DEFAULT_THREE_RATE_WEIGHTS)
    num = c.get(metric.numerator, 0) or 0
    if metric.denominator is None:
        value = num if metric.kind == "count" else Decimal(num)
        return Figure(code, metric.name, value, num, None, base_text(metric.numerator, basis))
    den = c.get(metric.denominator) or 0
    if not den:
        value = None
    elif metric.kind == "rate":
        value = Decimal(num) / Decimal(den)  # exact; rounded only for display, so rankings compare true rates
    elif metric.kind == "hours":
        value = (Decimal(num) / Decimal(den) / 3600).quantize(Decimal("0.01"), ROUND_HALF_UP)
    else:  # per_thousand
        value = (Decimal(num) * 1000 / Decimal(den)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return Figure(code, metric.name, value, num, den, base_text(metric.denominator, basis))


def _three_rates(c: dict, basis: str, weights: dict) -> Figure:
    parts = [(compute(code, c, basis), Decimal(str(w))) for code, w in weights.items()]
    total_weight = sum(w for _, w in parts)
    if any(f.value is None for f, _ in parts) or not total_weight:
        value = None
    else:
        value = sum(f.value * w for f, w in parts) / total_weight
    names = "、".join(f"{f.name}×{w.quantize(Decimal('0.01'))}" for f, w in parts)
    return Figure("three_rates", METRICS["three_rates"].name, value, value or 0, None, f"{names}（{BASES[basis]}）")


def figures(counts: dict, codes=None, basis: str = "ticket", weights: dict | None = None) -> dict[str, Figure]:
    """Evaluate several metrics over the same counters."""
    return {code: compute(code, counts, basis, weights) for code in (codes or METRICS)}
