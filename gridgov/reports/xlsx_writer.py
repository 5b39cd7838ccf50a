"""Excel workbooks: one sheet per table, numbers as numbers, percentages as 0.00%, and a 口径说明 sheet."""

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from gridgov.core import clock
from gridgov.metrics.definitions import BASES, METRICS, Figure
from gridgov.reports.analysis import TICKET_BASE, UNIT_BASE, Analysis
from gridgov.reports.common import Share
from gridgov.reports.monthly import KEY_CODES, RANK_CODES, MonthlyReport, Ranking, metric_notes

PERCENT, DECIMAL = "0.00%", "0.00"
BOLD = Font(bold=True)


def _cell(value):
    """(value, number format) for a figure, share or plain value."""
    if isinstance(value, Figure):
        kind = METRICS[value.code].kind
        if value.value is None:
            return None, None
        if kind in ("rate", "composite"):
            # The displayed (half-up) percentage, so the sheet shows exactly what the .docx prints.
            return value.percent / 100, PERCENT
        if kind == "count":
            return value.value, None
        return value.value, DECIMAL
    if isinstance(value, Share):
        return value.fraction, PERCENT
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return value, DECIMAL
    return value, None


def _parts(f: Figure) -> list:
    """Numerator and denominator of a rate (blank for counts and the composite)."""
    return [f.numerator, f.denominator] if f.denominator is not None else [None, None]


def _sheet(wb, title: str, header: list[str], rows: list[list], note: str | None = None):
    ws = wb.create_sheet(title[:31])
    ws.append(header)
    for cell in ws[1]:
        cell.font = BOLD
    for row in rows:
        values = [_cell(v) for v in row]
        ws.append([v for v, _ in values])
        for cell, (_, fmt) in zip(ws[ws.max_row], values):
            if fmt:
                cell.number_format = fmt
    if note:
        ws.append([])
        ws.append([note])
    for i, name in enumerate(header, 1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, 2 * len(name) + 4))
    ws.freeze_panes = "A2"
    return ws


def _ranking_sheet(wb, title: str, ranking: Ranking) -> None:
    codes = RANK_CODES
    header = ["名次", "编码", ranking.object_name] + [METRICS[c].name for c in codes] + ["档次"]
    rows = [[r.rank, r.code, r.label] + [r.figures[c] for c in codes] + [r.klass] for r in ranking.rows + ranking.unranked]
    _sheet(wb, title, header, rows,
           f"排名规则：{ranking.order_rule}。分档：{ranking.class_rule}。计数口径：{ranking.basis}。来源：{ranking.source}。"
           "名次为空的未参与排名（三率综合无法计算）。")


def _analysis_sheets(wb, a: Analysis, prefix: str = "") -> None:
    _sheet(wb, f"{prefix}不满意-投诉类别", ["序号", "编码", "投诉类别", "不满意工单（件）", "占比", "基数（件）"],
           [[i, s.key, s.label, s.count, s, s.base] for i, s in enumerate(a.categories, 1)]
           + [[None, "", f"前{a.top_n}类合计", a.top.count, a.top, a.top.base]],
           f"基数：{TICKET_BASE}，{a.unsatisfied}件")
    rows = [["街镇", a.streets.total.label, "", a.streets.total.count, a.streets.total, a.unit_total]]
    rows += [["街镇分组", g.label, "、".join(g.members), g.count, g, g.base] for g in a.streets.groups]
    rows += [["区直部门", a.departments.total.label, "", a.departments.total.count, a.departments.total, a.unit_total]]
    rows += [["部门分组", g.label, "", g.count, g, g.base] for g in a.departments.groups]
    if a.other_units:
        rows.append(["其他", a.other_units.label, "", a.other_units.count, a.other_units, a.unit_total])
    _sheet(wb, f"{prefix}不满意-街镇与部门", ["类型", "分组", "所含街镇", "不满意工单（件）", "占比", "基数（件）"], rows,
           f"基数：{UNIT_BASE}，{a.unit_total}件")
    ws = wb.create_sheet(f"{prefix}分析文字"[:31])
    for text in a.paragraphs():
        ws.append([text])
        ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 120


def _notes_sheet(wb, notes: list[dict], extra: list[tuple[str, str]]) -> None:
    """口径说明: every metric's numerator, denominator and basis, then the rules and bases of this document."""
    ws = _sheet(wb, "口径说明", ["指标", "编码", "分子", "分母（基数）", "计数口径", "说明"],
                [[n["name"], n["code"], n["numerator"], n["denominator"], n["basis"], n["note"]] for n in notes])
    ws.append([])
    for name, text in extra:
        ws.append([name, text])
        ws.cell(ws.max_row, 1).font = BOLD


def _metadata(period, computed_at, area_name, extra=()) -> list[tuple[str, str]]:
    at = clock.localtime(computed_at)
    return [("统计期", f"{period.label}（{period.start}至{period.end}，按受理时间，北京时间）"),
            ("范围", area_name), ("计算时间", f"{at:%Y-%m-%d %H:%M:%S}"), *extra,
            ("百分比", "由精确件数计算，单元格中为四舍五入到两位小数的百分比；精确值可由件数与基数列计算")]


def _notes(codes, weights, basis: str) -> list[dict]:
    return [dict(n, basis=basis) for n in metric_notes(codes, weights)]


def write_monthly(report: MonthlyReport, path: Path) -> Path:
    """The 通报 as .xlsx."""
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "主要指标", ["指标", "编码", report.period.label, "分子", "分母", report.previous.label, "上月分子", "上月分母",
                         "环比", "基数（分母）"],
           [[k.figure.name, k.figure.code, k.figure, *_parts(k.figure), k.previous, *_parts(k.previous), k.change_text,
             k.figure.base] for k in report.key_figures],
           report.title)
    for ranking in report.rankings:
        _ranking_sheet(wb, ranking.title, ranking)
    _sheet(wb, "事项大类", ["事项大类", "编码", "受理量", "占受理量", "不满意量", "满意率"],
           [[c.share.label, c.share.key, c.share.count, c.share, c.unsatisfied, c.satisfaction] for c in report.categories],
           f"占受理量的基数：{report.period.label}受理工单{report.ticket_count}件（按工单计）")
    _analysis_sheets(wb, report.analysis)
    extra = [("三率权重", "；".join(f"{METRICS[c].name} {w}" for c, w in report.weights.items())),
             ("工单数", f"{report.ticket_count}件（清单见“工单清单”，SHA-256 {report.ticket_digest}）")]
    extra += [(f"{r.title}口径", r.basis) for r in report.rankings]
    extra += [("规则", line) for line in report.rules] + [("基数", line) for line in report.analysis.bases()]
    _notes_sheet(wb, _notes(KEY_CODES, report.weights, BASES["ticket"]),
                 _metadata(report.period, report.computed_at, report.area_name, extra))
    ws = wb.create_sheet("工单清单")
    ws.append(["工单ID", "工单编号"])
    for row in report.tickets:
        ws.append(list(row))
    path = Path(path)
    wb.save(path)
    return path


def write_analysis(a: Analysis, path: Path) -> Path:
    """The analysis alone as .xlsx."""
    wb = Workbook()
    wb.remove(wb.active)
    _analysis_sheets(wb, a)
    notes = [{"code": "unsatisfied", "name": "不满意量（按工单计）", "numerator": "回访不满意工单", "denominator": "—",
              "basis": TICKET_BASE, "note": "投诉类别占比的基数"},
             {"code": "unsatisfied", "name": "不满意量（按单位计）", "numerator": "回访不满意工单的签收单位记录",
              "denominator": "—", "basis": UNIT_BASE, "note": "街镇分组、部门分组占比的基数"}]
    _notes_sheet(wb, notes, _metadata(a.period, a.computed_at, a.area_name, [("基数", line) for line in a.bases()]))
    path = Path(path)
    wb.save(path)
    return path
