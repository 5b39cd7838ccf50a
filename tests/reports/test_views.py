"""The download page: only users who may see figures, and the right file type."""

from io import BytesIO

import pytest
from docx import Document
from openpyxl import load_workbook

from gridgov.audit.models import AuditLog
from gridgov.reports.access import figures_permission

pytestmark = pytest.mark.django_db
URL = "/reports/"
MONTHLY = {"kind": "monthly", "month": "2026-05", "area": "430104", "format": "docx"}


def login(client, user):
    client.force_login(user)
    return client


def test_the_form_lists_the_areas_the_user_may_report_on(client, month):
    page = login(client, month.w.dispatcher).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "通报与报告" in html and 'value="430104"' in html and 'value="430104001"' in html and "生成并下载" in html


def test_dispatcher_downloads_the_monthly_docx(client, month):
    r = login(client, month.w.dispatcher).get(URL, MONTHLY)
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert r["Content-Disposition"] == 'attachment; filename="monthly-2026-05-430104.docx"'
    assert Document(BytesIO(r.content)).paragraphs[0].text == "岳麓区网格化综合服务中心 2026年5月工作通报"
    entry = AuditLog.objects.get(action="report.download")
    assert entry.actor == month.w.dispatcher and entry.detail == {"file": "monthly-2026-05-430104.docx"}


def test_leadership_downloads_the_analysis_xlsx(client, month):
    r = login(client, month.w.viewer).get(URL, {"kind": "analysis", "period": "2026-Q2", "area": "430104", "format": "xlsx"})
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "口径说明" in load_workbook(BytesIO(r.content)).sheetnames


@pytest.mark.parametrize("persona", ["handler_a", "leader_a", "handler_city", "outsider", "grid_worker"])
def test_users_who_may_not_see_district_figures_are_refused(client, month, persona):
    r = login(client, getattr(month.w, persona)).get(URL, MONTHLY)
    assert r.status_code == 403
    assert "无权查看通报与报告" in r.content.decode()


def test_an_area_grant_reports_on_its_area_only(client, month):
    from tests import factories as f

    street_leader = f.UserFactory(username="street_leader")
    f.GrantFactory(user=street_leader, role="grid_leader", area=month.w.street_a)
    c = login(client, street_leader)
    assert c.get(URL, {**MONTHLY, "area": month.w.street_a.code}).status_code == 200
    # The district is not among the choices: the form refuses it rather than leaking district figures.
    r = c.get(URL, MONTHLY)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html") and "430104102" not in r.content.decode()


def test_anonymous_users_are_sent_to_log_in(client, month):
    r = client.get(URL, MONTHLY)
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_a_bad_month_shows_the_form_with_a_chinese_error(client, month):
    r = login(client, month.w.dispatcher).get(URL, {**MONTHLY, "month": "2026-13"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")
    assert "月份格式应为 YYYY-MM" in r.content.decode()


def test_the_permission_used_is_figures_view():
    assert figures_permission() == "figures.view"


def test_the_tools_menu_links_the_page(client, month):
    assert 'href="/reports/"' in login(client, month.w.viewer).get(URL).content.decode()
