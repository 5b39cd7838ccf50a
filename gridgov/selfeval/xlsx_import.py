"""Read a self-evaluation back from the workbook xlsx_tables writes (or one filled in by hand in the same layout)."""

import re
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from openpyxl import load_workbook

from gridgov.core.errors import InvalidInput
from gridgov.selfeval import actions, scoring, store
from gridgov.selfeval.document import (
    BASIC_LINES, DEPARTMENT, EXECUTION_WEIGHT, FUND_LABELS, LEVEL1, PROJECT, Amounts, BasicData, BasicRow,
    EvaluationData, Indicator, ProjectLine, indicator_values, number_text, wan,
)
from gridgov.selfeval.models import Indicator as IndicatorRow
from gridgov.selfeval.validation import YEARS
from gridgov.selfeval.xlsx_tables import (
    BASIC_SHEET, CHILD_PREFIX, DEPARTMENT_SHEET, FUND_COLUMNS, GOAL, GOAL_HEAD, GRADE_PREFIX, INDICATOR_COLUMNS,
    META_SHEET, MONEY_HEAD, PROJECT_SHEET, SAVINGS, STAFF_HEAD, TOTAL,
)

MAX_UNPACKED_BYTES = 50 * 2**20
BLANKS = {"", "—", "——", "-", "--", "/", "无"}
_LEVEL1_SUFFIX = re.compile(r"[（(]\s*-?\d+(?:\.\d+)?\s*分\s*[）)]$")
_YEAR = re.compile(r"^\s*(\d{4})\s*年")
_SPACE = re.compile(r"\s+")


def read(path_or_file) -> EvaluationData:
    """The evaluation in the workbook; InvalidInput listing every cell that cannot be read."""
    _refuse_oversized(path_or_file)
    try:
        wb = load_workbook(path_or_file, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, xml, key errors) for a file that is not a workbook
        raise InvalidInput("文件不是有效的 Excel 工作簿（.xlsx）",
                           {"errors": [{"sheet": "", "cell": "", "message": "无法以 .xlsx 格式打开文件"}]}) from None
    reader = _Reader(wb)
    data = reader.workbook()
    if reader.errors:
        first = reader.errors[0]
        raise InvalidInput(f"导入的表格有 {len(reader.errors)} 处错误，如“{first['sheet']} {first['cell']}：{first['message']}”，"
                           "请修改后重新导入", {"errors": reader.errors})
    return data


def _refuse_oversized(path_or_file) -> None:
    """A self-evaluation workbook is tens of kilobytes; a zip that unpacks to more is refused before openpyxl opens it."""
    try:
        with zipfile.ZipFile(path_or_file) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip at all: load_workbook reports it as not a workbook
    finally:
        if hasattr(path_or_file, "seek"):
            path_or_file.seek(0)
    if unpacked > MAX_UNPACKED_BYTES:
        raise InvalidInput(f"文件解压后超过 {MAX_UNPACKED_BYTES // 2**20} MB，不是自评表",
                           {"errors": [{"sheet": "", "cell": "", "message": "文件过大"}]})


def import_into(actor, evaluation, path_or_file):
    """Replace the evaluation's tables with the workbook's; the narrative report text is kept."""
    data = read(path_or_file)
    if data.kind != evaluation.kind:
        raise InvalidInput(f"文件是{_kind_name(data.kind)}自评表，与本自评（{_kind_name(evaluation.kind)}）不符")
    current = store.document_of(evaluation)
    # The tables do not hold the report text: keep what the evaluation has.
    data.sections = current.sections
    sections = {child.project_name: child.sections for child in current.children}
    for child in data.children:
        child.sections = sections.get(child.project_name, {})
    # A project the file has no sheet for is kept: a hand-filled workbook often carries only the department's table.
    listed = {child.project_name for child in data.children}
    data.children += [child for child in current.children if child.project_name not in listed]
    with transaction.atomic():
        actions.do_save(actor, evaluation, data, action="selfeval.import")
        _override_bound(actor, evaluation, [data, *data.children], getattr(path_or_file, "name", str(path_or_file)))
    return evaluation


def _override_bound(actor, evaluation, documents: list, source: str) -> None:
    """A bound actual the file changes becomes an override, with the file named as its reason, so history shows it."""
    wanted = {(d.project_name if d.kind == PROJECT else "", i.level1, i.level2, i.name): i.actual
              for d in documents for i in d.indicators if i.metric and i.actual is not None}
    rows = IndicatorRow.objects.filter(Q(evaluation=evaluation) | Q(evaluation__parent=evaluation)).exclude(metric="")
    for row in rows.select_related("evaluation"):
        owner = row.evaluation.project_name if row.evaluation.kind == PROJECT else ""
        value = wanted.get((owner, row.level1, row.level2, row.name))
        if value is not None and value != row.actual:
            actions.do_override_actual(actor, row, value, f"导入表格时修正（{Path(source).name}）")


def _kind_name(kind: str) -> str:
    return "项目支出" if kind == PROJECT else "部门整体支出"


def normal(value) -> str:
    """A label without any whitespace, for matching ('年度\\n指标值' → '年度指标值')."""
    return _SPACE.sub("", "" if value is None else str(value))


def _decimal(value) -> Decimal:
    """A cell's number as an exact Decimal (floats by their shortest repr: 290.32, not 290.3199999…)."""
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


class _Reader:
    """Reads the sheets, collecting every bad cell."""

    def __init__(self, wb):
        self.wb = wb
        self.errors: list[dict] = []
        self.meta = self._meta()

    # ---- cells ----

    def error(self, ws, ref: str, message: str) -> None:
        self.errors.append({"sheet": ws.title if ws is not None else "", "cell": ref, "message": message})

    def text(self, ws, row: int, col: int) -> str:
        value = ws.cell(row=row, column=col).value
        if value is None:
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return number_text(_decimal(value))
        return str(value)

    def number(self, ws, row: int, col: int, what: str) -> Decimal | None:
        cell = ws.cell(row=row, column=col)
        value = cell.value
        if _blank(value):
            return None
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            number = _decimal(value.strip().replace(",", "").replace("，", "") if isinstance(value, str) else value)
            if not number.is_finite():
                raise InvalidOperation
        except (InvalidOperation, TypeError, ValueError):
            self.error(ws, cell.coordinate, f"{what}应为数字：{value}")
            return None
        return number

    def money(self, ws, row: int, col: int, what: str) -> Decimal | None:
        """元 from a cell in 万元."""
        value = self.number(ws, row, col, f"{what}（万元）")
        return None if value is None else wan(value)

    def rate(self, ws, row: int, col: int, what: str) -> Decimal | None:
        """A percentage: 92.94 from 92.94, '92.94%' or 0.9294 formatted as a percentage."""
        cell = ws.cell(row=row, column=col)
        value = cell.value
        if isinstance(value, str) and value.strip().endswith(("%", "％")):
            return self._percent(ws, cell.coordinate, value.strip()[:-1], what)
        number = self.number(ws, row, col, what)
        if number is not None and "%" in cell.number_format.replace('"%"', ""):
            number = number * 100  # Excel's own percentage format stores a fraction
        return number

    def _percent(self, ws, ref: str, text: str, what: str) -> Decimal | None:
        try:
            number = Decimal(text.strip())
            if number.is_finite():
                return number
        except InvalidOperation:
            pass
        self.error(ws, ref, f"{what}应为百分数：{text}%")
        return None

    def integer(self, ws, row: int, col: int, what: str) -> int | None:
        number = self.number(ws, row, col, what)
        if number is None:
            return None
        if number != number.to_integral_value() or number < 0:
            self.error(ws, ws.cell(row=row, column=col).coordinate, f"{what}应为非负整数：{number_text(number)}")
            return None
        return int(number)

    # ---- the hidden sheet ----

    def _meta(self) -> dict:
        """scope → {'kind', 'fund_keys', 'basic_keys', 'computed', 'indicators'}; empty for a hand-made workbook."""
        meta: dict[str, dict] = {}
        if META_SHEET not in self.wb.sheetnames:
            return meta
        for values in self.wb[META_SHEET].iter_rows(values_only=True):
            values = ["" if v is None else str(v) for v in values]
            if len(values) < 2 or not values[0]:
                continue
            scope, key, rest = values[0], values[1], values[2:]
            entry = meta.setdefault(scope, {"computed": {}, "indicators": []})
            if key == "computed" and rest:
                entry["computed"][rest[0]] = rest[1] if len(rest) > 1 else ""
            elif key == "indicator":
                entry["indicators"].append((rest + [""] * 9)[:9])
            elif key in ("fund_keys", "basic_keys"):
                entry[key] = [v for v in rest if v]
            elif rest:
                entry[key] = rest[0]
        return meta

    def stated(self, scope: str, path: str, value):
        """None when the cell still shows the value the export computed (nothing was stated there)."""
        computed = self.meta.get(scope, {}).get("computed", {}).get(path)
        if value is None or value == "" or computed is None:
            return value
        if isinstance(value, Decimal):
            try:
                return None if Decimal(computed) == value else value
            except InvalidOperation:
                return value
        return "" if computed == value else value

    # ---- sheets ----

    def workbook(self) -> EvaluationData | None:
        names = self.wb.sheetnames
        if DEPARTMENT_SHEET in names:
            data = self.table(self.wb[DEPARTMENT_SHEET], DEPARTMENT)
        elif PROJECT_SHEET in names:
            data = self.table(self.wb[PROJECT_SHEET], PROJECT)
        else:
            self.error(None, "", f"缺少工作表：{DEPARTMENT_SHEET}（或{PROJECT_SHEET}）")
            return None
        if BASIC_SHEET in names:
            data.basic = self.basic(self.wb[BASIC_SHEET])
        elif data.kind == DEPARTMENT:
            self.errors.append({"sheet": BASIC_SHEET, "cell": "", "message": f"缺少工作表：{BASIC_SHEET}"})
        data.children = [self.table(self.wb[name], PROJECT) for name in names if name.startswith(CHILD_PREFIX)]
        return data

    def rows_by_label(self, ws, col: int) -> dict[str, int]:
        """First row of each label in a column."""
        found: dict[str, int] = {}
        for row in range(1, ws.max_row + 1):
            found.setdefault(normal(ws.cell(row=row, column=col).value), row)
        return found

    def find(self, ws, labels: dict[str, int], label: str, what: str) -> int | None:
        row = labels.get(normal(label))
        if row is None:
            self.error(ws, "", f"找不到“{what}”部分")
        return row

    def basic(self, ws) -> BasicData:
        basic = BasicData()
        labels = self.rows_by_label(ws, 1)
        staff = self.find(ws, labels, STAFF_HEAD, STAFF_HEAD)
        money = self.find(ws, labels, MONEY_HEAD, MONEY_HEAD)
        savings = self.find(ws, labels, SAVINGS, SAVINGS)
        if staff:
            basic.staff_quota = self.integer(ws, staff + 1, 2, "编制数")
            basic.staff_actual = self.integer(ws, staff + 1, 3, "实际在职人数")
            rate = self.rate(ws, staff + 1, 4, "控制率")
            basic.stated_control_rate = self.stated(ws.title, "control_rate", rate)
        if money and savings:
            basic.rows = self.basic_rows(ws, money + 1, savings)
        if savings:
            basic.savings_measures = self.text(ws, savings, 2)
        return basic

    def basic_rows(self, ws, first: int, end: int) -> dict[str, BasicRow]:
        keys = {normal(label).rstrip("：:"): key for key, label, _parent in BASIC_LINES}
        entered = self.meta.get(ws.title, {}).get("basic_keys")
        rows: dict[str, BasicRow] = {}
        for row in range(first, end):
            label = normal(ws.cell(row=row, column=1).value).rstrip("：:")
            values = [self.money(ws, row, col, what) for col, what in ((2, "上年决算数"), (3, "本年预算数"), (4, "本年决算数"))]
            if not label:
                if any(v is not None for v in values):
                    self.error(ws, f"A{row}", "缺少行名称")
                continue
            key = keys.get(label)
            if key is None:
                self.error(ws, f"A{row}", f"未知的行：{ws.cell(row=row, column=1).value}")
            elif key in (entered or ()) or any(v is not None for v in values):
                rows[key] = BasicRow(*values)
        return rows

    def table(self, ws, kind: str) -> EvaluationData:
        scope = self.meta.get(ws.title, {})
        data = EvaluationData(unit_name="", year=self.year(ws), kind=scope.get("kind") or kind)
        labels = self.rows_by_label(ws, 1)
        self.head(ws, data, labels)
        funds = next((r for r in range(1, ws.max_row + 1) if normal(ws.cell(row=r, column=3).value) == FUND_COLUMNS[0]),
                     None)
        goal = self.find(ws, labels, GOAL_HEAD, GOAL_HEAD)
        indicators = next((r for r in range(1, ws.max_row + 1)
                           if normal(ws.cell(row=r, column=2).value) == INDICATOR_COLUMNS[0]), None)
        total = self.find(ws, labels, TOTAL, TOTAL)
        if funds is None:
            self.error(ws, "", "找不到“资金情况”部分")
        elif goal:
            self.funds(ws, data, funds + 1, goal)
        if goal:
            if normal(ws.cell(row=goal, column=2).value) != GOAL:
                self.error(ws, f"B{goal}", f"此处应为“{GOAL}”")
            data.goal, data.outcome = self.text(ws, goal + 1, 2), self.text(ws, goal + 1, 6)
        if indicators is None:
            self.error(ws, "", "找不到“绩效指标”部分")
        elif total:
            data.indicators = self.indicators(ws, indicators + 1, total)
        if total:
            self.total(ws, data, total)
        return data

    def year(self, ws) -> int:
        title = self.text(ws, 2, 1)
        match = _YEAR.match(title)
        if not match or int(match.group(1)) not in YEARS:
            self.error(ws, "A2", f"标题中缺少年度（应如“2022年度…”）：{title}")
            return 0
        return int(match.group(1))

    def head(self, ws, data: EvaluationData, labels: dict[str, int]) -> None:
        if data.kind == PROJECT:
            name = self.find(ws, labels, "项目名称", "项目名称")
            if name:
                data.project_name = self.text(ws, name, 2).strip()
            row = self.find(ws, labels, "主管部门", "主管部门")
            if row:
                data.department_name, data.unit_name = self.text(ws, row, 2).strip(), self.text(ws, row, 7).strip()
        else:
            row = self.find(ws, labels, "部门名称", "部门名称")
            if row:
                data.unit_name, data.department_name = self.text(ws, row, 2).strip(), self.text(ws, row, 7).strip()

    def funds(self, ws, data: EvaluationData, first: int, end: int) -> None:
        keys = {normal(label): key for key, label in FUND_LABELS.items()}
        entered = self.meta.get(ws.title, {}).get("fund_keys")
        for row in range(first, end):
            raw = self.text(ws, row, 2).strip()
            label = normal(raw)
            amounts = Amounts(*[self.money(ws, row, col, what) for col, what in zip((3, 4, 5), FUND_COLUMNS)])
            amounts.stated_rate = self.rate(ws, row, 7, "执行率")
            key = keys.get(label)
            if key == "total":
                amounts.stated_rate = self.stated(ws.title, "rate.total", amounts.stated_rate)
                self.execution(ws, data, row)
            if not label:
                if any(v is not None for v in vars(amounts).values()):
                    self.error(ws, f"B{row}", "缺少行名称")
            elif key is None:
                data.projects.append(ProjectLine(raw, amounts))
            elif key in (entered or ()) or any(v is not None for v in vars(amounts).values()):
                data.funds[key] = amounts

    def execution(self, ws, data: EvaluationData, row: int) -> None:
        weight = self.number(ws, row, 6, "执行率分值")
        data.execution_weight = EXECUTION_WEIGHT if weight is None else weight
        data.stated_execution_score = self.stated(ws.title, "execution_score", self.number(ws, row, 8, "执行率得分"))
        data.execution_reason = self.text(ws, row, 9)

    def indicators(self, ws, first: int, end: int) -> list[Indicator]:
        stored = list(self.meta.get(ws.title, {}).get("indicators", []))
        out: list[Indicator] = []
        level1 = level2 = ""
        for row in range(first, end):
            if all(ws.cell(row=row, column=col).value in (None, "") for col in range(4, 10)):
                continue  # a spacer row (the merged 一级/二级 cells are blank below their first row)
            if normal(ws.cell(row=row, column=2).value):
                level1, level2 = self.level1(ws, row), ""
            elif not level1:
                self.error(ws, f"B{row}", "缺少一级指标")
            level2 = normal(ws.cell(row=row, column=3).value) and self.text(ws, row, 3).strip() or level2
            weight = self.number(ws, row, 7, "分值")
            if weight is None and _blank(ws.cell(row=row, column=7).value):
                self.error(ws, f"G{row}", "分值不能为空")
            indicator = Indicator(level1, level2, self.text(ws, row, 4), weight if weight is not None else Decimal(0),
                                  score=self.number(ws, row, 8, "得分"), deviation=self.text(ws, row, 9))
            self.values(indicator, self.text(ws, row, 5), self.text(ws, row, 6), stored)
            out.append(indicator)
        return out

    def level1(self, ws, row: int) -> str:
        raw = normal(ws.cell(row=row, column=2).value)
        name = _LEVEL1_SUFFIX.sub("", raw)
        name = name if name.endswith("指标") else f"{name}指标"
        if name not in LEVEL1:
            self.error(ws, f"B{row}", f"未知的一级指标：{raw}（应为{'、'.join(LEVEL1)}）")
        return name

    @staticmethod
    def values(indicator: Indicator, target: str, actual: str, stored: list[list[str]]) -> None:
        """Target and actual from the cells; the exported fields and metric binding where the cells are unchanged."""
        for field, value in indicator_values(target, actual).items():
            setattr(indicator, field, value)
        entry = next((e for e in stored if e[0] == indicator.name), None)
        if entry is None:
            return
        stored.remove(entry)
        _name, indicator.metric, comparator, target_num, unit, target_text, actual_num, actual_unit, actual_text = entry
        exported = Indicator("", "", "", Decimal(0), comparator=comparator, target=_maybe(target_num), unit=unit,
                             target_text=target_text, actual=_maybe(actual_num), actual_unit=actual_unit,
                             actual_text=actual_text)
        if exported.target_display == target:
            indicator.comparator, indicator.target = exported.comparator, exported.target
            indicator.unit, indicator.target_text = exported.unit, exported.target_text
        if exported.actual_display == actual:
            indicator.actual, indicator.actual_unit, indicator.actual_text = (exported.actual, exported.actual_unit,
                                                                             exported.actual_text)

    def total(self, ws, data: EvaluationData, row: int) -> None:
        data.stated_total = self.stated(ws.title, "total", self.number(ws, row, 8, "总分"))
        raw = self.text(ws, row, 9).strip()
        grade = normal(raw).removeprefix(normal(GRADE_PREFIX)).removeprefix("等级:").removeprefix("等级")
        if grade and grade not in scoring.GRADE_NAMES:
            self.error(ws, f"I{row}", f"等级应为{'、'.join(scoring.GRADE_NAMES)}之一：{raw}")
            grade = ""
        data.stated_grade = self.stated(ws.title, "grade", grade) or ""


def _blank(value) -> bool:
    return value is None or isinstance(value, str) and value.strip() in BLANKS


def _maybe(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None

