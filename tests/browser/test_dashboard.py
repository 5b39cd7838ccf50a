"""In the browser: the 数据看板 draws its ECharts charts and the grid heat map from local files only, its numbers open
the tickets behind them, and the 大屏 renders dark and full screen."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from gridgov.core import clock
from gridgov.tickets import actions

pytestmark = pytest.mark.browser
CHARTS = ("#chart-trend", "#chart-channel", "#chart-pareto", "#chart-satisfaction")


def _tickets(w):
    """Three tickets this month in 望月湖街道 and 莲花镇; one closed with a satisfied callback."""
    now = clock.now()

    def make(title, category, lon, lat):
        return actions.do_receive(w.operator, channel="h12345", category=category, title=title, description="群众来电反映", lon=lon, lat=lat,
                                  now=now - timedelta(minutes=30))

    done = make("噪音扰民", w.cat_noise.code, 0.5, 0.5)
    make("道路破损", w.cat_road.code, 0.5, 1.5)
    make("拖欠工资", w.cat_wages.code, 3.0, 1.0)
    actions.do_dispatch(w.dispatcher, done.pk, lead_unit_id=w.unit_a.pk, now=now - timedelta(minutes=25))
    a = done.assignments.get()
    actions.do_sign(w.handler_a, done.pk, assignment_id=a.pk, now=now - timedelta(minutes=20))
    actions.do_report(w.handler_a, done.pk, assignment_id=a.pk, result="已处理", now=now - timedelta(minutes=15))
    actions.do_close(w.dispatcher, done.pk, now=now - timedelta(minutes=10))
    actions.do_callback(w.operator, done.pk, method="phone", satisfaction="satisfied", resolved=True, now=now - timedelta(minutes=5))


def test_dashboard_draws_charts_and_map_locally_and_links_to_tickets(bworld, login):
    _tickets(bworld)
    page = login(bworld.dispatcher)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.locator("#menu a", has_text="数据看板").click()
    page.wait_for_url("**/dashboard/")
    for chart in CHARTS:
        expect(page.locator(f"{chart} canvas").first).to_be_attached()
    expect(page.locator("#heat-map")).to_have_attribute("data-features", "2")  # the district's two streets
    expect(page.locator("#heat-map path.leaflet-interactive")).to_have_count(2)
    expect(page.locator("#fig-received .fs-4")).to_have_text("3")

    page.locator("#fig-satisfaction_rate a[data-part=denominator]").click()
    page.wait_for_url("**/figures/tickets/**")
    expect(page.locator("#figure-title")).to_contain_text("满意率的分母：有效回访工单")
    expect(page.locator("#figure-count")).to_have_text("1")
    expect(page.locator("table.gg-table tbody tr")).to_have_count(1)

    page.goto("/dashboard/screen/")
    assert page.locator("body").get_attribute("data-theme") == "dark"
    assert page.locator("#menu").count() == 0
    for chart in ("#chart-trend", "#chart-channel", "#chart-pareto"):
        expect(page.locator(f"{chart} canvas").first).to_be_attached()
    expect(page.locator("#heat-map path.leaflet-interactive")).to_have_count(2)
    assert re.fullmatch(r"\d+", page.locator("#overdue-now b").inner_text())
    assert not errors, errors
