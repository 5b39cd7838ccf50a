"""In the browser: a finance officer starts a self-evaluation, fills a fund line and an indicator, saves, and the
check page lists what a finance bureau would reject."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from gridgov.selfeval import store
from gridgov.selfeval.models import Evaluation

pytestmark = pytest.mark.browser


def test_finance_creates_fills_saves_and_checks(bworld, login):
    page = login(bworld.finance)
    page.click("#menu a:has-text('绩效自评')")
    page.wait_for_url("**/selfeval/")

    page.fill("#create input[name=unit_name]", "岳麓区网格化服务中心")
    page.fill("#create input[name=year]", "2025")
    page.select_option("#create select[name=template]", "standard")
    page.click("#create button[type=submit]")
    page.wait_for_url("**/selfeval/*/")
    expect(page.locator("h1")).to_contain_text("2025年度岳麓区网格化服务中心部门整体支出绩效自评")
    evaluation = Evaluation.objects.get()

    page.fill("input[name=fund-total-initial]", "400")
    page.fill("input[name=fund-total-budget]", "400")
    page.fill("input[name=fund-total-executed]", "371.76")
    page.click("#add-indicator")
    row = page.locator("#indicator-table tbody tr.ind-row").last
    row.locator("select[name$='-level1']").select_option("效益指标")
    row.locator("select[name$='-level2']").select_option("经济效益指标")
    row.locator("input[name$='-name']").fill("节约资金")
    row.locator("input[name$='-target']").fill("≥20万元")
    row.locator("input[name$='-actual']").fill("28.24万元")
    row.locator("input[name$='-weight']").fill("5")
    row.locator("input[name$='-score']").fill("8")  # above its weight: the check must say so
    page.click("#save")
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    expect(page.locator("#summary")).to_contain_text("92.94%")

    evaluation.refresh_from_db()
    data = store.document_of(evaluation)
    assert data.funds["total"].executed == Decimal("3717600.00")
    assert data.indicators[-1].name == "节约资金" and data.indicators[-1].score == Decimal(8)

    page.click("#check-tab")
    page.wait_for_url("**/check/")
    n = len(data.indicators)  # the planted row is the last one
    over = page.locator("#problems tr[data-code='tree.score_over_weight']")
    expect(over).to_have_count(1)
    expect(over).to_have_attribute("data-severity", "error")
    expect(over.locator("td").nth(2)).to_have_text(f"部门整体支出绩效自评表 · 绩效指标 · 第{n}行（节约资金） · 得分")
    expect(over.locator("td").nth(3)).to_have_text("得分 8 超过分值 5")
