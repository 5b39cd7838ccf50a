"""Draft the self-evaluation report's sections from the tables and the platform's figures, for the officer to edit.

`compose` is pure (text from a document and the platform's figures); `gather` reads the figures from the database;
`draft` does both. Blanks a machine cannot fill are left as ____ (a figure) or 【请补充：…】 (prose).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from gridgov.selfeval.document import (
    BLANK, DEPARTMENT, FUND_LABELS, LEVEL1, PLACEHOLDER, PROJECT, SECTIONS, EvaluationData, number_text,
    wan_display,
)
from gridgov.selfeval.scoring import (
    LOW_EXECUTION, control_rate, execution_rate, execution_score, grade, round2, total_score, weight_sums,
)

TOP = 3
NUMBERS = "一二三四五六七八九十"
DEFAULT_ONTIME_TARGET = "95%"
# The fund lines whose execution the narrative discusses, in table order (sources are not spent, so left out).
SPENT_LINES = ("total", "basic", "personnel", "public", "project")
NO_FUNDS = {"fund_budget": "政府性基金", "state_capital": "国有资本经营", "social_insurance": "社会保险基金"}


@dataclass(frozen=True)
class UnitRate:
    """One unit's 按期办结率 for the year, with the counts behind it."""

    name: str
    rate: Decimal  # percent, 2 places
    on_time: int
    due: int
    closed: int
    overdue_open: int

    @property
    def closed_late(self) -> int:
        return self.closed - self.on_time


@dataclass(frozen=True)
class GridBacklog:
    """A level-three grid's overdue open tickets."""

    name: str
    overdue_open: int


@dataclass
class Platform:
    """The platform's figures of the year the narrative quotes (rates in percent, 2 places; None when undefined)."""

    year: int
    area_name: str
    as_of: date
    received: int = 0
    closed: int = 0
    close_rate: Decimal | None = None
    ontime_close_rate: Decimal | None = None
    answered: int = 0
    satisfaction_rate: Decimal | None = None
    overdue_open: int = 0
    units: list[UnitRate] = field(default_factory=list)
    grids: list[GridBacklog] = field(default_factory=list)


@dataclass(frozen=True)
class Finding:
    """A problem found in the data and the measure that answers it; both sections number them the same."""

    code: str
    problem: str
    measure: str


# --- formatting ----------------------------------------------------------------------------------

def wan_text(yuan: Decimal | None) -> str:
    """'423.38万元' from yuan; a blank to fill when not entered."""
    return f"{wan_display(yuan) or BLANK}万元"


def percent_text(value: Decimal | None) -> str:
    """'92.94%'; a blank when undefined."""
    return f"{BLANK}%" if value is None else f"{round2(Decimal(value))}%"


def score_text(value: Decimal | None) -> str:
    """A score as printed: 9.29, 10, 48.5."""
    return BLANK if value is None else number_text(round2(Decimal(value)))


def date_text(day: date) -> str:
    """'2026年1月5日'."""
    return f"{day.year}年{day.month}月{day.day}日"


def numbered(index: int) -> str:
    """'（一）' for 0."""
    return f"（{NUMBERS[index]}）" if index < len(NUMBERS) else f"（{index + 1}）"


def _join(parts) -> str:
    return "；".join(p for p in parts if p)


# --- fund lines ----------------------------------------------------------------------------------

def _has(amounts) -> bool:
    return any(v is not None for v in (amounts.initial, amounts.budget, amounts.executed))


def fund_line_text(label: str, amounts) -> str:
    """'公用支出全年预算数20.40万元，执行数14.99万元，执行率73.48%'."""
    rate = execution_rate(amounts.executed, amounts.budget)
    return f"{label}全年预算数{wan_text(amounts.budget)}，执行数{wan_text(amounts.executed)}，执行率{percent_text(rate)}"


def project_lines(data: EvaluationData) -> list[tuple[str, object]]:
    """(name, amounts) of every project: the 项目支出 lines, else the project evaluations' totals."""
    if data.projects:
        return [(p.name, p.amounts) for p in data.projects]
    return [(c.project_name, c.amounts("total")) for c in data.children]


def low_execution(data: EvaluationData) -> list[tuple[str, object, Decimal]]:
    """Fund lines and projects executed below 90%: (label, amounts, rate)."""
    lines = [(FUND_LABELS[k].removeprefix("其中："), data.funds[k]) for k in SPENT_LINES if k in data.funds]
    if data.kind == DEPARTMENT:
        lines += [(f"“{name}”项目", amounts) for name, amounts in project_lines(data)]
    out = []
    for label, amounts in lines:
        rate = execution_rate(amounts.executed, amounts.budget)
        if rate is not None and rate < LOW_EXECUTION:
            out.append((label, amounts, rate))
    return out


# --- indicators ----------------------------------------------------------------------------------

def indicator_text(i) -> str:
    """'全年受理工单数：年度指标值≥80000件，实际完成值84395件，得分10分（分值10分）'."""
    target = i.target_display or BLANK
    actual = i.actual_display or BLANK
    return (f"{i.name or i.level2}：年度指标值{target}，实际完成值{actual}，"
            f"得分{score_text(i.score)}分（分值{score_text(i.weight)}分）")


def below_weight(data: EvaluationData) -> list:
    """Indicators scored below their weight."""
    return [i for i in data.indicators if i.score is not None and i.score < i.weight]


def level1_scores(data: EvaluationData) -> list[tuple[str, Decimal, Decimal]]:
    """(level-one name, score entered, weight) in the standard order, then any other level-one names."""
    weights = weight_sums(data)
    names = [n for n in LEVEL1 if n in weights] + [n for n in weights if n not in LEVEL1]
    out = []
    for name in names:
        scored = [min(i.score, i.weight) for i in data.indicators if i.level1 == name and i.score is not None]
        out.append((name, round2(sum(scored, Decimal(0))), weights[name]))
    return out


def conclusion(data: EvaluationData) -> str:
    """The score, grade and its parts in one paragraph."""
    if not data.indicators or all(i.score is None for i in data.indicators):
        return f"各项绩效指标尚未评分，自评得分和等级待评分后确定。资金执行率得分{score_text(execution_score(data))}分。"
    total = total_score(data)
    parts = [f"资金执行率得分{score_text(execution_score(data))}分（分值{score_text(data.execution_weight)}分）"]
    parts += [f"{name}得分{score_text(score)}分（分值{score_text(weight)}分）" for name, score, weight in level1_scores(data)]
    return f"经自评，{data.title}得分{score_text(total)}分，等级为“{grade(total)}”。其中" + "，".join(parts) + "。"


# --- the platform --------------------------------------------------------------------------------

def platform_text(p: Platform | None) -> str:
    """The year's key platform figures in one paragraph."""
    if p is None:
        return ""
    text = (f"{p.year}年，{p.area_name}通过网格化综合服务平台共受理群众诉求工单{p.received}件，办结{p.closed}件，"
            f"办结率{percent_text(p.close_rate)}，按期办结率{percent_text(p.ontime_close_rate)}；"
            f"有效回访{p.answered}件，群众满意率{percent_text(p.satisfaction_rate)}。")
    if p.overdue_open:
        text += f"截至{date_text(p.as_of)}，{p.year}年受理的工单中仍有超期未办结{p.overdue_open}件。"
    return text


def lagging_units(p: Platform, n: int = TOP) -> list[UnitRate]:
    """The n units with the lowest 按期办结率 below 100% (more tickets due first on a tie)."""
    return sorted((u for u in p.units if u.rate < 100), key=lambda u: (u.rate, -u.due, u.name))[:n]


def backlog_grids(p: Platform, n: int = TOP) -> list[GridBacklog]:
    """The n grids with the most overdue open tickets."""
    return sorted((g for g in p.grids if g.overdue_open > 0), key=lambda g: (-g.overdue_open, g.name))[:n]


# --- findings ------------------------------------------------------------------------------------

def _ontime_target(data: EvaluationData) -> str:
    for i in data.indicators:
        if i.metric == "ontime_close_rate" and i.target is not None:
            return f"{i.target.normalize():f}{i.unit}"
    return DEFAULT_ONTIME_TARGET


def _unit_finding(data: EvaluationData, p: Platform) -> Finding | None:
    units = lagging_units(p)
    if not units:
        return None
    listed = "；".join(f"{u.name}{percent_text(u.rate)}（应办结{u.due}件，按期办结{u.on_time}件，"
                      f"超期办结{u.closed_late}件，超期未办结{u.overdue_open}件）" for u in units)
    names = "、".join(u.name for u in units)
    problem = (f"部分承办单位按期办结率偏低。{p.year}年按期办结率最低的{len(units)}个单位为：{listed}。"
               f"超期办结和超期未办结工单是拉低按期办结率的直接原因，反映出个别单位对办理时限重视不够、"
               f"疑难工单跨部门协调周期较长。")
    measure = (f"压实按期办结责任。对{names}实行临期工单提前预警、超期工单逐件督办，将按期办结率纳入月度通报和年度考核，"
               f"推动按期办结率提升至{_ontime_target(data)}以上；对跨部门疑难工单建立联席会商机制，缩短协调周期。")
    return Finding("units", problem, measure)


def _grid_finding(p: Platform) -> Finding | None:
    grids = backlog_grids(p)
    if not grids:
        return None
    listed = "、".join(f"{g.name}（{g.overdue_open}件）" for g in grids)
    share = sum(g.overdue_open for g in grids)
    problem = (f"部分网格超期未办结工单积压。截至{date_text(p.as_of)}，超期未办结工单最多的{len(grids)}个三级网格为：{listed}，"
               f"合计{share}件，占全部超期未办结工单{p.overdue_open}件的{percent_text(round2(Decimal(share) * 100 / p.overdue_open) if p.overdue_open else None)}。"
               f"积压工单集中在少数网格，网格内问题发现后跟踪督办不够及时。")
    measure = (f"开展积压工单专项清理。对{'、'.join(g.name for g in grids)}的超期未办结工单建立台账、逐件销号，"
               f"由网格长牵头协调承办单位限期办结，并视情况列入重点网格清单加强帮扶。")
    return Finding("grids", problem, measure)


def _indicator_finding(data: EvaluationData) -> Finding | None:
    low = below_weight(data)
    if not low:
        return None
    listed = "；".join(indicator_text(i) + (f"，偏差原因：{i.deviation.strip()}" if i.deviation.strip() else "")
                      for i in low)
    missing = "" if all(i.deviation.strip() for i in low) else f"{PLACEHOLDER}：未达标指标的偏差原因】"
    problem = f"部分绩效指标未达到年度目标。{listed}。{missing}"
    measure = (f"对照未达标指标逐项整改。针对{'、'.join(f'“{i.name or i.level2}”' for i in low)}，逐项分析偏差原因，"
               f"在下一年度细化工作措施、加强过程监控，并结合实际科学合理设定年度指标值。")
    return Finding("indicators", problem, measure)


def _funds_finding(data: EvaluationData) -> Finding | None:
    low = low_execution(data)
    if not low:
        return None
    listed = "；".join(fund_line_text(label, amounts) for label, amounts, _rate in low)
    reason = data.execution_reason.strip() or f"{PLACEHOLDER}：执行率偏低的原因】"
    problem = f"部分资金预算执行率低于90%。{listed}。原因：{reason}"
    measure = (f"加强预算执行管理。对{'、'.join(label for label, _a, _r in low)}按月跟踪支出进度，及时分析执行偏差、"
               f"调整预算安排，科学编制下一年度预算，将预算执行率提高到90%以上。")
    return Finding("funds", problem, measure)


def findings(data: EvaluationData, platform: Platform | None = None) -> list[Finding]:
    """Every problem the data shows, with its measure, in a fixed order."""
    found = [_unit_finding(data, platform), _grid_finding(platform)] if platform else []
    found += [_indicator_finding(data), _funds_finding(data)]
    return [f for f in found if f]


NONE_FOUND = Finding(
    "none",
    "经对照平台数据和自评表，本年度未发现按期办结率偏低的单位、超期未办结工单集中的网格、未达分值的绩效指标或执行率低于90%的资金。"
    f"{PLACEHOLDER}：结合工作实际查找的问题及原因】",
    "持续巩固现有工作成效，完善预算绩效管理制度，加强预算执行和绩效目标的过程监控，进一步提高资金使用效益。",
)


def problems_text(items: list[Finding]) -> str:
    """The problems, numbered （一）（二）…."""
    return "\n".join(f"{numbered(n)}{f.problem}" for n, f in enumerate(items or [NONE_FOUND]))


def measures_text(items: list[Finding]) -> str:
    """The measures, numbered as the problems they answer."""
    return "\n".join(f"{numbered(n)}{f.measure}" for n, f in enumerate(items or [NONE_FOUND]))


# --- department sections -------------------------------------------------------------------------

def _staffing(data: EvaluationData) -> str:
    b = data.basic
    quota = BLANK if b.staff_quota is None else b.staff_quota
    actual = BLANK if b.staff_actual is None else b.staff_actual
    rate = control_rate(b.staff_quota, b.staff_actual)
    return f"部门编制数{quota}人，实际在职人数{actual}人，人员控制率{percent_text(rate)}。"


def basic_text(data: EvaluationData) -> str:
    """一、部门基本情况."""
    total, basic, project = data.amounts("total"), data.amounts("basic"), data.amounts("project")
    return "\n".join([
        "（一）部门概况",
        f"{data.unit_name}{PLACEHOLDER}：单位性质、主要职责、内设机构及下属单位】。",
        "（二）人员情况",
        _staffing(data),
        "（三）整体支出规模",
        f"{data.year}年度部门整体支出全年预算数{wan_text(total.budget)}，全年执行数{wan_text(total.executed)}。"
        f"其中基本支出{wan_text(basic.executed)}，项目支出{wan_text(project.executed)}。",
    ])


def _sources(data: EvaluationData) -> str:
    parts = [f"{FUND_LABELS[k].removeprefix('其中：')}{wan_text(data.funds[k].budget)}"
             for k in ("fiscal", "carryover", "other") if k in data.funds and _has(data.funds[k])]
    return f"，其中{'、'.join(parts)}" if parts else ""


def _three_public(data: EvaluationData) -> str:
    row = data.basic.rows.get("three_public")
    if row is None or all(v is None for v in vars(row).values()):
        return ""
    return (f"“三公”经费本年预算数{wan_text(row.budget)}，本年决算数{wan_text(row.final)}，"
            f"上年决算数{wan_text(row.last_final)}。")


def budget_text(data: EvaluationData) -> str:
    """二、一般公共预算支出情况."""
    total = data.amounts("total")
    lines = ["（一）预算安排情况",
             f"{data.year}年度年初预算数{wan_text(total.initial)}，全年预算数{wan_text(total.budget)}{_sources(data)}。",
             "（二）预算执行情况",
             f"全年执行数{wan_text(total.executed)}，预算执行率{percent_text(execution_rate(total.executed, total.budget))}。"]
    structure = [fund_line_text(FUND_LABELS[k].removeprefix("其中："), data.funds[k])
                 for k in ("basic", "personnel", "public", "project") if k in data.funds and _has(data.funds[k])]
    if structure:
        lines.append("其中：" + "；".join(structure) + "。")
    projects = project_lines(data)
    lines.append("（三）项目支出情况")
    if projects:
        lines.append(f"本年度共安排项目{len(projects)}个：")
        lines += [f"{n}. {fund_line_text(f'“{name}”', amounts)}。" for n, (name, amounts) in enumerate(projects, 1)]
    else:
        lines.append("本年度未安排项目支出。")
    if three := _three_public(data):
        lines += ["（四）“三公”经费情况", three]
    return "\n".join(lines)


def no_funds_text(kind_name: str) -> str:
    """三、四、五: the funds gridgov does not model, stated as none for the officer to amend."""
    return f"本部门无{kind_name}预算，本年度无此类预算支出。"


def indicators_text(data: EvaluationData) -> list[str]:
    """One numbered line per level-three indicator, grouped under its level-one heading."""
    lines = []
    for name, score, weight in level1_scores(data):
        lines.append(f"{name}（分值{score_text(weight)}分，得分{score_text(score)}分）：")
        rows = [i for i in data.indicators if i.level1 == name]
        lines += [f"{n}. {i.level2}——{indicator_text(i)}。" for n, i in enumerate(rows, 1)]
    return lines


def performance_text(data: EvaluationData, platform: Platform | None) -> str:
    """六、部门整体支出绩效情况."""
    blocks = [("自评结论", [conclusion(data)])]
    if data.goal or data.outcome:
        blocks.append(("年度目标完成情况", [f"年初设定目标：{data.goal or BLANK}", f"全年完成情况：{data.outcome or BLANK}"]))
    blocks.append(("绩效指标完成情况", indicators_text(data)))
    if text := platform_text(platform):
        blocks.append(("平台运行情况", [text]))
    return "\n".join(line for n, (heading, body) in enumerate(blocks) for line in [numbered(n) + heading, *body])


APPLICATION_TEXT = (
    "（一）自评结果应用\n"
    "本次自评结果将作为本部门改进预算管理、优化资源配置和编制以后年度预算的重要依据。对自评发现的问题，"
    "逐项明确责任和整改时限，整改情况纳入下一年度绩效自评。\n"
    "（二）自评结果公开\n"
    "本部门整体支出绩效自评报告及自评表将按照预算绩效信息公开的有关规定，随部门决算一并在门户网站公开，接受社会监督。"
)


def department_sections(data: EvaluationData, platform: Platform | None) -> dict[str, str]:
    """The nine sections of a department's report."""
    items = findings(data, platform)
    out = {"basic": basic_text(data), "general_budget": budget_text(data)}
    out.update({key: no_funds_text(name) for key, name in NO_FUNDS.items()})
    out.update(performance=performance_text(data, platform), problems=problems_text(items),
               measures=measures_text(items), application=APPLICATION_TEXT)
    return out


# --- project sections ----------------------------------------------------------------------------

def project_sections(data: EvaluationData, platform: Platform | None) -> dict[str, str]:
    """The seven sections of a project's report."""
    items = findings(data, platform)
    total = data.amounts("total")
    owner = data.department_name or data.unit_name
    basic = "\n".join([
        "（一）项目概况",
        f"“{data.project_name}”由{owner}组织实施。{data.year}年度项目年初预算数{wan_text(total.initial)}，"
        f"全年预算数{wan_text(total.budget)}{_sources(data)}。",
        "（二）项目绩效目标", data.goal or f"{PLACEHOLDER}：项目年度绩效目标】"])
    process = "\n".join([
        "（一）绩效评价目的",
        f"了解“{data.project_name}”资金的使用和效益情况，为预算绩效管理和下年度预算安排提供重要依据。",
        "（二）绩效评价工作过程",
        "整理项目相关资料，核实项目实施和资金支付情况；对照年初设定的绩效目标逐项评价打分，根据结果进行综合评价并提出建议。"
        "绑定平台指标的实际完成值取自网格化综合服务平台的年度统计数据。"])
    performance = "\n".join([
        f"{data.year}年度项目{fund_line_text('', total)}。" if _has(total) else f"{PLACEHOLDER}：项目资金执行情况】",
        data.outcome or "", conclusion(data)]).replace("\n\n", "\n")
    analysis = indicators_text(data) + ([platform_text(platform)] if platform else [])
    return {"basic": basic, "process": process, "performance": performance.strip(), "analysis": "\n".join(analysis),
            "problems": problems_text(items), "measures": measures_text(items), "other": "无。"}


def compose(data: EvaluationData, platform: Platform | None = None) -> dict[str, str]:
    """Every section of the data's kind, drafted from the tables and (if given) the platform's figures. Pure."""
    build = project_sections if data.kind == PROJECT else department_sections
    sections = build(data, platform)
    return {key: sections.get(key, "") for key, _title in SECTIONS[data.kind]}


# --- the database --------------------------------------------------------------------------------

KEY_CODES = ("received", "closed", "close_rate", "ontime_close_rate", "answered", "satisfaction_rate", "overdue_open")


def _grid_names(codes: list[str]) -> dict[str, str]:
    """Full names of grids ('望月湖街道金茂社区金茂第1网格'): a grid's own name rarely says where it is."""
    from gridgov.areas.models import CODE_LENGTHS, Area

    prefixes = {code[:CODE_LENGTHS[level]] for code in codes for level in (1, 2, 3)}
    names = dict(Area.objects.filter(code__in=prefixes).values_list("code", "name"))
    return {code: "".join(names.get(code[:CODE_LENGTHS[level]], "") for level in (1, 2, 3)) for code in codes}


def _scope_name(scope) -> str:
    from gridgov.areas.models import Area
    from gridgov.units.models import Unit

    if scope.area:
        return Area.objects.filter(pk=scope.area).values_list("name", flat=True).first() or scope.area
    if scope.unit:
        return Unit.objects.filter(pk=scope.unit).values_list("name", flat=True).first() or str(scope.unit)
    district = Area.objects.filter(level=0).order_by("code").values_list("name", flat=True).first()
    return f"全区（{district}）" if district else "全区"


def gather(year: int, scope=None, now=None) -> Platform:
    """The platform's figures of the calendar year over the scope (default the district)."""
    from gridgov.core import clock
    from gridgov.metrics.compute import Scope, breakdown, figures
    from gridgov.metrics.periods import Period

    period, scope = Period.parse(str(year)), scope or Scope()
    f = figures(period, scope, codes=list(KEY_CODES), now=now)
    p = Platform(year=int(year), area_name=_scope_name(scope), as_of=clock.local_date(now or clock.now()),
                 received=f["received"].value, closed=f["closed"].value, close_rate=f["close_rate"].percent,
                 ontime_close_rate=f["ontime_close_rate"].percent, answered=f["answered"].value,
                 satisfaction_rate=f["satisfaction_rate"].percent, overdue_open=f["overdue_open"].value)
    for row in breakdown(period, "unit", scope, codes=["ontime_close_rate", "closed", "overdue_open"], now=now):
        rate = row.figures["ontime_close_rate"]
        if rate.value is not None:
            p.units.append(UnitRate(row.label, rate.percent, rate.numerator, rate.denominator,
                                    row.figures["closed"].value, row.figures["overdue_open"].value))
    grids = [r for r in breakdown(period, "grid3", scope, codes=["overdue_open"], now=now)
             if r.figures["overdue_open"].value]
    names = _grid_names([r.key for r in grids])
    p.grids = [GridBacklog(names[r.key] or r.label, r.figures["overdue_open"].value) for r in grids]
    return p


def draft(evaluation_or_data, year: int | None = None, scope=None, now=None) -> dict[str, str]:
    """Every section drafted from an evaluation (or its plain document) and the platform's figures of the year."""
    from gridgov.selfeval import live, store

    data = evaluation_or_data
    if not isinstance(data, EvaluationData):
        scope = scope or live.scope_of(evaluation_or_data)
        data = store.document_of(evaluation_or_data)
    return compose(data, gather(year or data.year, scope, now))
