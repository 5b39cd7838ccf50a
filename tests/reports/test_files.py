"""The .docx and .xlsx files are real documents: opened again, they hold the titles, tables, numbers and bases."""

from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from gridgov.metrics.periods import Period
from gridgov.reports import render

pytestmark = pytest.mark.django_db


def _table_rows(table):
    return [[c.text for c in row.cells] for row in table.rows]


def test_monthly_docx(month, tmp_path):
    [path] = render.monthly_files("2026-05", out_dir=tmp_path, formats="docx")
    assert path.name == "monthly-2026-05-430104.docx"
    doc = Document(path)
    assert doc.paragraphs[0].text == "岳麓区网格化综合服务中心 2026年5月工作通报"
    assert doc.paragraphs[0].style.name == "Title"
    # Chinese text needs an East Asian font set explicitly.
    assert doc.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、主要指标", "二、街道（镇）排名", "三、区直部门排名", "四、受理量前2的事项大类",
                        "五、回访不满意工单分析", "六、计算规则与口径"]
    key = _table_rows(doc.tables[0])
    assert key[0] == ["指标", "2026年5月", "分子/分母", "2026年4月", "环比", "基数（分母）"]
    assert key[1][:5] == ["受理量", "10", "—", "3", "+7件（+233.33%）"]
    satisfaction = next(r for r in key if r[0] == "满意率")
    assert satisfaction[:5] == ["满意率", "80.00%", "8/10", "100.00%", "-20.00个百分点"]
    assert "有效回访工单" in satisfaction[5]
    streets = _table_rows(doc.tables[1])
    assert streets[0] == ["名次", "街道（镇）", "受理量", "响应率", "解决率", "满意率", "三率综合", "不满意量", "档次"]
    assert streets[1] == ["1", "望月湖街道", "5", "100.00%", "80.00%", "80.00%", "86.67%", "1", "一类"]
    assert _table_rows(doc.tables[2])[2][1:2] + _table_rows(doc.tables[2])[2][-1:] == ["区人力资源和社会保障局", "二类"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "（一）从投诉类别看。城市管理、劳资纠纷类占比较重，占回访不满意工单100.00%。其中城市管理类1件，占50.00%；劳资纠纷类1件，占50.00%。" in text
    assert "A组街道（望月湖街道）有1件，占50.00%" in text
    assert "社会发展部门有1件，占50.00%" in text
    assert "投诉类别占比的基数：回访不满意工单（按工单计，联合办单只计一次），共2件" in text
    analysis_tables = [_table_rows(t) for t in doc.tables[4:]]
    assert analysis_tables[0][1] == ["1", "城市管理类", "1", "50.00%"]
    assert analysis_tables[1][-1] == ["合计（按单位计）", "", "2", "100.00%"]
    footer = doc.sections[0].footer.paragraphs[0].text
    assert "计算时间：2026-06-10 10:00" in footer and "工单10件" in footer and "按单位计" in footer


def test_monthly_xlsx(month, tmp_path):
    [path] = render.monthly_files("2026-05", out_dir=tmp_path, formats="xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["主要指标", "街道（镇）排名", "区直部门排名", "事项大类", "不满意-投诉类别", "不满意-街镇与部门",
                             "分析文字", "口径说明", "工单清单"]
    key = {row[1].value: row for row in wb["主要指标"].iter_rows(min_row=2) if row[1].value}
    received = key["received"]
    assert (received[2].value, received[5].value) == (10, 3) and isinstance(received[2].value, int)
    sat = key["satisfaction_rate"]
    assert Decimal(str(sat[2].value)) == Decimal("0.8") and sat[2].number_format == "0.00%"
    assert (sat[3].value, sat[4].value) == (8, 10)
    streets = list(wb["街道（镇）排名"].iter_rows(min_row=2, max_row=3, values_only=True))
    assert streets[0][:4] == (1, "430104001", "望月湖街道", 5) and streets[0][-1] == "一类"
    assert wb["街道（镇）排名"].cell(2, 8).number_format == "0.00%"
    cats = list(wb["不满意-投诉类别"].iter_rows(min_row=2, max_row=3, values_only=True))
    assert cats[0] == (1, "01", "城市管理类", 1, 0.5, 2)
    notes = {row[1]: row for row in wb["口径说明"].iter_rows(min_row=2, values_only=True) if row and row[1]}
    assert notes["satisfaction_rate"][2:4] == ("满意和基本满意工单", "有效回访工单")
    assert notes["close_rate"][2:4] == ("已办结工单", "应办结工单")
    assert "按工单计" in notes["received"][4]
    labels = [row[0] for row in wb["口径说明"].iter_rows(values_only=True) if row]
    for needed in ("统计期", "计算时间", "三率权重", "工单数", "基数", "区直部门排名口径"):
        assert needed in labels
    tickets = list(wb["工单清单"].iter_rows(min_row=2, values_only=True))
    assert len(tickets) == 10 and all(isinstance(t[0], int) for t in tickets)


def test_analysis_files_for_any_period(month, tmp_path):
    paths = render.analysis_files(Period.parse("2026-04-01..2026-06-30"), out_dir=tmp_path)
    assert [p.name for p in paths] == ["analysis-2026-04-01_to_2026-06-30-430104.docx",
                                       "analysis-2026-04-01_to_2026-06-30-430104.xlsx"]
    doc = Document(paths[0])
    assert doc.paragraphs[0].text == "岳麓区网格化综合服务中心 2026年4月1日至2026年6月30日回访不满意工单分析"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "共收到回访不满意工单3件" in text and "统计期内各街道（镇）共有不满意工单2件" in text
    wb = load_workbook(paths[1])
    assert wb.sheetnames == ["不满意-投诉类别", "不满意-街镇与部门", "分析文字", "口径说明"]
    groups = {row[1]: row for row in wb["不满意-街镇与部门"].iter_rows(min_row=2, values_only=True) if row and row[1]}
    assert groups["A组（城区街道）"][3:] == (2, Decimal("0.6667").__float__(), 3)
    assert wb["不满意-街镇与部门"].cell(3, 5).number_format == "0.00%"
    labels = [row[0] for row in wb["口径说明"].iter_rows(values_only=True) if row]
    assert "基数" in labels and "计算时间" in labels


def test_bad_format_is_refused(month, tmp_path):
    from gridgov.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="不支持的格式：pdf"):
        render.monthly_files("2026-05", out_dir=tmp_path, formats="docx,pdf")
