"""Word documents: the monthly 通报 and the unsatisfied-ticket analysis, with Chinese fonts and stated bases."""

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from gridgov.core import clock
from gridgov.reports.docx_fonts import mark_chinese, set_font
from gridgov.reports.analysis import Analysis
from gridgov.reports.common import percent, percent_text
from gridgov.reports.monthly import MonthlyReport, Ranking

BODY_FONT, HEADING_FONT = "宋体", "黑体"
RANK_COLUMNS = [("received", "受理量"), ("response_rate", "响应率"), ("resolution_rate", "解决率"),
                ("satisfaction_rate", "满意率"), ("three_rates", "三率综合"), ("unsatisfied", "不满意量")]
NUMERALS = "一二三四五六七八九十"


def _fonts(doc) -> None:
    """The report's styles in 宋体 and 黑体 (see docx_fonts for why it takes more than the font name)."""
    for name, font in [("Normal", BODY_FONT), ("Title", HEADING_FONT), ("Heading 1", HEADING_FONT),
                       ("Heading 2", HEADING_FONT), ("Table Grid", BODY_FONT)]:
        set_font(doc.styles[name], font)
    mark_chinese(doc.styles["Normal"])
    doc.styles["Normal"].font.size = Pt(11)


def _new(title: str):
    doc = Document()
    _fonts(doc)
    heading = doc.add_heading(title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return doc


def _table(doc, header: list[str], rows: list[list], caption: str | None = None):
    if caption:
        p = doc.add_paragraph(caption)
        p.runs[0].bold = True
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = "" if value is None else str(value)
    return table


def _footer(doc, text: str) -> None:
    p = doc.sections[0].footer.paragraphs[0]
    p.text = text
    for run in p.runs:
        run.font.size = Pt(8)


def _note(doc, text: str) -> None:
    p = doc.add_paragraph(text)
    for run in p.runs:
        run.font.size = Pt(9)


def _fraction(f) -> str:
    """'305/315' for a rate, so a reader can check it."""
    return f"{f.numerator}/{f.denominator}" if f.denominator is not None else "—"


def _ranking(doc, number: str, ranking: Ranking) -> None:
    doc.add_heading(f"{number}、{ranking.title}", level=1)
    rows = [[r.rank, r.label] + [r.figures[c].display for c, _ in RANK_COLUMNS] + [r.klass] for r in ranking.rows]
    _table(doc, ["名次", ranking.object_name] + [n for _, n in RANK_COLUMNS] + ["档次"], rows)
    counts = "，".join(f"{k}{v}个" for k, v in ranking.class_counts().items())
    _note(doc, f"参与排名{len(ranking.rows)}个（{counts}）。排名规则：{ranking.order_rule}。分档：{ranking.class_rule}。"
               f"计数口径：{ranking.basis}。来源：{ranking.source}。")
    if ranking.unranked:
        names = "、".join(f"{r.label}（受理{r.figures['received'].display}件）" for r in ranking.unranked)
        _note(doc, f"未参与排名（三率综合无法计算）：{names}。")


def _whole(base: int) -> str:
    return percent_text(percent(base, base))


def analysis_section(doc, a: Analysis, number: str | None = None, level: int = 1) -> None:
    """The analysis paragraphs followed by its three tables, each with its base."""
    if number:
        doc.add_heading(f"{number}、回访不满意工单分析", level=level)
    for text in a.paragraphs():
        doc.add_paragraph(text)
    _table(doc, ["序号", "投诉类别", "不满意工单（件）", "占比"],
           [[i, s.label, s.count, s.percent_text] for i, s in enumerate(a.categories, 1)]
           + [["", f"前{a.top_n}类合计", a.top.count, a.top.percent_text], ["", "合计", a.unsatisfied, _whole(a.unsatisfied)]],
           caption=f"表1 回访不满意工单按投诉类别（基数：{a.unsatisfied}件，按工单计，联合办单只计一次）")
    street_rows = [[g.label, "、".join(g.members), g.count, g.percent_text] for g in a.streets.groups]
    dept_rows = [[g.label, "", g.count, g.percent_text] for g in a.departments.groups]
    rows = ([[a.streets.total.label, "", a.streets.total.count, a.streets.total.percent_text]] + street_rows
            + [[a.departments.total.label, "", a.departments.total.count, a.departments.total.percent_text]] + dept_rows)
    if a.other_units:
        rows.append([a.other_units.label, "", a.other_units.count, a.other_units.percent_text])
    rows.append(["合计（按单位计）", "", a.unit_total, _whole(a.unit_total)])
    _table(doc, ["分组", "所含街镇", "不满意工单（件）", "占比"], rows,
           caption=f"表2 回访不满意工单按属地街镇分组和区直部门分组（基数：{a.unit_total}件，按单位计，联合办单每个签收单位各计一次）")


def write_monthly(report: MonthlyReport, path: Path) -> Path:
    """The 通报 as .docx."""
    doc = _new(report.title)
    at = clock.localtime(report.computed_at)
    doc.add_paragraph(f"统计期：{report.period.label}（{report.period.start}至{report.period.end}）　"
                      f"范围：{report.area_name}　计算时间：{at:%Y-%m-%d %H:%M}　工单：{report.ticket_count}件")
    sections = iter(NUMERALS)
    doc.add_heading(f"{next(sections)}、主要指标", level=1)
    _table(doc, ["指标", report.period.label, "分子/分母", report.previous.label, "环比", "基数（分母）"],
           [[k.figure.name, k.figure.display, _fraction(k.figure), k.previous.display, k.change_text, k.figure.base]
            for k in report.key_figures])
    for ranking in report.rankings:
        _ranking(doc, next(sections), ranking)
    doc.add_heading(f"{next(sections)}、受理量前{len(report.categories)}的事项大类", level=1)
    total = report.categories[0].share.base if report.categories else 0
    _table(doc, ["事项大类", "受理量", "占受理量", "不满意量", "满意率"],
           [[c.share.label, c.share.count, c.share.percent_text, c.unsatisfied, c.satisfaction.display] for c in report.categories],
           caption=f"占受理量的基数：{report.period.label}受理工单{total}件（按工单计）")
    analysis_section(doc, report.analysis, next(sections))
    doc.add_heading(f"{next(sections)}、计算规则与口径", level=1)
    for line in report.rules:
        doc.add_paragraph(line, style="List Bullet")
    _note(doc, report.footer())
    _footer(doc, report.footer())
    path = Path(path)
    doc.save(path)
    return path


def write_analysis(a: Analysis, path: Path, district_name: str) -> Path:
    """The analysis alone as .docx."""
    doc = _new(f"{district_name}网格化综合服务中心 {a.period.label}回访不满意工单分析")
    at = clock.localtime(a.computed_at)
    doc.add_paragraph(f"统计期：{a.period.label}（{a.period.start}至{a.period.end}）　范围：{a.area_name}　"
                      f"计算时间：{at:%Y-%m-%d %H:%M}")
    analysis_section(doc, a)
    footer = f"计算时间：{at:%Y-%m-%d %H:%M}；" + "".join(a.bases())
    _note(doc, footer)
    _footer(doc, footer)
    path = Path(path)
    doc.save(path)
    return path
