"""Templates an evaluation starts from: the standard tree (执行率 10, 产出 50, 效益 30, 满意度 10) and last year's copy."""

import copy
from decimal import Decimal

from gridgov.selfeval.document import DEPARTMENT, Amounts, BasicRow, EvaluationData, Indicator, indicator_values


def _i(level1, level2, name, target, weight, metric="", actual=""):
    return Indicator(level1, level2, name, Decimal(weight), metric=metric, **indicator_values(target, actual))


def grid_centre_indicators() -> list[Indicator]:
    """A grid centre's standard tree, bound to the platform's figures where one measures the indicator."""
    return [
        _i("产出指标", "数量指标", "全年受理工单数", "≥80000件", 10, "received"),
        _i("产出指标", "数量指标", "网格覆盖率", "≥100%", 10, "grid_coverage"),
        _i("产出指标", "质量指标", "按期办结率", "≥95%", 10, "ontime_close_rate"),
        _i("产出指标", "时效指标", "及时签收率", "≥95%", 10, "timely_sign_rate"),
        _i("产出指标", "成本指标", "支出成本", "不超过全年预算数（请填写金额，如≤423.38万元）", 10),
        _i("效益指标", "社会效益指标", "群众诉求解决率", "≥90%", 15, "resolution_rate"),
        _i("效益指标", "可持续影响指标", "网格化服务长效机制", "持续健全", 15),
        _i("满意度指标", "服务对象满意度指标", "群众满意率", "≥95%", 10, "satisfaction_rate"),
    ]


def standard_indicators() -> list[Indicator]:
    """Any department's empty standard tree: one indicator per level-two heading, weights per the 50/30/10 rule."""
    rows = [("产出指标", "数量指标", 15), ("产出指标", "质量指标", 15), ("产出指标", "时效指标", 10),
            ("产出指标", "成本指标", 10), ("效益指标", "社会效益指标", 15), ("效益指标", "可持续影响指标", 15),
            ("满意度指标", "服务对象满意度指标", 10)]
    return [Indicator(l1, l2, "", Decimal(w)) for l1, l2, w in rows]


TEMPLATES = {
    "grid_centre": ("网格化服务中心（绑定平台指标）", grid_centre_indicators),
    "standard": ("通用模板（一级指标按 10/50/30/10）", standard_indicators),
}


def from_template(template: str, unit_name: str, year: int, kind: str = DEPARTMENT, project_name: str = "") -> EvaluationData:
    """A new evaluation with the template's indicator tree and empty funds."""
    _label, build = TEMPLATES[template]
    return EvaluationData(unit_name=unit_name, year=year, kind=kind, project_name=project_name,
                          funds={"total": Amounts()}, indicators=build())


def next_year(last: EvaluationData, year: int) -> EvaluationData:
    """Last year's evaluation as this year's draft: tree, goals and project names kept; results and money cleared."""
    data = copy.deepcopy(last)
    _clear(data, year)
    for child in data.children:
        _clear(child, year)
    return data


def _clear(data: EvaluationData, year: int) -> None:
    data.year = year
    data.outcome = ""
    data.funds = {key: Amounts() for key in data.funds}
    for project in data.projects:
        project.amounts = Amounts()
    data.stated_execution_score = data.stated_total = None
    data.stated_grade = data.execution_reason = ""
    data.sections = {}
    basic = data.basic
    basic.stated_control_rate = None
    # Last year's final accounts are this year's first column; the budget and final columns are new.
    basic.rows = {key: BasicRow(last_final=row.final) for key, row in basic.rows.items() if row.final is not None}
    for i in data.indicators:
        i.score = None
        i.actual, i.actual_unit, i.actual_text, i.deviation = None, "", "", ""
