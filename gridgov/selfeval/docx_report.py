"""The self-evaluation report as .docx: title, the outline's sections, then the key tables as attachments."""

import re
from decimal import Decimal
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from gridgov.reports.docx_fonts import mark_chinese, set_font
from gridgov.selfeval.document import (
    BASIC_COLUMNS, BASIC_LINES, DEPARTMENT, FUND_LINES, SECTIONS, EvaluationData, number_text, wan_display,
)
from gridgov.selfeval.scoring import control_rate, execution_rate, execution_score, grade, total_score

BODY_FONT, HEADING_FONT = "宋体", "黑体"
TITLE_SIZE, HEADING_SIZE, BODY_SIZE, TABLE_SIZE = Pt(18), Pt(14), Pt(12), Pt(9)
A4 = (Cm(21), Cm(29.7))
SEVERITY_NAMES = {"error": "错误", "warning": "提示"}
FUND_HEADER = ["项目", "年初预算数（万元）", "全年预算数（万元）", "全年执行数（万元）", "执行率", "分值", "得分"]
INDICATOR_HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
INDICATOR_WIDTHS = [Cm(2.2), Cm(2.6), Cm(4.6), Cm(3.2), Cm(3.2), Cm(1.4), Cm(1.4), Cm(6.6)]  # 25.2 cm: A4 landscape
FUND_WIDTHS = [Cm(6.0), Cm(3.2), Cm(3.2), Cm(3.2), Cm(3.2), Cm(2.2), Cm(4.2)]
SUBHEADING = re.compile(r"^（[一二三四五六七八九十\d]+）[^。；]{1,30}$")


def report_title(data: EvaluationData) -> str:
    """'2025年度长沙市岳麓区网格化综合服务中心部门整体支出绩效自评报告'."""
    return f"{data.title}报告"


# --- document and styles -------------------------------------------------------------------------

def _styles(doc) -> None:
    set_font(doc.styles["Normal"], BODY_FONT, BODY_SIZE)
    mark_chinese(doc.styles["Normal"])
    set_font(doc.styles["Table Grid"], BODY_FONT)
    for name, size in (("Title", TITLE_SIZE), ("Heading 1", HEADING_SIZE), ("Heading 2", BODY_SIZE)):
        style = doc.styles[name]
        set_font(style, HEADING_FONT, size)
        style.font.color.rgb = RGBColor(0, 0, 0)  # official documents are black, not the template's blue
        style.font.bold = False  # 黑体 is heavy enough; synthetic bold smears it


def _page(section, landscape: bool = False) -> None:
    width, height = A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    section.top_margin = section.bottom_margin = Cm(2.54)
    section.left_margin = section.right_margin = Cm(2.2 if landscape else 2.8)


def _new(title: str):
    doc = Document()
    _styles(doc)
    _page(doc.sections[0])
    heading = doc.add_heading(title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _no_title_border(heading)
    return doc


def _no_title_border(paragraph) -> None:
    """The template's Title has a blue rule under it; a report title has none."""
    borders = paragraph.style.element.find(qn("w:pPr"))
    if borders is not None:
        for element in borders.findall(qn("w:pBdr")):
            borders.remove(element)


def _body(doc, text: str) -> None:
    p = doc.add_paragraph()
    run = p.add_run(text)
    if SUBHEADING.match(text):
        run.bold = True
    else:
        p.paragraph_format.first_line_indent = Pt(BODY_SIZE.pt * 2)  # two characters, as Chinese prose is set
    p.paragraph_format.line_spacing = 1.5
    p.paragraph_format.space_after = Pt(0)


def paragraphs(text: str) -> list[str]:
    """The non-empty lines of a section's text."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# --- tables --------------------------------------------------------------------------------------

def _cell(cell, text, bold: bool = False, center: bool = False):
    paragraph = cell.paragraphs[0]
    for old in paragraph.runs:  # `cell.text = ""` would leave an empty run in front, and comments anchor on runs
        paragraph._p.remove(old._r)
    run = paragraph.add_run("" if text is None else str(text))
    run.font.size = TABLE_SIZE
    run.bold = bold
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return run


def _table(doc, header: list[str], rows: list[list], widths=None, left=(0,)):
    """A bordered table with a bold header row repeated on every page; columns in `left` are left-aligned."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header):
        _cell(cell, text, bold=True, center=True)
    _repeat_header(table.rows[0])
    for values in rows:
        for n, (cell, value) in enumerate(zip(table.add_row().cells, values)):
            _cell(cell, value, center=n not in left)
    if widths:
        table.autofit = False  # LibreOffice and Word keep the widths only with fixed layout and the grid set
        for column, width in zip(table.columns, widths):
            column.width = width
            for cell in column.cells:
                cell.width = width
    return table


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _merge_down(table, column: int, first_row: int = 1) -> None:
    """Merge runs of equal text in a column (一级/二级指标 span their indicators, as the official table does)."""
    rows = table.rows[first_row:]
    start = 0
    for end in range(1, len(rows) + 1):
        if end < len(rows) and _key(rows[end], column) == _key(rows[start], column):
            continue
        if end - start > 1:
            for row in rows[start + 1:end]:
                row.cells[column].text = ""
            rows[start].cells[column].merge(rows[end - 1].cells[column])
        start = end


def _key(row, column: int) -> tuple:
    return tuple(row.cells[c].text for c in range(column + 1))


def _caption(doc, text: str):
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold = True
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(12)
    return run


def _wan(yuan) -> str:
    """万元 with two decimals, as the tables print money."""
    return wan_display(yuan)


def with_stated(computed: Decimal | str | None, stated, suffix: str = "") -> str:
    """The computed value, and what the table states when that differs ('99.29（填报 99.30）')."""
    shown = "" if computed is None else (computed if isinstance(computed, str) else f"{number_text(computed)}{suffix}")
    if stated in (None, "") or str(stated) == str(computed) or (
            isinstance(stated, Decimal) and isinstance(computed, Decimal) and stated == computed):
        return shown
    stated_text = stated if isinstance(stated, str) else f"{number_text(stated)}{suffix}"
    return f"{shown}（填报{stated_text}）" if shown else stated_text


def _fund_rows(data: EvaluationData) -> list[list]:
    depth = {key: 0 if parent is None else 1 + (parent != "total") for key, _label, parent in FUND_LINES}
    rows = []
    for key, label, _parent in FUND_LINES:
        if key not in data.funds and key != "total":
            continue
        a = data.amounts(key)
        rate = execution_rate(a.executed, a.budget)
        weight, score = ("—", "—")
        if key == "total":
            weight = number_text(data.execution_weight)
            score = with_stated(execution_score(data), data.stated_execution_score)
        rows.append(["　" * depth[key] + label, _wan(a.initial), _wan(a.budget), _wan(a.executed),
                     with_stated(rate, a.stated_rate, "%"), weight, score])
        if key == "project":
            rows += [["　　" + p.name, _wan(p.amounts.initial), _wan(p.amounts.budget), _wan(p.amounts.executed),
                      with_stated(execution_rate(p.amounts.executed, p.amounts.budget), p.amounts.stated_rate, "%"),
                      "—", "—"] for p in data.projects]
    return rows


def _indicator_table(doc, data: EvaluationData, anchors: dict) -> None:
    rows = [[i.level1, i.level2, i.name, i.target_display, i.actual_display, number_text(i.weight),
             "" if i.score is None else number_text(i.score), i.deviation] for i in data.indicators]
    table = _table(doc, INDICATOR_HEADER, rows, INDICATOR_WIDTHS, left=(7,))
    for row, indicator in zip(table.rows[1:], data.indicators):
        if indicator.name:
            anchors.setdefault(indicator.name, row.cells[2].paragraphs[0].runs[0])
    total = total_score(data)
    weights = data.execution_weight + sum((i.weight for i in data.indicators), Decimal(0))
    for label, value in (("总分", with_stated(total, data.stated_total)),
                         ("自评等级", with_stated(grade(total), data.stated_grade))):
        cells = table.add_row().cells
        anchors.setdefault(label, _cell(cells[0], label, bold=True, center=True))
        _cell(cells[5], number_text(weights) if label == "总分" else "", center=True)
        _cell(cells[6], value, bold=True, center=True)
        cells[0].merge(cells[4])
    _merge_down(table, 0)
    _merge_down(table, 1)


def _evaluation_tables(doc, data: EvaluationData, number: int, anchors: dict) -> int:
    """The 自评表 of one evaluation: funds, goal, indicators; returns the next attachment number."""
    anchors.setdefault(data.title, _caption(doc, f"附表{number}　{data.title}表"))
    table = _table(doc, FUND_HEADER, _fund_rows(data), FUND_WIDTHS)
    for row in table.rows[1:]:
        run = row.cells[0].paragraphs[0].runs[0]
        anchors.setdefault(run.text.strip().removeprefix("其中："), run)
        anchors.setdefault(run.text.strip(), run)
    if data.goal or data.outcome:
        _caption(doc, "年度总体目标")
        _table(doc, ["年初设定目标", "全年完成情况"], [[data.goal, data.outcome]], [Cm(12.6)] * 2, left=(0, 1))
    if data.indicators:
        _caption(doc, "绩效指标")
        _indicator_table(doc, data, anchors)
    return number + 1


def _basic_table(doc, data: EvaluationData, number: int, anchors: dict) -> int:
    b = data.basic
    if data.kind != DEPARTMENT or b.is_empty():
        return number
    anchors.setdefault("基础数据表", _caption(doc, f"附表{number}　部门整体支出绩效评价基础数据表"))
    rate = control_rate(b.staff_quota, b.staff_actual)
    _table(doc, ["编制数（人）", "实际在职人数（人）", "控制率"],
           [[b.staff_quota or "", b.staff_actual if b.staff_actual is not None else "",
             with_stated(rate, b.stated_control_rate, "%")]])
    rows = []
    for key, label, _parent in BASIC_LINES:
        row = b.rows.get(key)
        if row is not None:
            rows.append([label] + [_wan(getattr(row, column)) for column, _name in BASIC_COLUMNS])
    if rows:
        table = _table(doc, ["项目"] + [f"{name}（万元）" for _c, name in BASIC_COLUMNS], rows)
        for row in table.rows[1:]:
            run = row.cells[0].paragraphs[0].runs[0]
            anchors.setdefault(run.text, run)
    if b.savings_measures:
        _body(doc, f"厉行节约保障措施：{b.savings_measures}")
    return number + 1


def _attachments(doc, data: EvaluationData, anchors: dict) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=True)  # the indicator table's eight columns need the width
    doc.add_heading("附件：绩效自评表", level=1)
    number = _evaluation_tables(doc, data, 1, anchors)
    number = _basic_table(doc, data, number, anchors)
    for child in data.children:
        number = _evaluation_tables(doc, child, number, anchors)


# --- problems as Word comments -------------------------------------------------------------------

def _comments(doc, problems, anchors: dict, fallback) -> None:
    """Each problem as a review comment on the row it names: seen while editing, never printed."""
    for problem in problems:
        labels = [label for label in anchors if label and label in problem.place]
        run = anchors[max(labels, key=len)] if labels else fallback
        severity = SEVERITY_NAMES.get(problem.severity, problem.severity)
        doc.add_comment(run, f"【{severity}】{problem.place}：{problem.message}", author="gridgov 自动核对",
                        initials="GG")


def write(data: EvaluationData, path, problems=None) -> Path:
    """The narrative report with its attachment tables; problems (from checks.check) become review comments."""
    title = report_title(data)
    doc = _new(title)
    for key, heading in SECTIONS[data.kind]:
        doc.add_heading(heading, level=1)
        for line in paragraphs(data.sections.get(key, "")):
            _body(doc, line)
    signature = doc.add_paragraph(data.department_name if data.kind != DEPARTMENT and data.department_name
                                  else data.unit_name)
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signature.paragraph_format.space_before = Pt(24)
    anchors: dict = {}
    _attachments(doc, data, anchors)
    _comments(doc, problems or [], anchors, doc.paragraphs[0].runs[0])
    path = Path(path)
    doc.save(path)
    return path
