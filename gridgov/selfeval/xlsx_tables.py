"""The official self-evaluation tables (附件1-1, 1-2, 1-3) and a scoring summary as one .xlsx workbook."""

import math
import re
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from gridgov.selfeval import scoring
from gridgov.selfeval.document import (
    BASIC_LINES, DEPARTMENT, FUND_LABELS, LEVEL1, PROJECT, SOURCE_LINES, STRUCTURE_LINES, EvaluationData, depth,
    in_wan, number_text,
)

BASIC_SHEET = "附件1-1 基础数据表"
DEPARTMENT_SHEET = "附件1-2 部门整体支出绩效自评表"
PROJECT_SHEET = "项目支出绩效自评表"
CHILD_PREFIX = "附件1-3"
SUMMARY_SHEET = "评分汇总"
META_SHEET = "_gridgov"
META_FORMAT = "gridgov.selfeval.xlsx/1"

# Labels of the official layout; the reader finds the blocks by them.
STAFF_HEAD = "财政供养人员情况（人）"
MONEY_HEAD = "经费控制情况（万元）"
SAVINGS = "厉行节约保障措施"
BASIC_NOTE = "说明：“项目支出”需要填报基本支出以外的所有项目支出情况，“公用经费”填报基本支出中的一般商品和服务支出。"
FUND_COLUMNS = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分（分值×执行率）", "偏差原因分析及改进措施")
GOAL_HEAD, GOAL, OUTCOME = "年度总体目标", "预期目标", "实际完成情况"
INDICATOR_HEAD = "绩效指标"
INDICATOR_COLUMNS = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
TOTAL, GRADE_PREFIX = "总分", "等级："

MONEY_FORMAT, RATE_FORMAT = "0.00", '0.00"%"'
FONT_NAME = "宋体"
BODY, BOLD = Font(name=FONT_NAME, size=10), Font(name=FONT_NAME, size=10, bold=True)
TITLE = Font(name=FONT_NAME, size=16, bold=True)
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TABLE_WIDTHS = (7, 18, 14, 28, 14, 14, 9, 9, 26)  # A–I
BASIC_WIDTHS = (40, 18, 18, 18)  # A–D
SUMMARY_WIDTHS = (30, 11)  # the name column, then every other
A4 = 9
SEVERITIES = {"error": "错误", "warning": "提示"}
_BAD_TITLE = re.compile(r"[\\/?*\[\]:]")


def write(data: EvaluationData, path, problems: list | None = None) -> Path:
    """Write the evaluation's official tables (and its projects') to one workbook; returns the path."""
    wb = Workbook()
    wb.remove(wb.active)
    meta: list[list] = [[META_SHEET, "format", META_FORMAT]]
    if data.kind == DEPARTMENT or not data.basic.is_empty():
        _basic_sheet(wb, data, meta)
    _table_sheet(wb, main_sheet_title(data), "附件1-2", data, meta)
    for n, child in enumerate(data.children, 1):
        _table_sheet(wb, child_sheet_title(n, child), CHILD_PREFIX, child, meta)
    _summary_sheet(wb, data, problems)
    _meta_sheet(wb, meta)
    path = Path(path)
    wb.save(path)
    return path


def main_sheet_title(data: EvaluationData) -> str:
    """The top evaluation's table sheet."""
    return PROJECT_SHEET if data.kind == PROJECT else DEPARTMENT_SHEET


def child_sheet_title(n: int, child: EvaluationData) -> str:
    """'附件1-3(1) 网格员专项经费', cut to Excel's 31 characters; the number keeps titles unique."""
    return f"{CHILD_PREFIX}({n}) {_BAD_TITLE.sub('', child.project_name)}".strip()[:31]


def decimal_text(value: Decimal | None) -> str:
    """A Decimal as the hidden sheet stores it ('' for None), so equal values give equal text."""
    return "" if value is None else number_text(value)


# ---- cells and layout ----

def _num(value: Decimal | None):
    """A Decimal as a plain number cell value (no exponent, no trailing zeros)."""
    return None if value is None else Decimal(number_text(value))


def _put(ws, row: int, col: int, value, fmt: str | None = None, font=BODY, align: str = "center", indent: int = 0):
    cell = ws.cell(row=row, column=col)
    cell.value = value if value != "" else None
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text such as '=100%' is a value, not a formula
    cell.font = font
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True, indent=indent)
    if fmt:
        cell.number_format = fmt
    return cell


def _frame(ws, first_row: int, last_row: int, columns: int, merges: list[tuple[int, int, int, int]]) -> None:
    """Thin borders on every table cell, then the merges (borders first so merged edges keep them)."""
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, max_col=columns):
        for cell in row:
            cell.border = BORDER
    for r1, c1, r2, c2 in merges:
        if (r1, c1) != (r2, c2):
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def _fit_height(ws, row: int, texts: list[tuple[str, float]]) -> None:
    """A row tall enough for its wrapped texts (Excel does not grow rows with merged cells)."""
    lines = 1
    for text, width in texts:
        for part in str(text or "").split("\n"):
            lines = max(lines, math.ceil(len(part) * 1.8 / max(width, 1)) or 1)
    ws.row_dimensions[row].height = max(18, 14 * lines + 4)


def _print_setup(ws, widths: tuple, landscape: bool, title_rows: str = "1:2") -> None:
    for n, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.page_setup.paperSize = A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True


def _title(ws, attachment: str, title: str, columns: int) -> None:
    _put(ws, 1, 1, attachment, font=BOLD, align="left")
    _put(ws, 2, 1, title, font=TITLE)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=columns)
    ws.row_dimensions[2].height = 30


# ---- 附件1-1 基础数据表 ----

def _basic_sheet(wb, data: EvaluationData, meta: list) -> None:
    ws = wb.create_sheet(BASIC_SHEET)
    basic, year = data.basic, data.year
    _title(ws, "附件1-1", f"{year}年度部门整体支出绩效评价基础数据表", 4)
    for col, text in enumerate((STAFF_HEAD, "编制数", f"{year}年实际在职人数", "控制率"), 1):
        _put(ws, 3, col, text, font=BOLD)
    rate = basic.stated_control_rate
    if rate is None:
        rate = scoring.control_rate(basic.staff_quota, basic.staff_actual)
        if rate is not None:
            meta.append([BASIC_SHEET, "computed", "control_rate", decimal_text(rate)])
    _put(ws, 4, 2, basic.staff_quota)
    _put(ws, 4, 3, basic.staff_actual)
    _put(ws, 4, 4, _num(rate), RATE_FORMAT)
    heads = (MONEY_HEAD, f"{year - 1}年决算数", f"{year}年预算数", f"{year}年决算数")
    for col, text in enumerate(heads, 1):
        _put(ws, 5, col, text, font=BOLD)
    row = 6
    for key, label, _parent in BASIC_LINES:
        line = basic.rows.get(key)
        _put(ws, row, 1, label, align="left", indent=2 * depth(key, BASIC_LINES))
        for col, attr in enumerate(("last_final", "budget", "final"), 2):
            _put(ws, row, col, _num(in_wan(getattr(line, attr) if line else None)), MONEY_FORMAT)
        row += 1
    _put(ws, row, 1, SAVINGS, font=BOLD)
    _put(ws, row, 2, basic.savings_measures, align="left")
    _fit_height(ws, row, [(basic.savings_measures, sum(BASIC_WIDTHS[1:]))])
    _frame(ws, 3, row, 4, [(row, 2, row, 4)])
    _put(ws, row + 1, 1, BASIC_NOTE, align="left")
    ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=4)
    ws.row_dimensions[row + 1].height = 32
    meta.append([BASIC_SHEET, "basic_keys", *basic.rows])
    _print_setup(ws, BASIC_WIDTHS, landscape=False)


# ---- 附件1-2 / 1-3 自评表 ----

def _table_sheet(wb, title: str, attachment: str, data: EvaluationData, meta: list) -> None:
    ws = wb.create_sheet(title)
    _title(ws, attachment, f"{data.year}年度{'项目' if data.kind == PROJECT else '部门整体'}支出绩效自评表", 9)
    merges: list[tuple[int, int, int, int]] = []
    row = _head(ws, data, merges)
    row = _funds(ws, row, data, merges, title, meta)
    row = _goal(ws, row, data, merges)
    row = _indicators(ws, row, data, merges, title, meta)
    _total(ws, row, data, merges, title, meta)
    _frame(ws, 3, row, 9, merges)
    meta.append([title, "kind", data.kind])
    _print_setup(ws, TABLE_WIDTHS, landscape=True)


def _head(ws, data: EvaluationData, merges: list) -> int:
    if data.kind == PROJECT:
        _put(ws, 3, 1, "项目名称", font=BOLD)
        _put(ws, 3, 2, data.project_name, align="left")
        merges.append((3, 2, 3, 9))
        row = 4
    else:
        row = 3
    _put(ws, row, 1, "部门名称" if data.kind != PROJECT else "主管部门", font=BOLD)
    _put(ws, row, 2, data.unit_name if data.kind != PROJECT else data.department_name, align="left")
    _put(ws, row, 6, "主管部门" if data.kind != PROJECT else "实施单位", font=BOLD)
    _put(ws, row, 7, data.department_name if data.kind != PROJECT else data.unit_name, align="left")
    merges += [(row, 2, row, 5), (row, 7, row, 9)]
    return row + 1


def fund_keys(data: EvaluationData) -> list[str]:
    """The fund lines shown: all for a department, the sources (and any line entered) for a project."""
    sources = [key for key, _label, _parent in SOURCE_LINES]
    structure = [key for key, _label, _parent in STRUCTURE_LINES]
    return sources + [key for key in structure if data.kind != PROJECT or key in data.funds]


def _funds(ws, row: int, data: EvaluationData, merges: list, title: str, meta: list) -> int:
    first = row
    _put(ws, row, 1, "资金情况（万元）" if data.kind != PROJECT else "项目资金（万元）", font=BOLD)
    for col, text in enumerate(FUND_COLUMNS, 3):
        _put(ws, row, col, text, font=BOLD)
    _fit_height(ws, row, [(text, TABLE_WIDTHS[col]) for col, text in enumerate(FUND_COLUMNS, 2)])
    lines = [(FUND_LABELS[key], data.funds.get(key), key) for key in fund_keys(data)]
    lines += [(p.name, p.amounts, None) for p in data.projects]
    for label, amounts, key in lines:
        row += 1
        _put(ws, row, 2, label, align="left", indent=0 if key else 1)
        texts = [(label, TABLE_WIDTHS[1])] + ([(data.execution_reason, TABLE_WIDTHS[8])] if key == "total" else [])
        _fit_height(ws, row, texts)
        for col, attr in enumerate(("initial", "budget", "executed"), 3):
            _put(ws, row, col, _num(in_wan(getattr(amounts, attr) if amounts else None)), MONEY_FORMAT)
        rate = amounts.stated_rate if amounts else None
        if key == "total":
            rate = _execution(ws, row, data, amounts, title, meta)
        _put(ws, row, 7, _num(rate), RATE_FORMAT)
    merges.append((first, 1, row, 1))
    meta.append([title, "fund_keys", *data.funds])
    return row + 1


def _execution(ws, row: int, data: EvaluationData, amounts, title: str, meta: list) -> Decimal | None:
    """分值, 得分 and reason on the total line; returns the rate to show (stated, else computed)."""
    score = data.stated_execution_score
    if score is None:
        score = scoring.execution_score(data)
        if score is not None:
            meta.append([title, "computed", "execution_score", decimal_text(score)])
    _put(ws, row, 6, _num(data.execution_weight))
    _put(ws, row, 8, _num(score))
    _put(ws, row, 9, data.execution_reason, align="left")
    rate = amounts.stated_rate if amounts else None
    if rate is None and amounts:
        rate = scoring.execution_rate(amounts.executed, amounts.budget)
        if rate is not None:
            meta.append([title, "computed", "rate.total", decimal_text(rate)])
    return rate


def _goal(ws, row: int, data: EvaluationData, merges: list) -> int:
    _put(ws, row, 1, GOAL_HEAD, font=BOLD)
    _put(ws, row, 2, GOAL, font=BOLD)
    _put(ws, row, 6, OUTCOME, font=BOLD)
    _put(ws, row + 1, 2, data.goal, align="left")
    _put(ws, row + 1, 6, data.outcome, align="left")
    merges += [(row, 1, row + 1, 1), (row, 2, row, 5), (row, 6, row, 9), (row + 1, 2, row + 1, 5),
               (row + 1, 6, row + 1, 9)]
    _fit_height(ws, row + 1, [(data.goal, sum(TABLE_WIDTHS[1:5])), (data.outcome, sum(TABLE_WIDTHS[5:9]))])
    return row + 2


def level1_label(level1: str, weight: Decimal) -> str:
    """'产出指标（50分）'."""
    return f"{level1}（{number_text(weight)}分）"


def _runs(values: list[str]) -> list[tuple[int, int]]:
    """(first, last) index of each run of equal consecutive values."""
    runs, start = [], 0
    for n in range(1, len(values) + 1):
        if n == len(values) or values[n] != values[start]:
            runs.append((start, n - 1))
            start = n
    return runs


def _indicators(ws, row: int, data: EvaluationData, merges: list, title: str, meta: list) -> int:
    head = row
    _put(ws, row, 1, INDICATOR_HEAD, font=BOLD)
    for col, text in enumerate(INDICATOR_COLUMNS, 2):
        _put(ws, row, col, text, font=BOLD)
    _fit_height(ws, row, [(text, TABLE_WIDTHS[col]) for col, text in enumerate(INDICATOR_COLUMNS, 1)])
    sums = scoring.weight_sums(data)
    for n, i in enumerate(data.indicators, 1):
        r = head + n
        _put(ws, r, 2, level1_label(i.level1, sums[i.level1]), font=BOLD)
        _put(ws, r, 3, i.level2)
        _put(ws, r, 4, i.name, align="left")
        _put(ws, r, 5, i.target_display)
        _put(ws, r, 6, i.actual_display)
        _put(ws, r, 7, _num(i.weight))
        _put(ws, r, 8, _num(i.score))
        _put(ws, r, 9, i.deviation, align="left")
        _fit_height(ws, r, [(i.name, TABLE_WIDTHS[3]), (i.deviation, TABLE_WIDTHS[8]), (i.level2, TABLE_WIDTHS[2])])
        meta.append([title, "indicator", i.name, i.metric, i.comparator, decimal_text(i.target), i.unit, i.target_text,
                     decimal_text(i.actual), i.actual_unit, i.actual_text])
    first = head + 1
    for a, b in _runs([i.level1 for i in data.indicators]):
        merges.append((first + a, 2, first + b, 2))
        for c, d in _runs([i.level2 for i in data.indicators[a:b + 1]]):
            merges.append((first + a + c, 3, first + a + d, 3))
    last = head + len(data.indicators)
    merges.append((head, 1, last, 1))
    return last + 1


def _total(ws, row: int, data: EvaluationData, merges: list, title: str, meta: list) -> None:
    total = data.stated_total
    if total is None:
        total = scoring.total_score(data)
        meta.append([title, "computed", "total", decimal_text(total)])
    shown_grade = data.stated_grade
    if not shown_grade:
        shown_grade = scoring.grade(total)
        meta.append([title, "computed", "grade", shown_grade])
    weights = data.execution_weight + sum((i.weight for i in data.indicators), Decimal(0))
    _put(ws, row, 1, TOTAL, font=BOLD)
    _put(ws, row, 7, _num(weights), font=BOLD)
    _put(ws, row, 8, _num(total), font=BOLD)
    _put(ws, row, 9, f"{GRADE_PREFIX}{shown_grade}", font=BOLD)
    merges.append((row, 1, row, 6))


# ---- 评分汇总 and the hidden sheet ----

def _level1_names(evaluations: list[EvaluationData]) -> list[str]:
    names = list(LEVEL1)
    for e in evaluations:
        names += [i.level1 for i in e.indicators if i.level1 not in names]
    return names


def _summary_row(e: EvaluationData, names: list[str]) -> list:
    name = e.project_name if e.kind == PROJECT else e.unit_name
    total = scoring.total_score(e)
    row = [name, _num(scoring.execution_score(e)), _num(e.stated_execution_score)]
    for level1 in names:
        mine = [i for i in e.indicators if i.level1 == level1]
        row.append(_num(sum((i.weight for i in mine), Decimal(0))))
        row.append(_num(sum((min(i.score, i.weight) for i in mine if i.score is not None), Decimal(0))))
    return row + [_num(total), _num(e.stated_total), scoring.grade(total), e.stated_grade]


def _summary_sheet(wb, data: EvaluationData, problems: list | None) -> None:
    ws = wb.create_sheet(SUMMARY_SHEET)
    evaluations = [data, *data.children]
    names = _level1_names(evaluations)
    header = ["自评表", "执行率得分（计算）", "执行率得分（填报）"]
    for level1 in names:
        header += [f"{level1}分值", f"{level1}得分"]
    header += ["总分（计算）", "总分（填报）", "等级（计算）", "等级（填报）"]
    _put(ws, 1, 1, f"{data.title}评分汇总", font=TITLE)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.row_dimensions[1].height = 30
    for col, text in enumerate(header, 1):
        _put(ws, 2, col, text, font=BOLD)
    _fit_height(ws, 2, [(text, SUMMARY_WIDTHS[col > 1]) for col, text in enumerate(header, 1)])
    for n, e in enumerate(evaluations, 3):
        values = _summary_row(e, names)
        for col, value in enumerate(values, 1):
            _put(ws, n, col, value, align="left" if col == 1 else "center")
        _fit_height(ws, n, [(values[0], SUMMARY_WIDTHS[0])])
    last = len(evaluations) + 2
    _frame(ws, 2, last, len(header), [])
    if problems is not None:
        last = _problems(ws, last + 2, problems)
    _print_setup(ws, SUMMARY_WIDTHS[:1] + SUMMARY_WIDTHS[1:] * (len(header) - 1), landscape=True, title_rows="1:2")


def _problems(ws, row: int, problems: list) -> int:
    _put(ws, row, 1, f"检查发现的问题（{len(problems)}项）" if problems else "检查未发现问题", font=BOLD, align="left")
    if not problems:
        return row
    for col, text in enumerate(("位置", "严重程度", "问题"), 1):
        _put(ws, row + 1, col, text, font=BOLD)
    for n, p in enumerate(problems, row + 2):
        _put(ws, n, 1, p.place, align="left")
        _put(ws, n, 2, SEVERITIES.get(p.severity, p.severity))
        _put(ws, n, 3, p.message, align="left")
        _fit_height(ws, n, [(p.place, SUMMARY_WIDTHS[0]), (p.message, SUMMARY_WIDTHS[1] * 6)])
    last = row + 1 + len(problems)
    _frame(ws, row + 1, last, 8, [(n, 3, n, 8) for n in range(row + 1, last + 1)])
    return last


def _meta_sheet(wb, meta: list[list]) -> None:
    """What the official tables have no place for: kinds, metric bindings, entered lines, values shown as computed."""
    ws = wb.create_sheet(META_SHEET)
    for n, values in enumerate(meta, 1):
        for col, value in enumerate(values, 1):
            cell = ws.cell(row=n, column=col, value=value if value != "" else None)
            if isinstance(value, str):
                cell.data_type = "s"  # keep codes and numbers as the exact text written
    ws.sheet_state = "hidden"
