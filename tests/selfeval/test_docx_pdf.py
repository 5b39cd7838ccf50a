"""The report .docx (sections, tables, fonts, comments), its PDF with real Chinese glyphs, and the files written."""

import re
import subprocess
import threading
import time
import zipfile
from decimal import Decimal as D
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from gridgov.core.errors import InvalidInput, InvalidState
from gridgov.selfeval import actions, docx_report, files, narrative, pdf, starter, store
from gridgov.selfeval.checks import Problem
from gridgov.selfeval.document import DEPARTMENT, PROJECT, SECTIONS, Amounts, wan
from tests.selfeval.test_narrative import UNIT, centre_2025, platform_2025

TITLE = "2025年度长沙市岳麓区网格化综合服务中心部门整体支出绩效自评报告"
needs_soffice = pytest.mark.skipif(not pdf.available(), reason="本机未安装 LibreOffice（soffice），无法测试 PDF 转换")


def full_data():
    """Seed-like data with drafted sections and a project evaluation under it."""
    data = centre_2025()
    data.sections = narrative.compose(data, platform_2025())
    data.goal, data.outcome = "打造共建共治共享的社会治理格局", "全年累计处理群众“急难愁盼”问题96000余个"
    data.stated_total = D("99.60")
    child = starter.from_template("standard", UNIT, 2025, PROJECT, "网格热线专项经费")
    child.funds = {"total": Amounts(wan(57), wan(57), wan("38.24"))}
    data.children = [child]
    return data


def texts(path: Path) -> str:
    """All text of a .docx, paragraphs and table cells."""
    doc = Document(path)
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- the .docx -----------------------------------------------------------------------------------

def test_docx_has_title_and_the_nine_headings_in_order(tmp_path):
    path = docx_report.write(full_data(), tmp_path / "report.docx")
    doc = Document(path)
    assert doc.paragraphs[0].text == TITLE
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [title for _key, title in SECTIONS[DEPARTMENT]] + ["附件：绩效自评表"]
    body = texts(path)
    assert "公用支出全年预算数20.40万元，执行数14.99万元，执行率73.48%" in body
    assert "（一）部分承办单位按期办结率偏低" in body


def test_docx_fonts_are_chinese_through_east_asia():
    path_doc = docx_report._new("标题")
    for name, font in (("Normal", "宋体"), ("Heading 1", "黑体"), ("Title", "黑体")):
        fonts = path_doc.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == font
        assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override w:eastAsia in Word
    assert path_doc.styles["Normal"].element.rPr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"


def test_docx_tables_show_computed_scores_and_stated_values(tmp_path):
    doc = Document(docx_report.write(full_data(), tmp_path / "report.docx"))
    funds = doc.tables[0]
    assert [c.text for c in funds.rows[0].cells] == docx_report.FUND_HEADER
    total = [c.text for c in funds.rows[1].cells]
    assert total == ["年度资金总额", "423.38", "423.38", "416.69", "98.42%", "10", "9.84"]
    public = next(r for r in funds.rows if r.cells[0].text.strip() == "公用支出")
    assert public.cells[4].text == "73.48%"
    assert any(r.cells[0].text.strip() == "网格热线专项经费" and r.cells[4].text == "67.09%" for r in funds.rows)
    indicators = next(t for t in doc.tables if t.rows[0].cells[0].text == "一级指标")
    rows = [[c.text for c in r.cells] for r in indicators.rows]
    assert rows[-2][0] == "总分" and rows[-2][5] == "100" and rows[-2][6] == "99.58（填报99.6）"
    assert rows[-1][0] == "自评等级" and rows[-1][6] == "优"
    assert any(r[2] == "按期办结率" and r[4] == "92.5%" and r[6] == "9.74" for r in rows)
    body = texts(tmp_path / "report.docx")
    assert "附表2　部门整体支出绩效评价基础数据表" in body and "116.67%" in body
    assert "附表3　2025年度网格热线专项经费项目支出绩效自评表" in body


def test_empty_sections_leave_the_heading_alone(tmp_path):
    data = starter.from_template("grid_centre", UNIT, 2025)
    doc = Document(docx_report.write(data, tmp_path / "empty.docx"))
    titles = [p.text for p in doc.paragraphs]
    first, second = titles.index("一、部门基本情况"), titles.index("二、一般公共预算支出情况")
    assert second == first + 1


def test_problems_are_review_comments_on_their_rows_not_body_text(tmp_path):
    problems = [Problem("rate", "error", "部门整体支出绩效自评表 · 公用支出 · 执行率", "执行率与执行数/预算数不符"),
                Problem("misc", "warning", "报告", "尚有待补充的内容")]
    path = docx_report.write(full_data(), tmp_path / "report.docx", problems)
    doc = Document(path)
    assert [c.text for c in doc.comments] == ["【错误】部门整体支出绩效自评表 · 公用支出 · 执行率：执行率与执行数/预算数不符",
                                              "【提示】报告：尚有待补充的内容"]
    assert "执行率与执行数/预算数不符" not in texts(path)
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    anchored = re.search(r'commentRangeStart w:id="0"/>(.*?)commentRangeEnd', xml, re.S)
    assert "公用支出" in re.sub(r"<[^>]+>", "", anchored.group(1))


# --- conversion errors (no LibreOffice needed) ---------------------------------------------------

def test_convert_refuses_other_files_and_says_when_soffice_is_missing(tmp_path, monkeypatch):
    with pytest.raises(InvalidInput, match="只能将"):
        pdf.convert(tmp_path / "a.txt", tmp_path)
    with pytest.raises(InvalidInput, match="不存在"):
        pdf.convert(tmp_path / "missing.docx", tmp_path)
    (tmp_path / "a.docx").write_bytes(b"")
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    assert not pdf.available()
    with pytest.raises(InvalidState, match="未安装 LibreOffice"):
        pdf.convert(tmp_path / "a.docx", tmp_path)


@needs_soffice
def test_a_broken_file_fails_in_chinese_and_leaves_no_pdf(tmp_path):
    # A zip package that is no workbook: LibreOffice cannot load it ("source file could not be loaded") yet exits 0,
    # so only the check for the produced PDF turns it into the error. (Plain text named .xlsx would be imported as
    # text and converted, so it cannot stand for a broken file.)
    with zipfile.ZipFile(tmp_path / "broken.xlsx", "w") as package:
        package.writestr("[Content_Types].xml", "<not-xml")
    out = tmp_path / "out"
    with pytest.raises(InvalidState) as failed:
        pdf.convert(tmp_path / "broken.xlsx", out)
    assert failed.value.message.startswith("PDF 转换失败：broken.xlsx（LibreOffice 退出码 ")
    assert not out.exists() or not list(out.iterdir())


# --- PDF with real glyphs ------------------------------------------------------------------------

def tables_xlsx(data, path: Path) -> Path:
    """The tables via xlsx_tables when it is there, else a small sheet with the same Chinese title."""
    try:
        from gridgov.selfeval import xlsx_tables
    except ImportError:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        sheet = book.active
        sheet["A1"] = f"{data.title}表"
        sheet["A1"].font = Font(name="宋体", size=16)
        sheet.append(["项目", "全年预算数", "全年执行数", "执行率"])
        sheet.append(["年度资金总额", 423.38, 416.69, "98.42%"])
        book.save(path)
        return path
    return Path(xlsx_tables.write(data, path, []))


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """The report and the tables converted once, with how long each conversion took."""
    if not pdf.available():
        pytest.skip("本机未安装 LibreOffice（soffice），无法测试 PDF 转换")
    root = tmp_path_factory.mktemp("pdf")
    data = full_data()
    sources = {"docx": docx_report.write(data, root / "report.docx"), "xlsx": tables_xlsx(data, root / "tables.xlsx")}
    out, seconds = {}, {}
    for kind, source in sources.items():
        started = time.monotonic()
        out[kind] = pdf.convert(source, root / "out")
        seconds[kind] = time.monotonic() - started
    print(f"\nPDF conversion seconds: {seconds}")
    return out


def run(*command) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120).stdout


def embedded_cjk_fonts(path: Path) -> list[str]:
    """Names of embedded Noto Sans/Serif CJK fonts according to pdffonts."""
    rows = run("pdffonts", str(path)).splitlines()[2:]
    return [row.split()[0] for row in rows if re.search(r"Noto(Sans|Serif)CJK", row) and " yes " in row]


@needs_soffice
def test_report_pdf_embeds_cjk_fonts_and_gives_the_title_back(converted):
    path = converted["docx"]
    assert path.name == "report.pdf"
    assert embedded_cjk_fonts(path)
    text = squeeze(run("pdftotext", "-l", "1", str(path), "-"))
    assert TITLE in text
    assert "一、部门基本情况" in text


@needs_soffice
def test_report_pdf_glyphs_really_render(converted, tmp_path):
    """OCR of the rendered page reads the title back: the glyphs are drawn, not tofu boxes."""
    run("pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(converted["docx"]), str(tmp_path / "page"))
    page = next(tmp_path.glob("page*.png"))
    seen = squeeze(run("tesseract", str(page), "-", "-l", "chi_sim"))
    assert "网格化综合服务中心" in seen and "绩效自评报告" in seen, seen[:200]


@needs_soffice
def test_tables_pdf_embeds_cjk_fonts_and_gives_the_title_back(converted):
    path = converted["xlsx"]
    assert embedded_cjk_fonts(path)
    assert "部门整体支出绩效自评表" in squeeze(run("pdftotext", str(path), "-"))


@needs_soffice
def test_parallel_conversions_do_not_share_a_profile(tmp_path):
    data = starter.from_template("grid_centre", UNIT, 2025)
    sources = [docx_report.write(data, tmp_path / f"r{n}.docx") for n in range(2)]
    results, errors = [], []

    def convert(source):
        try:
            results.append(pdf.convert(source, tmp_path / "out"))
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=convert, args=(s,)) for s in sources]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(p.name for p in results) == ["r0.pdf", "r1.pdf"]


# --- files.write ---------------------------------------------------------------------------------

@pytest.fixture
def evaluation(world):
    evaluation = actions.do_create(world.finance, UNIT, 2025)
    data = store.document_of(evaluation)
    data.funds = {"total": Amounts(wan(100), wan(100), wan(95))}
    data.sections = {"basic": "本中心为正科级公益一类事业单位。"}
    return actions.do_save(world.finance, evaluation, data)


def test_files_writes_tables_and_report_with_ascii_names(evaluation, tmp_path):
    paths = files.write(evaluation, formats=("xlsx", "docx"), out_dir=tmp_path)
    stem = f"selfeval-2025-{evaluation.pk}"
    assert [p.name for p in paths] == [f"{stem}-tables.xlsx", f"{stem}-report.docx"]
    assert all(p.name.isascii() and p.stat().st_size for p in paths)
    assert "本中心为正科级公益一类事业单位。" in texts(paths[1])
    with pytest.raises(InvalidInput, match="不支持的格式"):
        files.write(evaluation, formats=("doc",), out_dir=tmp_path)
    assert set(files.CONTENT_TYPES) == set(files.FORMATS)


@needs_soffice
def test_files_pdf_alone_gives_both_pdfs_and_nothing_else(evaluation, tmp_path):
    paths = files.write(evaluation, formats=("pdf",), out_dir=tmp_path)
    stem = f"selfeval-2025-{evaluation.pk}"
    assert [p.name for p in paths] == [f"{stem}-tables.pdf", f"{stem}-report.pdf"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    assert "绩效自评报告" in squeeze(run("pdftotext", str(paths[1]), "-"))
