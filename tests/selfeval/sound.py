"""A self-evaluation with nothing wrong in it: the baseline the checks must leave alone and the files must round-trip."""

from decimal import Decimal

from gridgov.selfeval.document import PROJECT, SECTIONS, BasicData, EvaluationData, ProjectLine
from tests.selfeval.seeds import BEN, OUT, SAT, basic_rows, ind, money

UNIT = "长沙市岳麓区网格化综合服务中心"


def sound_project() -> EvaluationData:
    """The hotline project: fully executed, a complete tree, every score explained."""
    return EvaluationData(
        unit_name=UNIT, year=2025, kind=PROJECT, project_name="12345热线网格化工作经费", department_name="区委政法委",
        goal="12345热线工单按期办结率不低于95%。", outcome="全年受理工单84395件，按期办结率97.12%。",
        funds={"total": money("100", "100", "100", 100), "fiscal": money("100", "100", "100"),
               "carryover": money("0", "0", "0"), "other": money("0", "0", "0")},
        stated_execution_score=Decimal(10),
        indicators=[
            ind(OUT, "数量指标", "全年受理工单数", "≥80000件", "84395件", 20, 20),
            ind(OUT, "质量指标", "按期办结率", "≥95%", "97.12%", 15, 15),
            ind(OUT, "时效指标", "及时签收率", "≥95%", "96%", 5, 5),
            ind(OUT, "成本指标", "项目成本", "≤100万元", "100万元", 10, 10),
            ind(BEN, "社会效益指标", "群众诉求解决率", "≥90%", "93.5%", 30, 30),
            ind(SAT, "服务对象满意度指标", "群众满意率", "≥95%", "99.13%", 10, 10),
        ],
        stated_total=Decimal(100), stated_grade="优",
    )


def sound_department() -> EvaluationData:
    """A department with basic data, funds adding up, one project with its own table, all nine report sections."""
    return EvaluationData(
        unit_name=UNIT, year=2025, goal="做实网格、做实平台、做实服务。", outcome="全年处理群众诉求96483件。",
        funds={
            "total": money("400", "423.38", "416.69", "98.42"),
            "fiscal": money("400", "423.38", "416.69"),
            "carryover": money("0", "0", "0"), "other": money("0", "0", "0"),
            "basic": money("300", "323.38", "316.69"), "personnel": money("280", "302.98", "301.70"),
            "public": money("20", "20.4", "14.99"), "project": money("100", "100", "100"),
        },
        projects=[ProjectLine("12345热线网格化工作经费", money("100", "100", "100", 100))],
        stated_execution_score=Decimal("9.84"),
        execution_reason="公用经费节约5.41万元，预算执行率98.42%；下年度据实编制公用经费预算。",
        basic=BasicData(staff_quota=12, staff_actual=7, stated_control_rate=Decimal("58.33"), rows=basic_rows(
            three_public=("0.6", "0.8", "0"), car=("0.6", "0.5", "0"), car_purchase=("0", "0", "0"),
            car_running=("0.6", "0.5", "0"), abroad=("0", "0", "0"), reception=("0", "0.3", "0"),
            projects=("180", "100", "100"), project_funds=("180", "100", "100"), special_funds=("0", "0", "0"),
            public=("18", "20.4", "14.99"), office=("5", "6", "4.2"), utilities_travel=("3", "3", "2.5"),
            meetings_training=("1", "1", "0.8"), procurement=("56.99", "60", "57"), adjustment=("0", "23.38", "23.38")),
            savings_measures="严控三公经费，公务接待零支出。"),
        indicators=[
            ind(OUT, "数量指标", "全年受理工单数", "≥80000件", "84395件", 15, 15),
            ind(OUT, "数量指标", "网格覆盖率", "≥100%", "100%", 10, 10),
            ind(OUT, "质量指标", "按期办结率", "≥95%", "97.12%", 10, 10),
            ind(OUT, "时效指标", "及时签收率", "≥95%", "96%", 5, 5),
            ind(OUT, "成本指标", "整体支出成本", "≤423.38万元", "416.69万元", 10, 10),
            ind(BEN, "社会效益指标", "群众诉求解决率", "≥90%", "93.5%", 15, 15),
            ind(BEN, "可持续影响指标", "网格化服务长效机制", "持续健全", "已健全", 15, 15),
            ind(SAT, "服务对象满意度指标", "群众满意率", "≥95%", "99.13%", 10, 10),
        ],
        stated_total=Decimal("99.84"), stated_grade="优",
        sections={key: f"{title}：本部分已按要求填写。" for key, title in SECTIONS["department"]},
        children=[sound_project()],
    )
