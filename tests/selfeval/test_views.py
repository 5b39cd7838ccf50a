"""Self-evaluation pages: create, edit funds and indicators, refused bad input, who sees and edits, overrides, checks, files."""

import html
import io
import re
from decimal import Decimal

import openpyxl
from docx import Document

from gridgov.selfeval import actions, checks, store
from gridgov.selfeval.models import ActualChange, Evaluation
from tests.selfeval.seeds import seed001


def login(client, username):
    assert client.login(username=username, password="pass-12345")
    return client


def make(world, **kw) -> Evaluation:
    args = {"unit_name": "岳麓区网格化服务中心", "year": 2025, "kind": "department", "project_name": "",
            "template": "grid_centre"}
    args.update(kw)
    return actions.do_create(world.finance, **args)


def form_of(client, evaluation) -> dict:
    """The edit form's fields as the page renders them (what a browser would post back unchanged)."""
    from html.parser import HTMLParser

    page = client.get(f"/selfeval/{evaluation.pk}/").content.decode()
    start = page.index('<form method="post" action="/selfeval/%d/save/"' % evaluation.pk)
    html = page[start:page.index("</form>", start)]

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.fields, self.select, self.textarea, self.in_template = {}, None, None, 0

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "template":
                self.in_template += 1
            if self.in_template:
                return
            if tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "submit"):
                self.fields[a["name"]] = a.get("value") or ""
            elif tag == "select":
                self.select = a["name"]
                self.fields.setdefault(self.select, "")
            elif tag == "option" and self.select and "selected" in a:
                self.fields[self.select] = a.get("value", "")
            elif tag == "textarea":
                self.textarea = a["name"]
                self.fields[self.textarea] = ""

        def handle_endtag(self, tag):
            if tag == "template":
                self.in_template -= 1
            elif tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None

        def handle_data(self, data):
            if self.textarea and not self.in_template:
                self.fields[self.textarea] += data

    parser = Fields()
    parser.feed(html)
    return parser.fields


def test_pages_need_login_and_a_selfeval_grant(client, world):
    e = make(world)
    assert client.get("/selfeval/")["Location"].startswith("/login/")
    assert client.get(f"/selfeval/{e.pk}/")["Location"].startswith("/login/")
    login(client, "outsider")
    assert client.get("/selfeval/").status_code == 404
    missing = client.get(f"/selfeval/{e.pk + 1000}/")
    hidden = client.get(f"/selfeval/{e.pk}/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content and "不存在" in hidden.content.decode()
    assert client.post(f"/selfeval/{e.pk}/save/", {"unit_name": "x"}).status_code == 404
    assert client.get(f"/selfeval/{e.pk}/check/").status_code == 404
    assert client.get(f"/selfeval/{e.pk}/export/xlsx/").status_code == 404


def test_menu_lists_the_page_for_finance(client, world):
    login(client, "finance")
    assert 'href="/selfeval/"' in client.get("/selfeval/").content.decode()


def test_finance_creates_from_a_template_and_copies_it(client, world):
    login(client, "finance")
    page = client.get("/selfeval/").content.decode()
    assert 'id="create"' in page
    response = client.post("/selfeval/new/", {"unit_name": "岳麓区网格化服务中心", "year": "2025", "kind": "department",
                                              "project_name": "", "template": "grid_centre"})
    e = Evaluation.objects.get()
    assert response["Location"] == f"/selfeval/{e.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "2025年度岳麓区网格化服务中心部门整体支出绩效自评" in page
    assert "全年受理工单数" in page and "群众满意率" in page
    assert e.indicators.count() == 8

    response = client.post(f"/selfeval/{e.pk}/copy/", {"year": "2026"})
    copy = Evaluation.objects.get(year=2026)
    assert response["Location"] == f"/selfeval/{copy.pk}/" and copy.copied_from == e
    assert copy.indicators.count() == 8

    response = client.post("/selfeval/new/", {"year": "2025", "kind": "project", "project_name": "网格员专项经费",
                                              "template": "standard", "parent": str(e.pk)})
    child = Evaluation.objects.get(kind="project")
    assert child.parent == e and child.unit_name == e.unit_name
    page = client.get("/selfeval/?year=2025").content.decode()
    assert "网格员专项经费" in page and f'data-evaluation="{child.pk}"' in page
    assert f'data-evaluation="{copy.pk}"' not in page


def test_create_with_bad_input_says_why_and_saves_nothing(client, world):
    login(client, "finance")
    page = client.post("/selfeval/new/", {"unit_name": "", "year": "abc", "kind": "department",
                                          "template": "standard"}).content.decode()
    assert "单位名称" in page and "年度应为四位数字" in page
    assert not Evaluation.objects.exists()


def test_finance_edits_funds_and_indicators(client, world):
    e = make(world)
    login(client, "finance")
    fields = form_of(client, e)
    assert fields["ind-1-name"] == "全年受理工单数" and fields["ind-1-target"] == "≥80000件"
    fields.update({
        "goal": "做好网格化服务", "fund-total-initial": "400", "fund-total-budget": "400",
        "fund-total-executed": "371.76", "fund-total-stated_rate": "92.94%", "execution_reason": "部分项目跨年支付",
        "staff_quota": "20", "staff_actual": "18", "basic-three_public-final": "1.5",
        "ind-5-name": "项目支出成本", "ind-5-target": "≤400万元", "ind-5-actual": "371.76万元", "ind-5-score": "10",
        "ind-7-actual": "持续健全", "ind-7-score": "14", "ind-7-deviation": "机制仍需完善",
        "ind-9-level1": "效益指标", "ind-9-level2": "经济效益指标", "ind-9-name": "节约资金", "ind-9-target": "≥20万元",
        "ind-9-actual": "28.24万元", "ind-9-weight": "0", "ind-9-score": "0",
        "ind-2-delete": "1",
        "proj-1-name": "网格员补贴", "proj-1-budget": "120.5", "proj-1-executed": "100",
        "sec-basic": "本中心负责全区网格化服务管理。",
    })
    response = client.post(f"/selfeval/{e.pk}/save/", fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    e.refresh_from_db()
    data = store.document_of(e)
    total = data.funds["total"]
    assert (total.initial, total.budget, total.executed, total.stated_rate) == (
        Decimal("4000000.00"), Decimal("4000000.00"), Decimal("3717600.00"), Decimal("92.94"))
    assert data.goal == "做好网格化服务" and data.execution_reason == "部分项目跨年支付"
    assert data.basic.staff_quota == 20 and data.basic.rows["three_public"].final == Decimal("15000.00")
    assert data.projects[0].name == "网格员补贴" and data.projects[0].amounts.budget == Decimal("1205000.00")
    assert data.sections["basic"] == "本中心负责全区网格化服务管理。"
    names = [i.name for i in data.indicators]
    assert "网格覆盖率" not in names and names[-1] == "节约资金" and len(names) == 8
    cost = next(i for i in data.indicators if i.name == "项目支出成本")
    assert (cost.comparator, cost.target, cost.unit, cost.actual, cost.actual_unit) == (
        "≤", Decimal(400), "万元", Decimal("371.76"), "万元")
    qualitative = next(i for i in data.indicators if i.name == "网格化服务长效机制")
    assert qualitative.actual_text == "持续健全" and qualitative.score == Decimal(14)

    page = client.get(f"/selfeval/{e.pk}/").content.decode()
    assert '<strong id="computed-rate">92.94%</strong>' in page  # computed from 371.76 of 400, not the stated cell
    assert '<strong id="computed-execution-score">9.29</strong>' in page
    # the control rate 18/20 computed beside the stated one, in its own element
    assert '<div class="se-computed" id="computed-control-rate">计算：90.00%（在职 ÷ 编制）</div>' in page


def test_bad_money_shows_an_error_naming_the_field_and_changes_nothing(client, world):
    e = make(world)
    login(client, "finance")
    fields = form_of(client, e)
    fields.update({"fund-total-budget": "abc", "goal": "不应保存", "ind-1-weight": "十", "ind-1-name": "改名"})
    before = store.document_of(e)
    response = client.post(f"/selfeval/{e.pk}/save/", fields)
    assert response.status_code == 422
    page = response.content.decode()
    assert "未保存" in page and "年度资金总额 · 全年预算数（万元）：“abc”不是有效的金额（万元）" in page
    assert "绩效指标第 1 行 · 分值：“十”不是有效的数字" in page
    assert 'value="abc"' in page and "不应保存" in page  # the page keeps what was typed
    e.refresh_from_db()
    assert store.document_of(e) == before and e.goal == ""


def test_a_level_two_outside_its_level_one_is_refused(client, world):
    e = make(world)
    login(client, "finance")
    fields = form_of(client, e)
    fields.update({"ind-1-level1": "满意度指标"})
    page = client.post(f"/selfeval/{e.pk}/save/", fields).content.decode()
    assert "绩效指标第 1 行 · 二级指标：“数量指标”不属于满意度指标" in page
    assert e.indicators.first().level1 == "产出指标"


def test_viewer_sees_read_only_and_is_refused_every_write(client, world):
    e = make(world)
    login(client, "viewer")
    page = client.get(f"/selfeval/{e.pk}/").content.decode()
    assert "全年受理工单数" in page and 'id="read-only"' in page and 'id="save"' not in page
    assert "<fieldset disabled>" in page
    row = e.indicators.exclude(metric="").first()
    for url, data in [(f"/selfeval/{e.pk}/save/", {"unit_name": "改"}), (f"/selfeval/{e.pk}/copy/", {"year": "2026"}),
                      (f"/selfeval/{e.pk}/refresh/", {}), (f"/selfeval/{e.pk}/draft/", {"mode": "all"}),
                      (f"/selfeval/{e.pk}/delete/", {}),
                      (f"/selfeval/{e.pk}/indicators/{row.pk}/override/", {"value": "1", "reason": "x"})]:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "无权" in response.content.decode()
    assert client.get(f"/selfeval/{e.pk}/import/").status_code == 403
    assert client.post("/selfeval/new/", {"unit_name": "x", "year": "2025", "kind": "department",
                                          "template": "standard"}).status_code == 403
    assert Evaluation.objects.count() == 1 and not ActualChange.objects.exists()
    assert client.get(f"/selfeval/{e.pk}/check/").status_code == 200


def test_list_shows_only_visible_evaluations(client, world):
    from tests import factories as f

    mine = actions.do_create(world.finance, "望月湖街道办事处", 2025, "department", "", "standard", unit=world.unit_a)
    other = actions.do_create(world.finance, "莲花镇人民政府", 2025, "department", "", "standard", unit=world.unit_b)
    clerk = f.UserFactory(username="clerk_a")
    f.GrantFactory(user=clerk, role="finance_officer", unit=world.unit_a)
    login(client, "clerk_a")
    page = client.get("/selfeval/").content.decode()
    assert "望月湖街道办事处" in page and "莲花镇人民政府" not in page
    assert client.get(f"/selfeval/{mine.pk}/").status_code == 200
    assert client.get(f"/selfeval/{other.pk}/").status_code == 404
    client.post("/selfeval/new/", {"unit_name": "望月湖街道办事处", "year": "2026", "kind": "department",
                                   "template": "standard"})
    assert Evaluation.objects.get(year=2026).unit == world.unit_a  # a unit clerk's evaluation belongs to the unit
    client.logout()
    login(client, "finance")
    page = client.get("/selfeval/").content.decode()
    assert "望月湖街道办事处" in page and "莲花镇人民政府" in page


def test_override_requires_a_reason_and_appears_in_the_history(client, world):
    e = make(world)
    row = e.indicators.get(metric="received")
    login(client, "finance")
    panel = client.get(f"/selfeval/{e.pk}/live/").content.decode()
    assert "全年受理工单数" in panel and "/figures/tickets/" in panel  # the link to the tickets behind the figure
    assert "override-form" in panel

    page = client.post(f"/selfeval/{e.pk}/indicators/{row.pk}/override/", {"value": "81234", "reason": " "},
                       follow=True).content.decode()
    assert "人工修正实际完成值须填写理由" in page
    row.refresh_from_db()
    assert row.actual is None and not row.changes.exists()

    page = client.post(f"/selfeval/{e.pk}/indicators/{row.pk}/override/",
                       {"value": "81234", "reason": "含线下受理的纸质登记件"}, follow=True).content.decode()
    assert "已修正" in page
    row.refresh_from_db()
    assert row.actual == Decimal(81234) and row.overridden
    panel = client.get(f"/selfeval/{e.pk}/live/").content.decode()
    assert "含线下受理的纸质登记件" in panel and "人工修正" in panel and "81234" in panel

    page = client.post(f"/selfeval/{e.pk}/indicators/{row.pk}/restore/", follow=True).content.decode()
    assert "已恢复按平台数据计算" in page
    assert row.changes.count() == 2


def test_refresh_fills_the_bound_actuals(client, world):
    e = make(world)
    login(client, "finance")
    page = client.post(f"/selfeval/{e.pk}/refresh/", follow=True).content.decode()
    assert "已刷新平台数据" in page
    assert ActualChange.objects.filter(indicator__evaluation=e, source="metric").exists()


def test_draft_fills_empty_sections_only_unless_all(client, world):
    e = make(world)
    data = store.document_of(e)
    data.sections = {"basic": "自己写的基本情况"}
    actions.do_save(world.finance, e, data)
    login(client, "finance")
    page = client.post(f"/selfeval/{e.pk}/draft/", {"mode": "empty"}, follow=True).content.decode()
    assert "已按数据起草" in page
    e.refresh_from_db()
    sections = e.sections
    assert sections["basic"] == "自己写的基本情况" and sections.get("performance")
    client.post(f"/selfeval/{e.pk}/draft/", {"mode": "all"})
    e.refresh_from_db()
    assert e.sections["basic"] != "自己写的基本情况"


def problem_rows(page: str) -> list[dict]:
    """The check page's rows of #problems: code, severity, place and message as rendered."""
    table = page[page.index('id="problems"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<tr class="[^"]*" data-code="([^"]*)" data-severity="([^"]*)">\s*<td>\d+</td>\s*<td>.*?</td>'
                      r'\s*<td>(.*?)</td>\s*<td[^>]*>(.*?)</td>', table, re.S)
    return [{"code": c, "severity": s, "place": html.unescape(p), "message": html.unescape(m)} for c, s, p, m in rows]


def test_check_page_lists_a_planted_problem(client, world):
    e = make(world, template="standard")
    data = store.document_of(e)
    assert data.indicators[0].weight == Decimal(15)
    data.indicators[0].name, data.indicators[0].score = "开展网格巡查", Decimal(20)  # weight 15: above its weight
    actions.do_save(world.finance, e, data)
    login(client, "finance")
    page = client.get(f"/selfeval/{e.pk}/check/").content.decode()
    over = [r for r in problem_rows(page) if r["code"] == "tree.score_over_weight"]
    assert over == [{"code": "tree.score_over_weight", "severity": "error",
                     "place": "部门整体支出绩效自评表 · 绩效指标 · 第1行（开展网格巡查） · 得分",
                     "message": "得分 20 超过分值 15"}]


def test_check_page_shows_place_and_message_in_red_for_errors(client, world, monkeypatch):
    e = make(world)
    monkeypatch.setattr(checks, "check", lambda data: [
        checks.Problem("sum", "error", "部门整体支出绩效自评表 · 资金 · 全年执行数", "各项之和 290.32 与合计 209.32 不符"),
        checks.Problem("reason", "warning", "部门整体支出绩效自评表 · 指标 3", "得分未满分，建议说明偏差原因")])
    login(client, "viewer")
    page = client.get(f"/selfeval/{e.pk}/check/").content.decode()
    assert "部门整体支出绩效自评表 · 资金 · 全年执行数" in page and "各项之和 290.32 与合计 209.32 不符" in page
    assert 'data-severity="error"' in page and "table-danger" in page and "table-warning" in page
    assert "<strong class=\"text-danger\">1</strong> 处错误" in page


def test_export_returns_real_xlsx_and_docx(client, world):
    e = make(world)
    login(client, "viewer")
    response = client.get(f"/selfeval/{e.pk}/export/xlsx/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and disposition.isascii() and ".xlsx" in disposition
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert any("全年受理工单数" in str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)

    response = client.get(f"/selfeval/{e.pk}/export/docx/")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response["Content-Disposition"].isascii() and ".docx" in response["Content-Disposition"]
    assert Document(io.BytesIO(response.content)).paragraphs
    assert client.get(f"/selfeval/{e.pk}/export/exe/").status_code == 404


def test_import_of_a_bad_file_lists_the_cells_and_changes_nothing(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    e = make(world)
    login(client, "finance")
    fields = form_of(client, e)
    fields.update({"fund-total-budget": "400", "fund-total-executed": "371.76"})
    client.post(f"/selfeval/{e.pk}/save/", fields)
    e.refresh_from_db()
    before = store.document_of(e)
    wb = openpyxl.load_workbook(io.BytesIO(client.get(f"/selfeval/{e.pk}/export/xlsx/").content))
    ws = next(ws for ws in wb.worksheets if "自评表" in ws.title)
    label = next(c for row in ws.iter_rows() for c in row if c.value == "年度资金总额")
    budget = next(c for c in ws[label.row] if c.value == 400)  # 全年预算数
    budget.value = "abc"
    buffer = io.BytesIO()
    wb.save(buffer)
    upload = f"/selfeval/{e.pk}/import/upload/"
    response = client.post(upload, {"file": SimpleUploadedFile("selfeval.xlsx", buffer.getvalue())})
    page = response.content.decode()
    assert response.status_code == 422 and "未导入" in page and 'id="cell-errors"' in page
    assert f"<td>{budget.coordinate}</td>" in page and ws.title in page
    e.refresh_from_db()
    assert store.document_of(e) == before

    page = client.post(upload, {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")}).content.decode()
    assert "未导入" in page and "无法以 .xlsx 格式打开文件" in page
    page = client.post(upload, {"file": SimpleUploadedFile("x.csv", b"a,b")}).content.decode()
    assert "只能导入 .xlsx 文件" in page


def test_import_of_the_exported_file_round_trips(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = seed001()  # report sections and two project evaluations; one of them with its own report too
    data.children[0].sections = {"basic": "城乡帮困项目的基本情况。", "measures": "下一步建议。"}
    e = actions.do_save(world.finance, Evaluation(), data)
    before = store.document_of(e)
    assert before == data and before.sections and len(before.children) == 2
    login(client, "finance")
    exported = client.get(f"/selfeval/{e.pk}/export/xlsx/").content
    response = client.post(f"/selfeval/{e.pk}/import/upload/", {"file": SimpleUploadedFile("t.xlsx", exported)})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == f"/selfeval/{e.pk}/"
    e.refresh_from_db()
    assert store.document_of(e) == before


def test_import_is_a_post_only_write_behind_a_get_form(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    e = make(world)
    login(client, "finance")
    page = client.get(f"/selfeval/{e.pk}/import/").content.decode()
    assert f'action="/selfeval/{e.pk}/import/upload/"' in page and 'id="import-form"' in page
    assert client.post(f"/selfeval/{e.pk}/import/", {"file": SimpleUploadedFile("t.xlsx", b"x")}).status_code == 405
    assert client.get(f"/selfeval/{e.pk}/import/upload/").status_code == 405
    client.logout()
    login(client, "viewer")
    exported = client.get(f"/selfeval/{e.pk}/export/xlsx/").content
    response = client.post(f"/selfeval/{e.pk}/import/upload/", {"file": SimpleUploadedFile("t.xlsx", exported)})
    assert response.status_code == 403 and "无权" in response.content.decode()
    client.logout()
    login(client, "outsider")
    response = client.post(f"/selfeval/{e.pk}/import/upload/", {"file": SimpleUploadedFile("t.xlsx", exported)})
    assert response.status_code == 404
    assert client.get(f"/selfeval/{e.pk}/import/").status_code == 404


def test_renaming_a_bound_indicator_in_the_form_keeps_its_override_and_history(client, world):
    e = make(world)
    row = e.indicators.get(metric="received")
    actions.do_override_actual(world.finance, row, "84395", "含市平台直派工单")
    login(client, "finance")
    fields = form_of(client, e)
    assert fields["ind-1-key"] == str(row.pk)
    fields.update({"ind-1-name": "全年受理群众诉求工单数", "ind-1-actual": "1件"})  # a posted bound actual is not taken
    client.post(f"/selfeval/{e.pk}/save/", fields)
    row.refresh_from_db()
    assert (row.name, row.actual, row.overridden, row.changes.count()) == ("全年受理群众诉求工单数", 84395, True, 1)


def test_a_units_officer_creates_under_their_own_units_name(client, world):
    from tests.factories import GrantFactory, UserFactory

    officer = UserFactory(username="street_finance", password="pass-12345")
    GrantFactory(user=officer, role="finance_officer", unit=world.unit_a)
    login(client, "street_finance")
    client.post("/selfeval/new/", {"unit_name": "区网格化中心", "year": "2025", "kind": "department",
                                   "project_name": "", "template": "standard"})
    created = Evaluation.objects.get()
    assert (created.unit_name, created.unit) == ("望月湖街道办事处", world.unit_a)
