"""Consistency checks of a self-evaluation: every problem a finance bureau would reject, with its place. Pure.

Covers the figures (parts against totals, rates, scores, weights) and the parts of the evaluation rubric a machine
can check (indicators detailed to level three and measurable, deviation reasons, report sections, attachments).
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gridgov.selfeval import scoring
from gridgov.selfeval.document import (
    BASIC_LABELS, BLANK, DEPARTMENT, EXECUTION_WEIGHT, FUND_LABELS, LEVEL1, PLACEHOLDER, SECTIONS, WAN, Amounts,
    EvaluationData, Indicator, number_text, parse_value, wan_display,
)

ERROR, WARNING = "error", "warning"
# Tables show 万元 to 2 places, so parts rounded one by one may miss their total by a cent of a 万元 (100 yuan).
ROUNDING_YUAN = Decimal(100)
MONEY_UNITS = {"万元": WAN, "元": Decimal(1)}
MEASURABLE_LEVEL2 = ("数量指标", "质量指标", "成本指标")
COLUMNS = (("initial", "年初预算数"), ("budget", "全年预算数"), ("executed", "全年执行数"))
BARE_UNIT_LENGTH = 3  # '95%', '2021全年', '25个项目' are figures; '12345市民服务热线工单量' is a name
# Numbered items of a report section: '1、', '2.', '（一）', '一是'.
_ITEM = re.compile(r"(?:^|\n|\s|。|；)(?:\d+[、.．]|（[一二三四五六七八九十]+）|[一二三四五六七八九十]是)")
EMPTY_TEXTS = ("", "无", "无。", "暂无", "略")
# A measurable target names a figure with its unit somewhere ('覆盖率≥100%', '≥25个项目', '≤290.32万元').
_MEASURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|‰|万元|元|个|件|人|天|次|项|户|条|小时|家|场|期|名|分)")


@dataclass(frozen=True)
class Problem:
    """One problem: a stable code, how serious, where it is (table · row · column) and what is wrong."""

    code: str
    severity: str
    place: str
    message: str


def check(data: EvaluationData) -> list[Problem]:
    """Every problem of the evaluation and of its project evaluations, in table order."""
    problems = _check_one(data, _table_name(data), data)
    for child in data.children:
        problems += _check_one(child, _table_name(child), data)
    return problems


def _table_name(data: EvaluationData) -> str:
    if data.kind == DEPARTMENT:
        return "部门整体支出绩效自评表"
    return f"项目支出绩效自评表（{data.project_name}）"


def _check_one(data: EvaluationData, table: str, department: EvaluationData) -> list[Problem]:
    out: list[Problem] = []
    out += _funds(data, table)
    if data.kind == DEPARTMENT:
        out += _basic(data)
        out += _attachments(data)
    out += _tree(data, table, department)
    out += _totals(data, table)
    if data is department:  # a department's projects are reported in the department's report
        out += _report(data)
    return out


def _wan(yuan: Decimal) -> str:
    return f"{wan_display(yuan)}万元"


def _sum_problem(code: str, place: str, whole: Decimal | None, parts: list[Decimal | None], what: str) -> list[Problem]:
    """A total against its entered parts; a difference within rounding is a warning, more is an error."""
    given = [p for p in parts if p is not None]
    if whole is None or not given:
        return []
    total = sum(given, Decimal(0))
    diff = abs(total - whole)
    if diff == 0:
        return []
    severity = WARNING if diff <= ROUNDING_YUAN else ERROR
    note = "（相差在四舍五入尾差以内，请核对）" if severity == WARNING else ""
    return [Problem(code, severity, place, f"{what}合计 {_wan(total)}，与总数 {_wan(whole)} 不符，相差 {_wan(diff)}{note}")]


def _funds(data: EvaluationData, table: str) -> list[Problem]:
    out: list[Problem] = []
    total = data.amounts("total")
    if not data.funds.get("total") or total.budget is None or total.executed is None:
        out.append(Problem("funds.total_missing", ERROR, f"{table} · 资金情况 · 年度资金总额",
                           "未填写年度资金总额的全年预算数和全年执行数，无法计算执行率得分"))
    for attr, column in COLUMNS:
        def col(key, attr=attr):
            return getattr(data.amounts(key), attr)

        place = f"{table} · 资金情况 · {column}"
        out += _sum_problem("funds.sources_sum", place, col("total"), [col("fiscal"), col("carryover"), col("other")],
                            "资金来源（财政拨款、上年结转、其他资金）")
        out += _sum_problem("funds.structure_sum", place, col("total"), [col("basic"), col("project")],
                            "基本支出与项目支出")
        out += _sum_problem("funds.basic_sum", place, col("basic"), [col("personnel"), col("public")],
                            "人员支出与公用支出")
        parts = [getattr(p.amounts, attr) for p in data.projects]
        if parts and None not in parts:  # a breakdown given for only some projects says nothing about the rest
            out += _sum_problem("funds.projects_sum", place, col("project"), parts, "各项目")
    lines = [(FUND_LABELS[key], data.funds[key]) for key in FUND_LABELS if key in data.funds]
    lines += [(f"项目：{p.name}", p.amounts) for p in data.projects]
    for label, amounts in lines:
        out += _rate(amounts, f"{table} · 资金情况 · {label} · 执行率")
    out += _execution_score(data, table)
    return out


def _rate(amounts: Amounts, place: str) -> list[Problem]:
    """A stated 执行率 must be the computed one, at whichever precision (0–2 places) the table states it."""
    stated = amounts.stated_rate
    computed = scoring.execution_rate(amounts.executed, amounts.budget)
    if stated is None or computed is None:
        return []
    if _states(stated, amounts.executed * 100 / amounts.budget):
        return []
    return [Problem("funds.rate", ERROR, place,
                    f"执行率填报为 {number_text(stated)}%，按执行数 {_wan(amounts.executed)} / 预算数 "
                    f"{_wan(amounts.budget)} 计算应为 {computed}%")]


def _execution_score(data: EvaluationData, table: str) -> list[Problem]:
    out: list[Problem] = []
    computed = scoring.execution_score(data)
    place = f"{table} · 资金情况 · 得分"
    if computed is None:
        return out
    stated = data.stated_execution_score
    if stated is not None and stated != computed:
        rate = scoring.execution_rate(data.amounts("total").executed, data.amounts("total").budget)
        out.append(Problem("funds.execution_score", ERROR, place,
                           f"执行率得分填报为 {number_text(stated)}，应为 分值 {number_text(data.execution_weight)} × "
                           f"min(执行率 {rate}%, 100%) = {computed}"))
    rate = scoring.execution_rate(data.amounts("total").executed, data.amounts("total").budget)
    if (computed < data.execution_weight or rate < scoring.LOW_EXECUTION) and _blank(data.execution_reason):
        out.append(Problem("funds.reason_missing", ERROR, f"{table} · 资金情况 · 偏差原因",
                           f"执行率 {rate}%（得分 {computed}，低于分值 {number_text(data.execution_weight)}），"
                           f"须说明偏差原因及改进措施"))
    return out


def _basic(data: EvaluationData) -> list[Problem]:
    basic = data.basic
    if basic.is_empty():
        return []
    out: list[Problem] = []
    table = "基础数据表"
    rows = basic.rows
    for attr, column in (("last_final", "上年决算数"), ("budget", "本年预算数"), ("final", "本年决算数")):
        def v(key, attr=attr):
            row = rows.get(key)
            return getattr(row, attr) if row else None

        place = f"{table} · {column}"
        out += _sum_problem("basic.three_public_sum", f"{place} · 三公经费", v("three_public"),
                            [v("car"), v("abroad"), v("reception")], "公务用车、出国、公务接待经费")
        out += _sum_problem("basic.car_sum", f"{place} · 公务用车购置和维护经费", v("car"),
                            [v("car_purchase"), v("car_running")], "公车购置与运行维护")
        out += _sum_problem("basic.projects_sum", f"{place} · 项目支出", v("projects"),
                            [v("project_funds"), v("special_funds")], "项目支出经费与专项资金")
        items = [x for x in (v("office"), v("utilities_travel"), v("meetings_training")) if x is not None]
        if v("public") is not None and items and sum(items) > v("public"):
            out.append(Problem("basic.public_items", ERROR, f"{place} · 公用经费",
                               f"公用经费其中项合计 {_wan(sum(items))} 超过公用经费 {_wan(v('public'))}"))
    control = scoring.control_rate(basic.staff_quota, basic.staff_actual)
    stated = basic.stated_control_rate
    if control is not None and stated is not None and not _states(stated, Decimal(basic.staff_actual) * 100 / basic.staff_quota):
        out.append(Problem("basic.control_rate", ERROR, f"{table} · 控制率",
                           f"控制率填报为 {number_text(stated)}%，应为 实际在职人数 {basic.staff_actual} / 编制数 "
                           f"{basic.staff_quota} = {control}%"))
    out += _basic_budget_vs_funds(data)
    for key, fund_key in (("projects", "project"), ("public", "public")):
        final = rows.get(key).final if rows.get(key) else None
        executed = data.amounts(fund_key).executed
        if final is not None and executed is not None and final != executed:
            out.append(Problem("basic.vs_funds", ERROR, f"{table} · 本年决算数 · {BASIC_LABELS[key]}",
                               f"{BASIC_LABELS[key]}决算数 {_wan(final)} 与自评表{FUND_LABELS[fund_key]}执行数 "
                               f"{_wan(executed)} 不符"))
    return out


def _basic_budget_vs_funds(data: EvaluationData) -> list[Problem]:
    """This year's 项目支出 budget in the basic data table is the 年初 project budget of the funds table."""
    row = data.basic.rows.get("projects")
    initials = [p.amounts.initial for p in data.projects]
    initial = data.amounts("project").initial
    if initial is None and initials and None not in initials:
        initial = sum(initials, Decimal(0))
    if row is None or row.budget is None or initial is None or row.budget == initial:
        return []
    return [Problem("basic.vs_funds", ERROR, "基础数据表 · 本年预算数 · 项目支出",
                    f"项目支出预算数 {_wan(row.budget)} 与年初项目支出预算 {_wan(initial)} 不符")]


def _tree(data: EvaluationData, table: str, department: EvaluationData) -> list[Problem]:
    out: list[Problem] = []
    place0 = f"{table} · 绩效指标"
    if not data.indicators:
        return [Problem("tree.empty", ERROR, place0, "未填写绩效指标（一级、二级、三级指标）")]
    if data.execution_weight != EXECUTION_WEIGHT:
        out.append(Problem("tree.weights", ERROR, f"{table} · 资金情况 · 分值",
                           f"执行率分值 {number_text(data.execution_weight)}，按规定应为 {EXECUTION_WEIGHT}"))
    sums = scoring.weight_sums(data)
    for level1, (weight, _level2s) in LEVEL1.items():
        got = sums.get(level1, Decimal(0))
        if got != weight:
            out.append(Problem("tree.weights", ERROR, f"{place0} · {level1}",
                               f"{level1}分值合计 {number_text(got)}，按规定应为 {number_text(weight)}"
                               f"（执行率10、产出50、效益30、满意度10）"))
    for n, i in enumerate(data.indicators, 1):
        out += _indicator(i, f"{place0} · 第{n}行（{i.name or i.level2 or i.level1}）", data, department)
    return out


def _indicator(i: Indicator, place: str, data: EvaluationData, department: EvaluationData) -> list[Problem]:
    out: list[Problem] = []
    if i.level1 not in LEVEL1:
        out.append(Problem("tree.level1_unknown", ERROR, place, f"一级指标“{i.level1}”不是规范名称（产出指标、效益指标、满意度指标）"))
    elif i.level2 and i.level2 not in LEVEL1[i.level1][1]:
        names = "、".join(LEVEL1[i.level1][1])
        out.append(Problem("tree.level2_unknown", ERROR, place, f"二级指标“{i.level2}”不是{i.level1}下的规范名称（{names}）"))
    if not i.level2.strip() or not i.name.strip() or _is_bare_value(i.name):
        levels = "二级、三级指标" if not i.level2.strip() else "三级指标（缺少具体的三级指标名称）"
        out.append(Problem("tree.level3_missing", ERROR, place, f"指标未细化到{levels}"))
    elif i.level2 in MEASURABLE_LEVEL2 and i.target is None and not _MEASURE.search(i.target_text):
        out.append(Problem("tree.not_measurable", WARNING, f"{place} · 年度指标值",
                           f"{i.level2}的年度指标值应为可衡量的数值（如“≥95%”“≤290.32万元”），现为“{i.target_text}”"))
    if i.score is None:
        out.append(Problem("tree.score_missing", ERROR, f"{place} · 得分", "未填写得分"))
        return out
    if i.score > i.weight:
        out.append(Problem("tree.score_over_weight", ERROR, f"{place} · 得分",
                           f"得分 {number_text(i.score)} 超过分值 {number_text(i.weight)}"))
    if i.score < 0:
        out.append(Problem("tree.score_negative", ERROR, f"{place} · 得分", f"得分 {number_text(i.score)} 不能为负"))
    if i.target is not None and i.actual is not None and i.unit != i.actual_unit:
        out.append(Problem("tree.unit_mismatch", ERROR, f"{place} · 实际完成值",
                           f"实际完成值“{i.actual_display}”与年度指标值“{i.target_display}”计量单位不一致，无法比较"))
    formula = scoring.indicator_score(i)
    if formula is not None and i.score != formula:
        out.append(Problem("tree.score_formula", ERROR, f"{place} · 得分",
                           f"实际 {i.actual_display} 对指标值 {i.target_display}，按公式得分应为 {formula}，填报为 "
                           f"{number_text(i.score)}"))
    if i.score < i.weight and _blank(i.deviation):
        out.append(Problem("tree.deviation_missing", ERROR, f"{place} · 偏差原因分析及改进措施",
                           f"得分 {number_text(i.score)} 低于分值 {number_text(i.weight)}，须填写偏差原因分析及改进措施"))
    out += _cost(i, place, data, department)
    return out


def _cost(i: Indicator, place: str, data: EvaluationData, department: EvaluationData) -> list[Problem]:
    """A money cost indicator's actual must be an executed amount: the evaluation's, a project line's or a project's."""
    if i.level2 != "成本指标" or i.actual is None or i.actual_unit not in MONEY_UNITS:
        return []
    actual = (i.actual * MONEY_UNITS[i.actual_unit]).quantize(Decimal("0.01"))
    candidates = {data.amounts("total").executed} | {p.amounts.executed for p in data.projects}
    if data is department:
        candidates |= {c.amounts("total").executed for c in data.children}
    candidates.discard(None)
    if not candidates or actual in candidates:
        return []
    executed = data.amounts("total").executed
    against = f"全年执行数 {_wan(executed)}" if executed is not None else "各项目执行数"
    return [Problem("tree.cost_vs_funds", ERROR, f"{place} · 实际完成值",
                    f"成本指标实际完成值 {i.actual_display} 与{against}不符")]


def _totals(data: EvaluationData, table: str) -> list[Problem]:
    out: list[Problem] = []
    total = scoring.total_score(data)
    if data.stated_total is not None and data.stated_total != total:
        out.append(Problem("total.stated", ERROR, f"{table} · 总分",
                           f"总分填报为 {number_text(data.stated_total)}，按执行率得分与各指标得分合计应为 {total}"))
    if data.stated_grade and data.stated_grade != scoring.grade(total):
        out.append(Problem("total.grade", ERROR, f"{table} · 等级",
                           f"等级填报为“{data.stated_grade}”，总分 {total} 对应“{scoring.grade(total)}”"
                           f"（优≥90，良80–89，中60–79，差<60）"))
    weight = data.execution_weight + sum((i.weight for i in data.indicators), Decimal(0))
    if data.indicators and weight != 100:
        out.append(Problem("total.weight", ERROR, f"{table} · 分值合计",
                           f"执行率与各指标分值合计 {number_text(weight)}，应为 100"))
    return out


def _report(data: EvaluationData) -> list[Problem]:
    out: list[Problem] = []
    for key, title in SECTIONS[data.kind]:
        text = (data.sections.get(key) or "").strip()
        if not text:
            out.append(Problem("report.section_missing", ERROR, f"自评报告 · {title}", f"自评报告缺少“{title}”部分"))
        elif PLACEHOLDER in text or BLANK in text:
            out.append(Problem("report.placeholder", WARNING, f"自评报告 · {title}",
                               "起草稿中仍有待补充的内容（“【请补充：…】”或“____”），提交前请补齐"))
    problems, measures = data.sections.get("problems") or "", data.sections.get("measures")
    place = f"自评报告 · {dict(SECTIONS[data.kind])['measures']}"
    if not _blank(problems) and measures is not None and _blank(measures):
        out.append(Problem("report.measures_missing", ERROR, place, "报告列出了存在的问题，但没有提出对应的改进措施或建议"))
    elif len(_ITEM.findall(problems)) > len(_ITEM.findall(measures or "")):
        out.append(Problem("report.measures_fewer", WARNING, place,
                           f"列出问题 {len(_ITEM.findall(problems))} 条，改进措施只有 {len(_ITEM.findall(measures or ''))} 条，"
                           f"措施应与问题一一对应"))
    return out


def _attachments(data: EvaluationData) -> list[Problem]:
    out: list[Problem] = []
    if data.basic.is_empty():
        out.append(Problem("attachment.basic_missing", ERROR, "附件 · 基础数据表", "未填写部门整体支出绩效评价基础数据表"))
    evaluated = {c.project_name for c in data.children}
    for p in data.projects:
        if p.name not in evaluated:
            out.append(Problem("attachment.project_missing", ERROR, f"附件 · 项目支出绩效自评表（{p.name}）",
                               f"项目“{p.name}”没有项目支出绩效自评表"))
    return out


def _states(stated: Decimal, exact: Decimal) -> bool:
    """A stated percentage is right when it is the exact one rounded half-up to 0, 1 or 2 places (92.50 → 93)."""
    return any(stated == exact.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP) for places in (0, 1, 2))


def _blank(text: str | None) -> bool:
    return (text or "").strip() in EMPTY_TEXTS


def _is_bare_value(text: str) -> bool:
    """A 三级指标 cell holding only a figure ('95%', '2021全年') names no indicator."""
    value = parse_value(text)
    return value is not None and len(value[2]) <= BARE_UNIT_LENGTH
