"""What a document must satisfy to be stored at all (types, ranges, codes); unlike checks.py these refuse the save."""

from decimal import Decimal

from gridgov.selfeval.document import COMPARATORS, KINDS, PROJECT, EvaluationData
from gridgov.selfeval.live import BINDABLE
from gridgov.selfeval.scoring import GRADE_NAMES

YEARS = range(2000, 2100)
# The database columns' capacity: money 16 digits with 2 decimals, scores 6 with 2, figures 18 with 6, rates 8 with 2.
MONEY_LIMIT = Decimal("1E14")
SCORE_LIMIT = Decimal("1E4")
FIGURE_LIMIT = Decimal("1E12")
RATE_LIMIT = Decimal("1E6")
TEXT_LIMITS = {"name": 300, "level1": 20, "level2": 30, "unit": 20, "actual_unit": 20}


def errors_of(data: EvaluationData, children_allowed: bool = True) -> list[dict]:
    """Every reason the document cannot be stored, as {'place', 'message'}; empty when it can."""
    errors: list[dict] = []

    def bad(place: str, message: str) -> None:
        errors.append({"place": place, "message": message})

    title = data.project_name if data.kind == PROJECT else data.unit_name
    where = f"{title or '（未命名）'}"
    if not (data.unit_name or "").strip():
        bad(where, "请填写单位名称")
    if data.year not in YEARS:
        bad(where, f"年度应在 {YEARS.start}–{YEARS.stop - 1} 之间：{data.year}")
    if data.kind not in KINDS:
        bad(where, f"未知的自评类型：{data.kind}")
    if data.kind == PROJECT and not (data.project_name or "").strip():
        bad(where, "项目支出绩效自评须填写项目名称")
    _range(bad, f"{where} · 执行率分值", data.execution_weight, SCORE_LIMIT, negative=False)
    _range(bad, f"{where} · 执行率得分", data.stated_execution_score, SCORE_LIMIT, negative=False)
    _range(bad, f"{where} · 总分", data.stated_total, SCORE_LIMIT, negative=False)
    if data.stated_grade and data.stated_grade not in GRADE_NAMES:
        bad(f"{where} · 等级", f"等级应为{'、'.join(GRADE_NAMES)}之一：{data.stated_grade}")
    lines = [(key, a) for key, a in data.funds.items()] + [(f"项目：{p.name}", p.amounts) for p in data.projects]
    for label, amounts in lines:
        for attr in ("initial", "budget", "executed"):
            _range(bad, f"{where} · 资金 · {label}", getattr(amounts, attr), MONEY_LIMIT)
        _range(bad, f"{where} · 资金 · {label} · 执行率", amounts.stated_rate, RATE_LIMIT)
    for key, row in data.basic.rows.items():
        for value in vars(row).values():
            _range(bad, f"{where} · 基础数据 · {key}", value, MONEY_LIMIT)
    for n, i in enumerate(data.indicators, 1):
        place = f"{where} · 绩效指标第 {n} 行"
        _range(bad, f"{place} · 分值", i.weight, SCORE_LIMIT, negative=False)
        _range(bad, f"{place} · 得分", i.score, SCORE_LIMIT, negative=False)
        _range(bad, f"{place} · 年度指标值", i.target, FIGURE_LIMIT)
        _range(bad, f"{place} · 实际完成值", i.actual, FIGURE_LIMIT)
        if i.comparator not in COMPARATORS + ("",):
            bad(place, f"比较符号应为 ≥、≤ 或 =：{i.comparator}")
        if i.metric and i.metric not in BINDABLE:
            bad(place, f"未知的平台指标：{i.metric}")
        for field_name, limit in TEXT_LIMITS.items():
            if len(getattr(i, field_name) or "") > limit:
                bad(place, f"{field_name} 不能超过 {limit} 字")
    if data.children and (data.kind == PROJECT or not children_allowed):
        bad(where, "项目支出绩效自评不能再包含项目")
    names = [c.project_name for c in data.children]
    for name in {n for n in names if names.count(n) > 1}:
        bad(where, f"项目“{name}”重复")
    for child in data.children:
        if child.year != data.year:
            bad(f"{child.project_name} · 年度", f"项目自评年度 {child.year} 与部门自评年度 {data.year} 不一致")
        errors += errors_of(child, children_allowed=False)
    return errors


def _range(bad, place: str, value, limit: Decimal, negative: bool = True) -> None:
    if value is None:
        return
    if not isinstance(value, Decimal):
        bad(place, f"应为数字：{value}")
    elif abs(value) >= limit:
        bad(place, f"数值超出允许范围：{value}")
    elif not negative and value < 0:
        bad(place, f"不能为负数：{value}")
