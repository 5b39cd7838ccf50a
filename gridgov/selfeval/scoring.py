"""Scoring of a self-evaluation (DESIGN §6): execution rate and score, indicator scores, total and grade. Pure."""

from decimal import ROUND_HALF_UP, Decimal

from gridgov.selfeval.document import CENT, EvaluationData, Indicator

HUNDRED = Decimal(100)
GRADES = ((Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (Decimal(0), "差"))
GRADE_NAMES = tuple(name for _floor, name in GRADES)
LOW_EXECUTION = Decimal(90)  # below this 执行率 a reason is required and the report discusses it
# Qualitative indicators are scored within bands of their weight (e.g. 达成 100–80%, 部分达成 80–50%, 未达成 50–0%).
QUALITATIVE_BANDS = (("达成", Decimal("0.8"), Decimal(1)), ("部分达成", Decimal("0.5"), Decimal("0.8")),
                     ("未达成", Decimal(0), Decimal("0.5")))


def round2(value: Decimal) -> Decimal:
    """Half-up to 2 places, as finance tables round."""
    return value.quantize(CENT, ROUND_HALF_UP)


def execution_rate(executed: Decimal | None, budget: Decimal | None) -> Decimal | None:
    """执行率 as a percentage rounded to 2 places (371.76 of 400 → 92.94); None without a budget."""
    if executed is None or not budget:
        return None
    return round2(executed * HUNDRED / budget)


def execution_score(data: EvaluationData) -> Decimal | None:
    """得分 = 分值 × min(执行率, 100%), from the rounded rate as the seeds do (92.94% × 10 → 9.29)."""
    total = data.amounts("total")
    rate = execution_rate(total.executed, total.budget)
    if rate is None:
        return None
    return round2(data.execution_weight * min(rate, HUNDRED) / HUNDRED)


def direction(indicator: Indicator) -> str:
    """'≥' (more is better), '≤' (less is better) or '='; a bare cost figure is a ceiling, any other bare figure a floor."""
    if indicator.comparator:
        return indicator.comparator
    return "≤" if indicator.level2 == "成本指标" else "≥"


def indicator_score(indicator: Indicator) -> Decimal | None:
    """The formula score of a quantitative indicator, never above its weight; None for a qualitative one."""
    if not indicator.quantitative:
        return None
    target, actual, weight = indicator.target, indicator.actual, indicator.weight
    way = direction(indicator)
    if way == "≥":
        ratio = Decimal(1) if target <= 0 else actual / target
    elif way == "≤":
        ratio = Decimal(1) if actual <= target else (target / actual if actual > 0 else Decimal(0))
    else:
        ratio = Decimal(1) if actual == target else (min(actual, target) / max(actual, target) if max(actual, target) > 0 else Decimal(0))
    return round2(weight * max(min(ratio, Decimal(1)), Decimal(0)))


def qualitative_band(indicator: Indicator) -> str | None:
    """The band a qualitative score falls in (达成 / 部分达成 / 未达成)."""
    if indicator.score is None or not indicator.weight:
        return None
    share = indicator.score / indicator.weight
    for name, low, _high in QUALITATIVE_BANDS:
        if share >= low:
            return name
    return None


def total_score(data: EvaluationData) -> Decimal:
    """The computed execution score plus the indicators' scores as entered (each capped at its weight)."""
    parts = [execution_score(data) or Decimal(0)] + [min(i.score, i.weight) for i in data.indicators if i.score is not None]
    return round2(sum(parts, Decimal(0)))


def grade(total: Decimal) -> str:
    """优 ≥ 90, 良 80–89, 中 60–79, 差 < 60."""
    for floor, name in GRADES:
        if total >= floor:
            return name
    return "差"


def weight_sums(data: EvaluationData) -> dict[str, Decimal]:
    """Weights per level-one indicator, in order of first appearance."""
    sums: dict[str, Decimal] = {}
    for i in data.indicators:
        sums[i.level1] = sums.get(i.level1, Decimal(0)) + i.weight
    return sums


def control_rate(quota: int | None, actual: int | None) -> Decimal | None:
    """控制率 = 实际在职人数 / 编制数, a percentage rounded to 2 places."""
    if not quota or actual is None:
        return None
    return round2(Decimal(actual) * HUNDRED / Decimal(quota))
