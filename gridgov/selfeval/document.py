"""A self-evaluation as plain data — what the official tables hold — for scoring, checks and files, free of the database."""

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DEPARTMENT, PROJECT = "department", "project"
KINDS = {DEPARTMENT: "部门整体支出", PROJECT: "项目支出"}

WAN = Decimal(10000)
CENT = Decimal("0.01")

# Fund lines of a 自评表 in table order: (key, label, parent). Money is in yuan; the tables show 万元.
SOURCE_LINES = (("total", "年度资金总额", None), ("fiscal", "其中：当年财政拨款", "total"),
                ("carryover", "上年结转资金", "total"), ("other", "其他资金", "total"))
STRUCTURE_LINES = (("basic", "基本支出", "total"), ("personnel", "其中：人员支出", "basic"),
                   ("public", "公用支出", "basic"), ("project", "项目支出", "total"))
FUND_LINES = SOURCE_LINES + STRUCTURE_LINES
FUND_LABELS = {key: label for key, label, _ in FUND_LINES}

# 部门整体支出绩效评价基础数据表: money rows with (last year's final, this year's budget, this year's final).
BASIC_LINES = (
    ("three_public", "三公经费", None),
    ("car", "1、公务用车购置和维护经费", "three_public"),
    ("car_purchase", "其中：公车购置", "car"),
    ("car_running", "公车运行维护", "car"),
    ("abroad", "2、出国经费", "three_public"),
    ("reception", "3、公务接待", "three_public"),
    ("projects", "项目支出", None),
    ("project_funds", "1、项目支出经费", "projects"),
    ("special_funds", "2、专项资金", "projects"),
    ("public", "公用经费", None),
    ("office", "其中：办公经费", "public*"),
    ("utilities_travel", "水费、电费、差旅费", "public*"),
    ("meetings_training", "会议费、培训费", "public*"),
    ("procurement", "政府采购金额", None),
    ("adjustment", "部门基本支出预算调整", None),
)
BASIC_LABELS = {key: label for key, label, _ in BASIC_LINES}


def depth(key: str, lines) -> int:
    """How far a table line is indented under its parents ('public*' marks a parent its items need not add up to)."""
    parents = {k: (p or "").rstrip("*") for k, _label, p in lines}
    level = 0
    while parents.get(key):
        key, level = parents[key], level + 1
    return level
BASIC_COLUMNS = (("last_final", "上年决算数"), ("budget", "本年预算数"), ("final", "本年决算数"))

# The standard indicator tree: 一级 → (weight, 二级 names). 执行率 is scored from the funds, not the tree.
EXECUTION_WEIGHT = Decimal(10)
LEVEL1 = {
    "产出指标": (Decimal(50), ("数量指标", "质量指标", "时效指标", "成本指标")),
    "效益指标": (Decimal(30), ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标")),
    "满意度指标": (Decimal(10), ("服务对象满意度指标",)),
}
COMPARATORS = ("≥", "≤", "=")
# What a drafted report leaves for the officer: a missing figure, and missing prose ('【请补充：内设机构】').
BLANK = "____"
PLACEHOLDER = "【请补充"

# The narrative report's sections, by kind (湖南省部门整体支出 / 项目支出绩效自评报告 outlines).
SECTIONS = {
    DEPARTMENT: (
        ("basic", "一、部门基本情况"),
        ("general_budget", "二、一般公共预算支出情况"),
        ("fund_budget", "三、政府性基金预算支出情况"),
        ("state_capital", "四、国有资本经营预算支出情况"),
        ("social_insurance", "五、社会保险基金预算支出情况"),
        ("performance", "六、部门整体支出绩效情况"),
        ("problems", "七、存在的问题及原因分析"),
        ("measures", "八、下一步改进措施"),
        ("application", "九、部门整体支出绩效自评结果拟应用和公开情况"),
    ),
    PROJECT: (
        ("basic", "一、项目基本情况"),
        ("process", "二、绩效评价工作情况"),
        ("performance", "三、项目主要绩效及评价结论"),
        ("analysis", "四、绩效评价指标分析"),
        ("problems", "五、主要经验及做法、存在的问题及原因分析"),
        ("measures", "六、有关建议"),
        ("other", "七、其他需要说明的问题"),
    ),
}


@dataclass
class Amounts:
    """One fund line: 年初预算数, 全年预算数, 全年执行数 in yuan, and the 执行率 the table states (percent)."""

    initial: Decimal | None = None
    budget: Decimal | None = None
    executed: Decimal | None = None
    stated_rate: Decimal | None = None


@dataclass
class ProjectLine:
    """A project under the department's 项目支出."""

    name: str
    amounts: Amounts = field(default_factory=Amounts)


@dataclass
class BasicRow:
    """A row of the basic data table: last year's final accounts, this year's budget, this year's final accounts."""

    last_final: Decimal | None = None
    budget: Decimal | None = None
    final: Decimal | None = None


@dataclass
class BasicData:
    """部门整体支出绩效评价基础数据表."""

    staff_quota: int | None = None
    staff_actual: int | None = None
    stated_control_rate: Decimal | None = None
    rows: dict[str, BasicRow] = field(default_factory=dict)
    savings_measures: str = ""

    def is_empty(self) -> bool:
        """True when nothing was entered."""
        return (self.staff_quota is None and self.staff_actual is None and not self.savings_measures
                and all(v is None for r in self.rows.values() for v in vars(r).values()))


@dataclass
class Indicator:
    """A level-three indicator with its place in the tree, its target, actual, weight and score."""

    level1: str
    level2: str
    name: str
    weight: Decimal
    score: Decimal | None = None
    comparator: str = ""
    target: Decimal | None = None
    unit: str = ""
    target_text: str = ""
    actual: Decimal | None = None
    actual_unit: str = ""
    actual_text: str = ""
    deviation: str = ""
    metric: str = ""
    key: int | None = field(default=None, compare=False)  # the stored row, so an edit keeps the row's history

    @property
    def target_display(self) -> str:
        """年度指标值 as the table prints it."""
        if self.target is None:
            return self.target_text
        return f"{self.comparator}{number_text(self.target)}{self.unit}"

    @property
    def actual_display(self) -> str:
        """实际完成值 as the table prints it."""
        return self.actual_text if self.actual is None else f"{number_text(self.actual)}{self.actual_unit}"

    @property
    def quantitative(self) -> bool:
        """Both values are numbers in the same unit, so the score follows from a formula."""
        return self.target is not None and self.actual is not None and self.unit == self.actual_unit


@dataclass
class EvaluationData:
    """A whole self-evaluation: funds, basic data, goal, indicator tree, stated results, report text and projects."""

    unit_name: str
    year: int
    kind: str = DEPARTMENT
    project_name: str = ""
    department_name: str = ""
    goal: str = ""
    outcome: str = ""
    funds: dict[str, Amounts] = field(default_factory=dict)
    projects: list[ProjectLine] = field(default_factory=list)
    execution_weight: Decimal = EXECUTION_WEIGHT
    stated_execution_score: Decimal | None = None
    execution_reason: str = ""
    basic: BasicData = field(default_factory=BasicData)
    indicators: list[Indicator] = field(default_factory=list)
    stated_total: Decimal | None = None
    stated_grade: str = ""
    sections: dict[str, str] = field(default_factory=dict)
    children: list["EvaluationData"] = field(default_factory=list)

    @property
    def title(self) -> str:
        """'2022年度 网格员专项经费 项目支出绩效自评' or the department's equivalent."""
        subject = self.project_name if self.kind == PROJECT else self.unit_name
        return f"{self.year}年度{subject}{KINDS[self.kind]}绩效自评"

    def amounts(self, key: str) -> Amounts:
        """A fund line, empty when not entered."""
        return self.funds.get(key) or Amounts()


def wan(text) -> Decimal | None:
    """Yuan from an amount in 万元 ('423.38' → 4233800.00)."""
    if text is None or text == "":
        return None
    return (Decimal(str(text)) * WAN).quantize(CENT, ROUND_HALF_UP)


def in_wan(yuan: Decimal | None) -> Decimal | None:
    """万元 from yuan, exact (up to 6 decimals)."""
    return None if yuan is None else (yuan / WAN).normalize() if yuan else Decimal(0)


def number_text(value: Decimal) -> str:
    """A number without exponent or trailing zeros: 290.32, 100, 0.5."""
    return format(value.normalize(), "f")


def wan_display(yuan: Decimal | None) -> str:
    """Yuan shown in 万元 with 2 decimals, rounded half-up as finance tables are ('4233849.99' → '423.38'); '' if None."""
    return "" if yuan is None else str((Decimal(yuan) / WAN).quantize(CENT, ROUND_HALF_UP))


_VALUE = re.compile(r"^\s*(≥|≤|=|>=|<=|＝)?\s*(-?\d+(?:\.\d+)?)\s*([^\d\s]*)\s*$")
_COMPARATOR_ALIASES = {">=": "≥", "<=": "≤", "＝": "="}


def parse_value(text: str) -> tuple[str, Decimal, str] | None:
    """'≥25个项目' → ('≥', 25, '个项目'); None when the text is not one comparator, number and unit."""
    match = _VALUE.match(text or "")
    if not match:
        return None
    comparator, number, unit = match.groups()
    try:
        value = Decimal(number)
    except InvalidOperation:
        return None
    return _COMPARATOR_ALIASES.get(comparator, comparator or ""), value, unit


def indicator_values(target_text: str, actual_text: str) -> dict:
    """The structured fields of an indicator from its two cells as written."""
    out = {"comparator": "", "target": None, "unit": "", "target_text": "", "actual": None, "actual_unit": "",
           "actual_text": ""}
    target = parse_value(target_text)
    if target:
        out["comparator"], out["target"], out["unit"] = target
    else:
        out["target_text"] = (target_text or "").strip()
    actual = parse_value(actual_text)
    if actual and not actual[0]:
        out["actual"], out["actual_unit"] = actual[1], actual[2]
    else:  # an actual written with a comparator ('≥95%') states a target, not a value
        out["actual_text"] = (actual_text or "").strip()
    return out
