"""The official tables as .xlsx: layout, exact round trip through read(), and refusal of malformed files."""

import copy
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from gridgov.core.errors import InvalidInput
from gridgov.selfeval import actions, store, xlsx_import, xlsx_tables
from gridgov.selfeval.checks import Problem
from gridgov.selfeval.models import Evaluation
from gridgov.selfeval.document import (
    PROJECT, Amounts, BasicData, BasicRow, EvaluationData, Indicator, ProjectLine, indicator_values,
)
from tests.selfeval import seeds

MAIN, BASIC = xlsx_tables.DEPARTMENT_SHEET, xlsx_tables.BASIC_SHEET


def _i(level1, level2, name, target, actual, weight, score=None, deviation="", metric=""):
    return Indicator(level1, level2, name, D(weight), None if score is None else D(score), deviation=deviation,
                     metric=metric, **indicator_values(target, actual))


def _project(name: str, budget: str, executed: str, **kw) -> EvaluationData:
    return EvaluationData(
        unit_name="荷塘区网格化管理服务中心", year=2022, kind=PROJECT, project_name=name, department_name="荷塘区委政法委",
        goal="完善网格化服务管理工作，提升社会治理能力。", outcome="全年上报处理各类事件17169件，结案率99%。",
        funds={"total": Amounts(D(0), D(budget), D(executed)), "fiscal": Amounts(D(0), D(budget), D(executed)),
               "carryover": Amounts(D(0), D(0), D(0)), "other": Amounts()},
        indicators=[
            _i("产出指标", "数量指标", "实行网格化管理", "覆盖率≥100%", "覆盖率≥100%", 20, 20),
            _i("产出指标", "成本指标", "网格员工资", "290.32万元", "209.32万元", 20, 20),
            _i("产出指标", "时效指标", "工作时间", "≤365天/年", "365天/年", 20, 20),
            _i("效益指标", "社会效益指标", "提供社会服务", "95%", "95%", 10, 9, "宣传不足，下一步加强"),
            _i("效益指标", "可持续影响指标", "网格员队伍能力的提升", "=100%", "100%", 10, 9),
            _i("满意度指标", "服务对象满意度指标", "群众满意度", "≥95%", "96.5%", 10, 9, metric="satisfaction_rate"),
        ], **kw)


def rich() -> EvaluationData:
    """A department with basic data, funds with projects, a full indicator tree, stated values and two projects."""
    rows = {"three_public": BasicRow(D(0), D(0), D(0)), "car": BasicRow(D(0), D(0), D(0)),
            "projects": BasicRow(D("2977500.00"), D("272500.00"), D("5820800.00")),
            "project_funds": BasicRow(D("2977500.00"), D("272500.00"), D("5820800.00")),
            "public": BasicRow(D("108900.00"), D("153100.00"), D("75200.00")),
            "office": BasicRow(D("15200.00"), D("50000.00"), D("2300.00")),
            "procurement": BasicRow(None, D("5820000.00"), D("1137600.00")),
            "adjustment": BasicRow(None, D(0), D("-106200.00"))}
    return EvaluationData(
        unit_name="株洲市荷塘区网格化管理服务中心", year=2022, goal="切实提升困难群众的幸福感和获得感",
        outcome="负责全区网格化建设的统筹、协调、督查、考核。\n建立健全网格化长效工作机制。",
        funds={"total": Amounts(D("1261100.00"), D("7012900.00"), D("6517400.00")),
               "fiscal": Amounts(D("1261100.00"), D("6703200.00"), None, D("97.5")),
               "carryover": Amounts(None, D("295800.00")), "other": Amounts(None, D("14000.00")),
               "basic": Amounts(D("1192200.00"), D("1192200.00"), D("1192200.00")),
               "project": Amounts(None, D("5820800.00"), D("5325200.00"))},
        projects=[ProjectLine("网格员专项经费", Amounts(D(0), D("2903200.00"), D("2903200.00"))),
                  ProjectLine("城乡帮困项目", Amounts(D(0), D("853200.00"), D("357600.12"), D("41.91")))],
        stated_execution_score=D("9.5"), execution_reason="部分项目跨年度实施，资金尚未拨付完毕",
        basic=BasicData(staff_quota=12, staff_actual=7, stated_control_rate=D(58), rows=rows,
                        savings_measures="严格执行公务接待、公车管理制度。"),
        indicators=[
            _i("产出指标", "数量指标", "城区城乡帮困项目", "≥25个项目", "26个项目", 5, 5),
            _i("产出指标", "数量指标", "农村城乡帮困项目", "≥25个项目", "20个项目", 5, 4, "部分项目延期至次年实施"),
            _i("产出指标", "数量指标", "全年受理工单数", "≥80000件", "81234件", 5, 5, metric="received"),
            _i("产出指标", "数量指标", "项目宣传", "≥95%", "100%", 5, 5),
            _i("产出指标", "质量指标", "“三服务两支持”帮扶", "≥1100人", "组织活动≥95%", 10, 9, "个别活动参与人数不足"),
            _i("产出指标", "时效指标", "按时完成各项服务指标", "2022年1月-12月", "2022年1月-12月", 10, 10),
            _i("产出指标", "成本指标", "成本控制数", "≤701.29万元", "651.74万元", 10, 10),
            _i("效益指标", "经济效益指标", "缓解服务对象经济困难", "100%", "100%", 10, 9),
            _i("效益指标", "社会效益指标", "引导社会力量帮扶", "不断提升", "有所增强", 10),
            _i("效益指标", "生态效益指标", "建立健全城乡帮困长效机制", "不断优化", "有所提升", 5, 4),
            _i("效益指标", "可持续影响指标", "社会组织满意率", "稳步提升", "有所提升", 5, 5),
            _i("满意度指标", "服务对象满意度指标", "服务对象满意率", "95%", "≥95%", 5, 5),
            _i("满意度指标", "服务对象满意度指标", "群众满意率", "≥95%", "93.27%", 5, D("4.91"), metric="satisfaction_rate"),
        ],
        stated_total=D(95), stated_grade="优",
        children=[_project("城乡帮困项目", "853200.00", "357600.12", stated_grade="良", execution_reason="延期"),
                  _project("网格员专项经费", "2903200.00", "2903200.00", stated_total=D(97))],
    )


def tables_only(data: EvaluationData) -> EvaluationData:
    """The data without the narrative report, which the tables do not hold."""
    data = copy.deepcopy(data)
    data.sections = {}
    for child in data.children:
        child.sections = {}
    return data


def cells(path) -> dict:
    """Every sheet's non-empty cell values, hidden sheet included."""
    wb = load_workbook(path)
    return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
            for ws in wb.worksheets}


def test_round_trip_returns_the_same_data(tmp_path):
    data = rich()
    path = xlsx_tables.write(data, tmp_path / "a.xlsx")
    assert xlsx_import.read(path) == tables_only(data)


def test_values_shown_as_computed_read_back_as_not_stated(tmp_path):
    data = rich()
    data.stated_execution_score = data.stated_total = data.basic.stated_control_rate = None
    data.stated_grade = ""
    path = xlsx_tables.write(data, tmp_path / "a.xlsx")
    ws = load_workbook(path)[MAIN]
    total = _row(ws, 1, "总分")
    assert ws.cell(total, 8).value == pytest.approx(85.2)  # 651.74 / 701.29 → 9.29, plus 75.91
    assert load_workbook(path)[BASIC]["D4"].value == pytest.approx(58.33)
    assert xlsx_import.read(path) == tables_only(data)


def test_export_read_export_gives_identical_cells(tmp_path):
    first = xlsx_tables.write(rich(), tmp_path / "a.xlsx")
    second = xlsx_tables.write(xlsx_import.read(first), tmp_path / "b.xlsx")
    assert cells(first) == cells(second)


def test_a_stated_value_edited_in_excel_is_read_as_stated(tmp_path):
    data = rich()
    data.stated_total = None
    path = xlsx_tables.write(data, tmp_path / "a.xlsx")
    wb = load_workbook(path)
    ws = wb[MAIN]
    fiscal = _row(ws, 2, "其中：当年财政拨款")
    ws.cell(_row(ws, 1, "总分"), 8).value = 88
    ws.cell(fiscal, 7).value = "96.5%"  # typed as text
    ws.cell(fiscal, 4).value = " 670.40 "
    wb.save(path)
    back = xlsx_import.read(path)
    assert back.stated_total == 88
    assert back.funds["fiscal"].stated_rate == D("96.5") and back.funds["fiscal"].budget == D("6704000")


def _row(ws, col: int, label: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if xlsx_import.normal(ws.cell(r, col).value) == label)


def test_layout_is_official(tmp_path):
    problems = [Problem("weights", "error", "附件1-3(2) · 产出指标", "产出指标分值合计60分，应为50分")]
    path = xlsx_tables.write(rich(), tmp_path / "a.xlsx", problems)
    wb = load_workbook(path)
    assert wb.sheetnames == [BASIC, MAIN, "附件1-3(1) 城乡帮困项目", "附件1-3(2) 网格员专项经费", "评分汇总", "_gridgov"]
    assert wb["_gridgov"].sheet_state == "hidden"
    basic, main = wb[BASIC], wb[MAIN]
    assert basic["A2"].value == "2022年度部门整体支出绩效评价基础数据表"
    assert [basic.cell(5, c).value for c in range(2, 5)] == ["2021年决算数", "2022年预算数", "2022年决算数"]
    assert main["A2"].value == "2022年度部门整体支出绩效自评表"
    assert wb["附件1-3(1) 城乡帮困项目"]["A2"].value == "2022年度项目支出绩效自评表"
    assert basic.page_setup.orientation == "portrait" and main.page_setup.orientation == "landscape"
    for ws in (basic, main):
        assert ws.page_setup.paperSize == 9 and ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$2"
        assert "A2:" in " ".join(str(r) for r in ws.merged_cells.ranges)
    head = _row(main, 2, "一级指标")
    merged = {str(r) for r in main.merged_cells.ranges}
    assert main.cell(head + 1, 2).value == "产出指标（50分）"
    assert f"B{head + 1}:B{head + 7}" in merged and f"C{head + 1}:C{head + 4}" in merged
    assert main.cell(head + 8, 2).value == "效益指标（30分）" and main.cell(head + 12, 2).value == "满意度指标（10分）"
    assert _framed(main, 3, 9)
    assert main.cell(head + 1, 4).font.name == "宋体"
    fiscal = _row(main, 2, "其中：当年财政拨款")
    assert main.cell(fiscal, 4).value == pytest.approx(670.32) and main.cell(fiscal, 4).number_format == "0.00"
    assert main.cell(fiscal, 7).value == pytest.approx(97.5) and main.cell(fiscal, 7).number_format == '0.00"%"'
    summary = [c.value for row in wb["评分汇总"].iter_rows() for c in row]
    assert "产出指标分值合计60分，应为50分" in summary and "错误" in summary


def _framed(ws, first_row: int, columns: int) -> bool:
    """Thin borders on every plain cell of the table and around every merged range (inside a merge none show)."""
    def thin(cell, *sides):
        return all(getattr(cell.border, side).style == "thin" for side in sides)
    plain = [c for row in ws.iter_rows(min_row=first_row, max_col=columns) for c in row
             if not any(c.coordinate in r for r in ws.merged_cells.ranges)]
    ranges = [r for r in ws.merged_cells.ranges if r.min_row >= first_row]
    return (all(thin(c, "left", "right", "top", "bottom") for c in plain)
            and all(thin(ws.cell(r.min_row, r.min_col), "left", "top")
                    and thin(ws.cell(r.max_row, r.max_col), "right", "bottom") for r in ranges))


def test_sheet_titles_are_unique_and_short(tmp_path):
    data = rich()
    data.children[0].project_name = data.children[1].project_name = "荷塘区城乡帮困及网格化服务管理专项经费项目（第一批/二批）"
    wb = load_workbook(xlsx_tables.write(data, tmp_path / "a.xlsx"))
    children = [n for n in wb.sheetnames if n.startswith("附件1-3")]
    assert len(set(children)) == 2 and all(len(n) <= 31 for n in children)
    names = [c.project_name for c in xlsx_import.read(tmp_path / "a.xlsx").children]
    assert names == [data.children[0].project_name] * 2


def test_project_evaluation_alone(tmp_path):
    data = _project("网格员专项经费", "2903200.00", "2903200.00")
    path = xlsx_tables.write(data, tmp_path / "p.xlsx")
    assert load_workbook(path).sheetnames == ["项目支出绩效自评表", "评分汇总", "_gridgov"]
    assert xlsx_import.read(path) == data


def _spoil(path, edits: dict) -> None:
    wb = load_workbook(path)
    for (sheet, ref), value in edits.items():
        wb[sheet][ref].value = value
    wb.save(path)


def test_bad_cells_are_all_named(tmp_path):
    path = xlsx_tables.write(rich(), tmp_path / "a.xlsx")
    ws = load_workbook(path)[MAIN]
    fiscal, head = _row(ws, 2, "其中：当年财政拨款"), _row(ws, 2, "一级指标")
    child = "附件1-3(1) 城乡帮困项目"
    _spoil(path, {(MAIN, f"D{fiscal}"): "六百七十万", (MAIN, f"G{head + 2}"): "五分", (MAIN, f"B{head + 8}"): "影响指标",
                  (BASIC, "B4"): "十二", (child, "A2"): "年度项目支出绩效自评表"})
    with pytest.raises(InvalidInput) as caught:
        xlsx_import.read(path)
    errors = {(e["sheet"], e["cell"]) for e in caught.value.details["errors"]}
    assert errors == {(MAIN, f"D{fiscal}"), (MAIN, f"G{head + 2}"), (MAIN, f"B{head + 8}"), (BASIC, "B4"),
                      (child, "A2")}
    assert all(e["message"] for e in caught.value.details["errors"])
    assert "5 处错误" in caught.value.message


def test_a_missing_sheet_is_refused(tmp_path):
    path = xlsx_tables.write(rich(), tmp_path / "a.xlsx")
    wb = load_workbook(path)
    del wb[BASIC]
    wb.save(path)
    with pytest.raises(InvalidInput) as caught:
        xlsx_import.read(path)
    assert caught.value.details["errors"] == [{"sheet": BASIC, "cell": "", "message": f"缺少工作表：{BASIC}"}]


@pytest.mark.parametrize("content", [b"not a workbook", b"PK\x03\x04 broken zip", "序号,名称\n1,网格\n".encode()])
def test_a_file_that_is_not_xlsx_is_refused(tmp_path, content):
    path = tmp_path / "a.xlsx"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as caught:
        xlsx_import.read(path)
    assert caught.value.details["errors"][0]["message"]


def test_a_hand_filled_workbook_without_the_hidden_sheet_reads_its_values_as_stated(tmp_path):
    data = rich()
    data.stated_total = None
    path = xlsx_tables.write(data, tmp_path / "a.xlsx")
    wb = load_workbook(path)
    del wb["_gridgov"]
    wb.save(path)
    back = xlsx_import.read(path)
    assert back.stated_total == D("85.2") and back.stated_grade == "优"
    assert [i.metric for i in back.indicators] == [""] * len(data.indicators)


@pytest.mark.django_db
def test_import_into_saves_and_a_bad_file_changes_nothing(world, tmp_path):
    evaluation = actions.do_create(world.finance, "株洲市荷塘区网格化管理服务中心", 2022)
    evaluation.sections = {"basic": "一、部门基本情况……"}
    evaluation.save()
    good = xlsx_tables.write(rich(), tmp_path / "good.xlsx")
    xlsx_import.import_into(world.finance, evaluation, good)
    saved = store.document_of(evaluation)
    assert saved.sections == {"basic": "一、部门基本情况……"}
    assert tables_only(saved) == tables_only(rich())
    assert cells(xlsx_tables.write(saved, tmp_path / "again.xlsx")) == cells(good)

    bad = xlsx_tables.write(rich(), tmp_path / "bad.xlsx")
    fiscal = _row(load_workbook(bad)[MAIN], 2, "其中：当年财政拨款")
    _spoil(bad, {(MAIN, f"C{fiscal}"): "一百万"})
    with pytest.raises(InvalidInput):
        xlsx_import.import_into(world.finance, evaluation, bad)
    assert store.document_of(evaluation) == saved
    assert evaluation.indicators.count() == len(rich().indicators) and evaluation.children.count() == 2


@pytest.mark.parametrize("seed", [seeds.seed000, seeds.seed001, seeds.seed002, seeds.seed003], ids=lambda f: f.__name__)
def test_seeds_round_trip(tmp_path, seed):
    data = seed()
    path = xlsx_tables.write(data, tmp_path / "seed.xlsx")
    assert xlsx_import.read(path) == tables_only(data)
    assert cells(xlsx_tables.write(xlsx_import.read(path), tmp_path / "again.xlsx")) == cells(path)


@pytest.mark.django_db
def test_a_workbook_without_project_sheets_keeps_the_project_evaluations(world, tmp_path):
    evaluation = actions.do_save(world.finance, Evaluation(), rich())
    department_only = rich()
    department_only.children = []
    path = xlsx_tables.write(department_only, tmp_path / "dept.xlsx")
    xlsx_import.import_into(world.finance, evaluation, path)
    assert [c.project_name for c in store.document_of(evaluation).children] == sorted(c.project_name for c in rich().children)


def test_a_zip_that_unpacks_to_too_much_is_refused_unopened(tmp_path):
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (xlsx_import.MAX_UNPACKED_BYTES + 1))
    assert path.stat().st_size < 1_000_000
    with pytest.raises(InvalidInput, match="解压后超过"):
        xlsx_import.read(path)
