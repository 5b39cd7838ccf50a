"""The demo's 绩效自评: the centre's year-end self-evaluation drafted from the simulated year and demo budget figures."""

from decimal import Decimal

from gridgov.areas.models import Area
from gridgov.assessment.models import AwardBudget
from gridgov.core import clock
from gridgov.selfeval import actions, store
from gridgov.selfeval.document import PROJECT, Amounts, BasicData, BasicRow, EvaluationData, ProjectLine, in_wan, wan
from gridgov.selfeval.scoring import execution_score
from gridgov.selfeval.starter import grid_centre_indicators
from gridgov.units.models import Unit

CENTRE_NAME = "长沙市岳麓区网格化综合服务中心"
AWARD_PROJECT = "“热线+网格、吹哨+报到”专项资金"
# Demo budget in 万元, shaped like seed 000's centre: (年初预算, 全年预算, 全年执行).
PERSONNEL = ("222.98", "230.00", "228.40")
PUBLIC = ("20.40", "20.40", "16.85")
PROJECTS = {"12345热线网格化工作经费": ("57.00", "57.00", "55.80"), AWARD_PROJECT: ("400.00", "400.00", None)}


def create_demo_selfeval(year: int | None = None):
    """Create, fill and draft the centre's self-evaluation for the year (the award project's spend from the ledger)."""
    year = year or clock.local_date(clock.now()).year
    centre = Unit.objects.filter(kind=Unit.Kind.CENTER).first()
    district = Area.objects.filter(level=0).first()
    evaluation = actions.do_create(None, CENTRE_NAME, year, template="grid_centre", unit=centre, area=district)
    paid = sum((p.amount for b in AwardBudget.objects.filter(year=year) for p in b.payments.all()), Decimal(0))
    projects = {name: (initial, budget, executed if executed is not None else str(paid / 10000))
                for name, (initial, budget, executed) in PROJECTS.items()}
    data = store.document_of(evaluation)
    _fill_funds(data, projects)
    data.basic = BasicData(staff_quota=6, staff_actual=7, rows={
        "three_public": BasicRow(wan("0"), wan("0.8"), wan("0")), "reception": BasicRow(wan("0"), wan("0.8"), wan("0")),
        "public": BasicRow(wan("14.99"), wan(PUBLIC[1]), wan(PUBLIC[2])),
        "projects": BasicRow(wan("149.19"), wan(_sum(p[0] for p in projects.values())), wan(_sum(p[2] for p in projects.values()))),
    }, savings_measures="严格执行中央八项规定精神，三公经费零支出。")
    data.goal = "做实网格、做实平台、做实服务，12345热线按期办结率不低于95%，群众满意率不低于95%。"
    data.stated_execution_score = None
    _cost(data, "部门整体支出成本")
    data.children = [_award_project(year, projects[AWARD_PROJECT])]
    actions.do_save(None, evaluation, data)
    actions.do_refresh_live(None, evaluation)
    actions.do_draft_sections(None, evaluation)
    return evaluation


def _cost(data: EvaluationData, name: str) -> None:
    """The cost indicator: spend no more than the year's budget, actual = what was executed."""
    cost = next(i for i in data.indicators if i.level2 == "成本指标")
    total = data.funds["total"]
    cost.name, cost.comparator, cost.target, cost.unit = name, "≤", in_wan(total.budget), "万元"
    cost.target_text, cost.actual, cost.actual_unit, cost.score = "", in_wan(total.executed), "万元", cost.weight


def _sum(values) -> str:
    return str(sum(Decimal(v) for v in values))


def _fill_funds(data: EvaluationData, projects: dict) -> None:
    project = [_sum(p[i] for p in projects.values()) for i in range(3)]
    basic = [_sum((PERSONNEL[i], PUBLIC[i])) for i in range(3)]
    total = [_sum((basic[i], project[i])) for i in range(3)]

    def line(values):
        return Amounts(*(wan(v) for v in values))

    data.funds = {"total": line(total), "fiscal": line(total), "carryover": line(("0", "0", "0")),
                  "other": line(("0", "0", "0")), "basic": line(basic), "personnel": line(PERSONNEL),
                  "public": line(PUBLIC), "project": line(project)}
    data.projects = [ProjectLine(name, line(values)) for name, values in projects.items()]
    data.execution_reason = "零投诉村（社区）数量无法准确预估，奖励资金未能按预算总额全部拨付；下年度按上年实际拨付情况编制预算。"


def _award_project(year: int, amounts) -> EvaluationData:
    child = EvaluationData(unit_name=CENTRE_NAME, year=year, kind=PROJECT, project_name=AWARD_PROJECT,
                           goal="12345政务热线投诉量下降，诉求响应率、问题解决率、群众满意率提升。",
                           funds={"total": Amounts(*(wan(v) for v in amounts)), "fiscal": Amounts(*(wan(v) for v in amounts))},
                           indicators=grid_centre_indicators())
    _cost(child, "零投诉奖励资金拨付")
    child.execution_reason = "按季度考核结果据实拨付零投诉奖励，零投诉社区数量少于预算测算。"
    if execution_score(child) is not None and execution_score(child) >= child.execution_weight:
        child.execution_reason = ""
    return child
