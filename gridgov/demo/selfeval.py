"""The demo's 绩效自评: the centre's year-end self-evaluation drafted from the simulated year and demo budget figures."""

from decimal import ROUND_FLOOR, Decimal

from gridgov.areas.models import Area
from gridgov.core import clock
from gridgov.selfeval import actions, store
from gridgov.selfeval.document import (
    PROJECT, Amounts, BasicData, BasicRow, EvaluationData, Indicator, ProjectLine, in_wan, wan,
)
from gridgov.selfeval.scoring import indicator_score
from gridgov.selfeval.starter import grid_centre_indicators
from gridgov.units.models import Unit

CENTRE_NAME = "长沙市岳麓区网格化综合服务中心"
# Demo budget in 万元, shaped like seed 000's centre: (年初预算, 全年预算, 全年执行).
PERSONNEL = ("222.98", "230.00", "228.40")
PUBLIC = ("20.40", "20.40", "16.85")
PROJECTS = {"12345热线网格化工作经费": ("57.00", "57.00", "55.80"), "网格化工作考核专项经费": ("93.00", "93.00", "88.60")}
# The annual plan asked for at least 90% of the volume the platform ended up receiving, in whole thousands.
VOLUME_PLAN_SHARE = Decimal("0.9")


def create_demo_selfeval(year: int | None = None):
    """Create the centre's evaluation with one per project, take the platform's figures, and draft the report."""
    year = year or clock.local_date(clock.now()).year
    centre = Unit.objects.filter(kind=Unit.Kind.CENTER).first()
    district = Area.objects.filter(level=0).first()
    evaluation = actions.do_create(None, CENTRE_NAME, year, template="grid_centre", unit=centre, area=district)
    data = store.document_of(evaluation)
    _fill_funds(data)
    data.basic = _basic_data()
    data.goal = "做实网格、做实平台、做实服务，12345热线按期办结率不低于95%，群众满意率不低于95%。"
    data.children = [_project(year, name, values) for name, values in PROJECTS.items()]
    actions.do_save(None, evaluation, data)
    actions.do_refresh_live(None, evaluation)
    # The officer's part: plan figures, scores of the qualitative rows and the reasons for every shortfall.
    data = store.document_of(evaluation)
    for each in [data, *data.children]:
        _complete(each)
    data.outcome = _outcome(data)
    actions.do_save(None, evaluation, data)
    actions.do_draft_sections(None, evaluation)
    return evaluation


def _amounts(values) -> Amounts:
    return Amounts(*(wan(v) for v in values))


def _sum(values) -> str:
    return str(sum(Decimal(v) for v in values))


def _fill_funds(data: EvaluationData) -> None:
    project = [_sum(p[i] for p in PROJECTS.values()) for i in range(3)]
    basic = [_sum((PERSONNEL[i], PUBLIC[i])) for i in range(3)]
    total = [_sum((basic[i], project[i])) for i in range(3)]
    zero = ("0", "0", "0")
    data.funds = {"total": _amounts(total), "fiscal": _amounts(total), "carryover": _amounts(zero),
                  "other": _amounts(zero), "basic": _amounts(basic), "personnel": _amounts(PERSONNEL),
                  "public": _amounts(PUBLIC), "project": _amounts(project)}
    data.projects = [ProjectLine(name, _amounts(values)) for name, values in PROJECTS.items()]
    data.execution_reason = "公用经费厉行节约结余3.55万元，项目经费按合同进度结算；下年度据实编制预算。"


def _basic_data() -> BasicData:
    projects = [_sum(p[i] for p in PROJECTS.values()) for i in range(3)]
    return BasicData(staff_quota=6, staff_actual=7, rows={
        "three_public": BasicRow(wan("0"), wan("0.8"), wan("0")), "car": BasicRow(wan("0"), wan("0"), wan("0")),
        "abroad": BasicRow(wan("0"), wan("0"), wan("0")), "reception": BasicRow(wan("0"), wan("0.8"), wan("0")),
        "projects": BasicRow(wan("149.19"), wan(projects[0]), wan(projects[2])),
        "project_funds": BasicRow(wan("149.19"), wan(projects[0]), wan(projects[2])),
        "public": BasicRow(wan("14.99"), wan(PUBLIC[1]), wan(PUBLIC[2])),
        "office": BasicRow(wan("6.10"), wan("8.00"), wan("7.25")),
    }, savings_measures="严格执行中央八项规定精神，三公经费零支出；办公用品集中采购。")


def _project(year: int, name: str, values) -> EvaluationData:
    amounts = _amounts(values)
    return EvaluationData(
        unit_name=CENTRE_NAME, year=year, kind=PROJECT, project_name=name, department_name="中共长沙市岳麓区委政法委员会",
        goal=f"保障{name}按计划实施，12345热线群众诉求按期办结、群众满意。",
        funds={"total": amounts, "fiscal": Amounts(amounts.initial, amounts.budget, amounts.executed)},
        execution_reason="按合同进度结算，尾款在验收后支付。", indicators=grid_centre_indicators())


def _complete(data: EvaluationData) -> None:
    """Fill what an officer fills: the cost row from the funds, plan figures, qualitative scores, deviation reasons."""
    total = data.funds["total"]
    for i in data.indicators:
        if i.level2 == "成本指标":
            i.name, i.comparator, i.target, i.unit, i.target_text = "支出成本", "≤", in_wan(total.budget), "万元", ""
            i.actual, i.actual_unit = in_wan(total.executed), "万元"
        elif i.metric == "received" and i.actual is not None:
            i.target = (i.actual * VOLUME_PLAN_SHARE / 1000).to_integral_value(ROUND_FLOOR) * 1000
        elif i.target is None:
            i.actual_text, i.score = "已建立并运行", i.weight
        formula = indicator_score(i)
        if formula is not None:
            i.score = formula
        if i.score is not None and i.score < i.weight:
            i.deviation = _reason(i)


def _outcome(data: EvaluationData) -> str:
    """实际完成情况 in one sentence from the bound indicators' actual values."""
    actual = {i.metric: i.actual_display for i in data.indicators if i.metric and i.actual is not None}
    parts = [f"{label}{actual[code]}" for code, label in (
        ("received", "全年受理群众诉求工单"), ("ontime_close_rate", "按期办结率"), ("resolution_rate", "群众诉求解决率"),
        ("satisfaction_rate", "群众满意率"), ("grid_coverage", "三级网格覆盖率")) if code in actual]
    return "，".join(parts) + "。" if parts else ""


def _reason(i: Indicator) -> str:
    return (f"{i.name}实际完成{i.actual_display}，未达到年度指标值{i.target_display}。主要原因是部分承办单位签收、"
            f"办理不及时；改进措施：对排名靠后的单位开展督办，纳入月度考核。")
