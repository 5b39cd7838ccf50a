"""Forms of the self-evaluation pages: the small ones as Django forms, the edit page as plain values ↔ EvaluationData.

The edit page is one big HTML form. Its cells travel as strings in a `values` dict (what the page shows, money in
万元); `values_of(data)` builds it from a document, `values_from_post(post, kind)` from a submitted form, and
`parse(values, base)` turns it into a whole EvaluationData — or a list of Chinese messages, each naming its cell.
"""

import copy
import re
from decimal import Decimal, InvalidOperation

from django import forms

from gridgov.selfeval import live, scoring, starter
from gridgov.selfeval.document import (
    BASIC_COLUMNS, BASIC_LINES, DEPARTMENT, FUND_LINES, KINDS, LEVEL1, PROJECT, SECTIONS, Amounts, BasicRow,
    EvaluationData, Indicator, ProjectLine, depth, in_wan, indicator_values, number_text, wan,
)
from gridgov.selfeval.validation import YEARS

AMOUNT_COLUMNS = (("initial", "年初预算数"), ("budget", "全年预算数"), ("executed", "全年执行数"))
MAX_WAN = Decimal("10000000000")  # 1e10 万元: beyond any budget, and within the database columns
MAX_SCORE = Decimal("10000")
MAX_UPLOAD_BYTES = 10 * 2**20
MAX_FIGURE = Decimal("1000000000000")
INDICATOR_CELLS = ("key", "level1", "level2", "name", "target", "actual", "weight", "score", "deviation", "metric")
PROJECT_CELLS = ("name",) + tuple(k for k, _ in AMOUNT_COLUMNS) + ("stated_rate",)
HEAD_CELLS = ("unit_name", "year", "project_name", "department_name", "goal", "outcome", "stated_execution_score",
              "execution_reason", "stated_total", "stated_grade")
_ROW = re.compile(r"^(ind|proj)-(\d+)-([a-z_0-9]+)$")


# ---------------------------------------------------------------- small forms


class CreateForm(forms.Form):
    """Start an evaluation (or a project evaluation under a department's) from a template."""

    unit_name = forms.CharField(label="单位名称", max_length=100, required=False)
    year = forms.IntegerField(label="年度", min_value=YEARS.start, max_value=YEARS.stop - 1,
                              error_messages={"invalid": "年度应为四位数字", "required": "请填写年度"})
    kind = forms.ChoiceField(label="类型", choices=list(KINDS.items()), initial=DEPARTMENT)
    project_name = forms.CharField(label="项目名称", max_length=100, required=False)
    template = forms.ChoiceField(label="模板", choices=[(k, v[0]) for k, v in starter.TEMPLATES.items()])
    parent = forms.IntegerField(label="所属部门整体自评", required=False)

    def clean(self):
        data = super().clean()
        if not data.get("parent") and not (data.get("unit_name") or "").strip():
            self.add_error("unit_name", "请填写单位名称")
        if (data.get("parent") or data.get("kind") == PROJECT) and not (data.get("project_name") or "").strip():
            self.add_error("project_name", "项目支出绩效自评须填写项目名称")
        return data


class CopyForm(forms.Form):
    """Copy an evaluation as the draft of another year."""

    year = forms.IntegerField(label="年度", min_value=YEARS.start, max_value=YEARS.stop - 1,
                              error_messages={"invalid": "年度应为四位数字", "required": "请填写年度"})


class OverrideForm(forms.Form):
    """Set a bound indicator's actual value by hand, with the reason."""

    value = forms.DecimalField(label="实际完成值", max_digits=18, decimal_places=6,
                               error_messages={"invalid": "实际完成值应为数字", "required": "请填写实际完成值"})
    reason = forms.CharField(label="修正理由", max_length=500, required=False)

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError("人工修正实际完成值须填写理由")
        return reason


class ImportForm(forms.Form):
    """The filled-in .xlsx to read back."""

    file = forms.FileField(label="自评表 (.xlsx)", error_messages={"required": "请选择要导入的 .xlsx 文件"})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("只能导入 .xlsx 文件（Excel 2007 及以上格式）")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件超过 {MAX_UPLOAD_BYTES // 2**20} MB，不是自评表")
        return upload


def errors_text(form: forms.Form) -> list[str]:
    """A form's errors as Chinese sentences naming the field."""
    out = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        out += [f"{label}：{e}" if label else str(e) for e in errors]
    return out


# ---------------------------------------------------------------- values of the edit page


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return number_text(value)
    return str(value)


def _wan_text(yuan) -> str:
    return "" if yuan is None else number_text(in_wan(yuan))


def fund_layout() -> list[dict]:
    """The funds table's rows in order, with their indentation."""
    return [{"key": key, "label": label, "depth": depth(key, FUND_LINES)} for key, label, _parent in FUND_LINES]


def basic_layout() -> list[dict]:
    """The basic data table's rows in order, with their indentation."""
    return [{"key": key, "label": label, "depth": depth(key, BASIC_LINES)} for key, label, _parent in BASIC_LINES]


def values_of(data: EvaluationData) -> dict:
    """The edit page's cells from a document, with the computed figures beside the stated ones."""
    values = {"head": {name: _text(getattr(data, name)) for name in HEAD_CELLS}}
    values["funds"] = []
    for row in fund_layout():
        a = data.funds.get(row["key"]) or Amounts()
        values["funds"].append({**row, **{k: _wan_text(getattr(a, k)) for k, _ in AMOUNT_COLUMNS},
                                "stated_rate": _text(a.stated_rate),
                                "rate": scoring.execution_rate(a.executed, a.budget)})
    values["projects"] = [{"name": p.name, **{k: _wan_text(getattr(p.amounts, k)) for k, _ in AMOUNT_COLUMNS},
                           "stated_rate": _text(p.amounts.stated_rate),
                           "rate": scoring.execution_rate(p.amounts.executed, p.amounts.budget)}
                          for p in data.projects]
    basic = data.basic
    values["basic"] = {"staff_quota": _text(basic.staff_quota), "staff_actual": _text(basic.staff_actual),
                       "stated_control_rate": _text(basic.stated_control_rate),
                       "savings_measures": basic.savings_measures,
                       "control_rate": scoring.control_rate(basic.staff_quota, basic.staff_actual),
                       "rows": []}
    for row in basic_layout():
        figures = data.basic.rows.get(row["key"]) or BasicRow()
        values["basic"]["rows"].append({**row, **{k: _wan_text(getattr(figures, k)) for k, _ in BASIC_COLUMNS}})
    values["indicators"] = []
    for i in data.indicators:
        values["indicators"].append({
            "key": _text(i.key), "level1": i.level1, "level2": i.level2, "name": i.name, "target": i.target_display,
            "actual": i.actual_display, "weight": _text(i.weight), "score": _text(i.score), "deviation": i.deviation,
            "metric": i.metric, "computed": scoring.indicator_score(i), "band": scoring.qualitative_band(i),
            "over": i.score is not None and i.score > i.weight,
        })
    values["sections"] = [{"key": key, "label": label, "text": data.sections.get(key, "")}
                          for key, label in SECTIONS[data.kind]]
    return values


def values_from_post(post, kind: str) -> dict:
    """The edit page's cells as submitted (rows in the order of their indexes, deleted rows dropped)."""
    g = lambda name: (post.get(name) or "").replace("\r\n", "\n")  # noqa: E731
    values = {"head": {name: g(name) for name in HEAD_CELLS}}
    values["funds"] = [{**row, **{k: g(f"fund-{row['key']}-{k}") for k, _ in AMOUNT_COLUMNS},
                        "stated_rate": g(f"fund-{row['key']}-stated_rate")} for row in fund_layout()]
    rows: dict[tuple[str, int], dict] = {}
    for name in post:
        match = _ROW.match(name)
        if match:
            prefix, n, cell = match.groups()
            rows.setdefault((prefix, int(n)), {})[cell] = g(name)
    values["projects"] = [{c: cells.get(c, "") for c in PROJECT_CELLS}
                          for (prefix, _n), cells in sorted(rows.items()) if prefix == "proj" and not cells.get("delete")]
    values["indicators"] = [{c: cells.get(c, "") for c in INDICATOR_CELLS}
                            for (prefix, _n), cells in sorted(rows.items()) if prefix == "ind" and not cells.get("delete")]
    values["basic"] = {name: g(name) for name in ("staff_quota", "staff_actual", "stated_control_rate", "savings_measures")}
    values["basic"]["rows"] = [{**row, **{k: g(f"basic-{row['key']}-{k}") for k, _ in BASIC_COLUMNS}}
                               for row in basic_layout()]
    values["sections"] = [{"key": key, "label": label, "text": g(f"sec-{key}")} for key, label in SECTIONS[kind]]
    return values


def mark_errors(values: dict, cells: set[str]) -> dict:
    """Note on every row which of its cells `parse` refused, for the page to outline them."""
    values["bad"] = {c for c in cells if "-" not in c}
    for row in values["funds"]:
        row["bad"] = {c.rsplit("-", 1)[1] for c in cells if c.startswith(f"fund-{row['key']}-")}
    for row in values["basic"]["rows"]:
        row["bad"] = {c.rsplit("-", 1)[1] for c in cells if c.startswith(f"basic-{row['key']}-")}
    for prefix, rows in (("proj", values["projects"]), ("ind", values["indicators"])):
        for n, row in enumerate(rows, 1):
            row["bad"] = {c.rsplit("-", 1)[1] for c in cells if c.startswith(f"{prefix}-{n}-")}
    return values


# ---------------------------------------------------------------- parsing


class _Errors(list):
    def __init__(self):
        super().__init__()
        self.cells: set[str] = set()

    def add(self, cell: str, message: str):
        self.cells.add(cell)
        self.append(message)


def _number(text: str, place: str, cell: str, errors: _Errors, *, what: str = "数字", limit: Decimal = MAX_FIGURE,
            percent: bool = False) -> Decimal | None:
    raw = (text or "").strip().replace(",", "").replace("，", "")
    if percent:
        raw = raw.rstrip("%％").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.add(cell, f"{place}：“{text.strip()}”不是有效的{what}")
        return None
    if not value.is_finite() or abs(value) >= limit:
        errors.add(cell, f"{place}：“{text.strip()}”超出允许范围")
        return None
    return value


def _money(text, place, cell, errors) -> Decimal | None:
    value = _number(text, place, cell, errors, what="金额（万元）", limit=MAX_WAN)
    return None if value is None else wan(value)


def _amounts(cells: dict, place: str, prefix: str, errors: _Errors) -> Amounts:
    a = Amounts(*(_money(cells[k], f"{place} · {label}（万元）", f"{prefix}-{k}", errors) for k, label in AMOUNT_COLUMNS))
    a.stated_rate = _number(cells["stated_rate"], f"{place} · 执行率（%）", f"{prefix}-stated_rate", errors,
                            limit=Decimal(1000000), percent=True)
    return a


def _count(text, place, cell, errors) -> int | None:
    raw = (text or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        errors.add(cell, f"{place}：“{raw}”应为不小于 0 的整数")
        return None
    return int(raw)


def parse(values: dict, base: EvaluationData) -> tuple[EvaluationData, list[str], set[str]]:
    """The whole document from the page's cells; what the page does not hold is kept from `base`.

    Returns (document, errors, cells with errors); the document is only to be saved when errors is empty."""
    errors = _Errors()
    data = copy.deepcopy(base)
    head = values["head"]
    data.unit_name = head["unit_name"].strip()
    if not data.unit_name:
        errors.add("unit_name", "基本信息 · 单位名称：请填写单位名称")
    year = _count(head["year"], "基本信息 · 年度", "year", errors)
    if year is not None and year not in YEARS:
        errors.add("year", f"基本信息 · 年度：{year} 不在 {YEARS.start}–{YEARS.stop - 1} 之间")
    elif year is not None:
        data.year = year
    elif "year" not in errors.cells:
        errors.add("year", "基本信息 · 年度：请填写年度")
    if data.kind == PROJECT:
        data.project_name = head["project_name"].strip()
        if not data.project_name:
            errors.add("project_name", "基本信息 · 项目名称：项目支出绩效自评须填写项目名称")
    data.department_name = head["department_name"].strip()
    for name, label in (("unit_name", "单位名称"), ("project_name", "项目名称"), ("department_name", "主管部门")):
        if len(head[name].strip()) > 100:
            errors.add(name, f"基本信息 · {label}：不能超过 100 字")
    data.goal, data.outcome = head["goal"].strip(), head["outcome"].strip()
    data.execution_reason = head["execution_reason"].strip()
    data.stated_execution_score = _number(head["stated_execution_score"], "资金情况 · 执行率得分（表内填报）",
                                          "stated_execution_score", errors, limit=MAX_SCORE)
    data.stated_total = _number(head["stated_total"], "总分（表内填报）", "stated_total", errors, limit=MAX_SCORE)
    data.stated_grade = head["stated_grade"].strip()
    if data.stated_grade and data.stated_grade not in scoring.GRADE_NAMES:
        errors.add("stated_grade", f"等级（表内填报）：“{data.stated_grade}”应为 优、良、中、差 之一")

    data.funds = {}
    for row in values["funds"]:
        a = _amounts(row, f"资金情况 · {row['label'].removeprefix('其中：')}", f"fund-{row['key']}", errors)
        if row["key"] == "total" or any(v is not None for v in vars(a).values()):
            data.funds[row["key"]] = a

    data.projects = []
    for n, row in enumerate(values["projects"], 1):
        a = _amounts(row, f"项目支出明细第 {n} 行", f"proj-{n}", errors)
        name = row["name"].strip()
        if not name and all(v is None for v in vars(a).values()):
            continue
        if not name:
            errors.add(f"proj-{n}-name", f"项目支出明细第 {n} 行 · 项目名称：请填写项目名称")
        data.projects.append(ProjectLine(name, a))

    basic = values["basic"]
    data.basic.staff_quota = _count(basic["staff_quota"], "基础数据 · 编制数", "staff_quota", errors)
    data.basic.staff_actual = _count(basic["staff_actual"], "基础数据 · 实际在职人数", "staff_actual", errors)
    data.basic.stated_control_rate = _number(basic["stated_control_rate"], "基础数据 · 控制率（%）",
                                             "stated_control_rate", errors, limit=Decimal(100000), percent=True)
    data.basic.savings_measures = basic["savings_measures"].strip()
    data.basic.rows = {}
    for row in basic["rows"]:
        figures = BasicRow(*(_money(row[k], f"基础数据 · {row['label']} · {label}（万元）", f"basic-{row['key']}-{k}", errors)
                             for k, label in BASIC_COLUMNS))
        if any(v is not None for v in vars(figures).values()):
            data.basic.rows[row["key"]] = figures

    data.indicators = []
    for n, row in enumerate(values["indicators"], 1):
        indicator = _indicator(row, n, errors)
        if indicator is not None:
            data.indicators.append(indicator)

    sections = dict(base.sections)
    for section in values["sections"]:
        text = section["text"].strip()
        if text:
            sections[section["key"]] = text
        else:
            sections.pop(section["key"], None)
    data.sections = sections
    return data, list(errors), errors.cells


def _indicator(row: dict, n: int, errors: _Errors) -> Indicator | None:
    if not any(row[c].strip() for c in ("name", "target", "actual", "weight", "score", "deviation", "metric")):
        return None  # an empty row, as the add button leaves it
    place, cell = f"绩效指标第 {n} 行", f"ind-{n}"
    level1, level2 = row["level1"].strip(), row["level2"].strip()
    if level1 not in LEVEL1:
        errors.add(f"{cell}-level1", f"{place} · 一级指标：请选择 {'、'.join(LEVEL1)} 之一")
    elif level2 not in LEVEL1[level1][1]:
        errors.add(f"{cell}-level2", f"{place} · 二级指标：“{level2 or '（未选）'}”不属于{level1}，"
                                     f"可选 {'、'.join(LEVEL1[level1][1])}")
    weight = _number(row["weight"], f"{place} · 分值", f"{cell}-weight", errors, limit=MAX_SCORE)
    if weight is None and f"{cell}-weight" not in errors.cells:
        errors.add(f"{cell}-weight", f"{place} · 分值：请填写分值")
    if weight is not None and weight < 0:
        errors.add(f"{cell}-weight", f"{place} · 分值：不能为负数")
    score = _number(row["score"], f"{place} · 得分", f"{cell}-score", errors, limit=MAX_SCORE)
    metric = row["metric"].strip()
    if metric and metric not in live.BINDABLE:
        errors.add(f"{cell}-metric", f"{place} · 绑定平台指标：未知的平台指标 {metric}")
    parsed = indicator_values(row["target"], row["actual"])
    for key, label in (("target", "年度指标值"), ("actual", "实际完成值")):
        if parsed[key] is not None and abs(parsed[key]) >= MAX_FIGURE:
            errors.add(f"{cell}-{key}", f"{place} · {label}：数值超出允许范围")
    if len(row["name"].strip()) > 300:
        errors.add(f"{cell}-name", f"{place} · 三级指标：名称不能超过 300 字")
    key = int(row["key"]) if row["key"].strip().isdigit() else None  # the stored row: an edit keeps its history
    return Indicator(level1=level1, level2=level2, name=row["name"].strip(), weight=weight or Decimal(0), score=score,
                     deviation=row["deviation"].strip(), metric=metric, key=key, **parsed)
