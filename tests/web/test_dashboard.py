"""数据看板, 大屏 and the tickets behind a figure: access by persona, area scope, figures equal to metrics.figures, list counts."""

import json
import re
from datetime import timedelta

import pytest

from gridgov.metrics.compute import Scope, breakdown, figures
from gridgov.metrics.definitions import ASSIGNMENT_COUNTERS, BASES
from gridgov.metrics.periods import Period
from gridgov.tickets import actions
from tests.conftest import MONDAY_10AM, freeze_clock

MARCH = Period.month(2026, 3)
LATER = MONDAY_10AM + timedelta(days=30)  # past every handling limit of the open tickets


@pytest.fixture
def tickets(world, monkeypatch):
    """March 2026: a closed satisfied ticket, a joint closed unsatisfied one, one overdue with a department, one not dispatched."""
    w = world
    clock = freeze_clock(monkeypatch)
    at = MONDAY_10AM

    def make(title, category, lon, lat):
        return actions.do_receive(w.operator, channel="h12345", category=category, title=title, description="描述", lon=lon, lat=lat, now=at)

    def close(t, handlers, satisfaction, resolved):
        for a in t.assignments.all():
            actions.do_sign(handlers[a.unit_id], t.pk, assignment_id=a.pk, now=at + timedelta(minutes=10))
        for a in t.assignments.all():
            actions.do_report(handlers[a.unit_id], t.pk, assignment_id=a.pk, result="已处理", now=at + timedelta(hours=2))
        actions.do_close(w.dispatcher, t.pk, now=at + timedelta(hours=3))
        actions.do_callback(w.operator, t.pk, method="phone", satisfaction=satisfaction, resolved=resolved, now=at + timedelta(hours=4))

    handlers = {w.unit_a.pk: w.handler_a, w.dept_city.pk: w.handler_city, w.dept_labour.pk: w.handler_labour}
    satisfied = make("噪音已处理", w.cat_noise.code, 0.5, 0.5)  # 金茂第1网格
    actions.do_dispatch(w.dispatcher, satisfied.pk, lead_unit_id=w.unit_a.pk, now=at)
    close(satisfied, handlers, "satisfied", True)
    joint = make("道路破损", w.cat_road.code, 0.5, 1.5)  # 金茂第2网格; street office leads, 城管 supports
    actions.do_dispatch(w.dispatcher, joint.pk, lead_unit_id=w.unit_a.pk, support_unit_ids=[w.dept_city.pk], now=at)
    close(joint, handlers, "unsatisfied", False)
    late = make("拖欠工资", w.cat_wages.code, 3.0, 1.0)  # 莲花镇
    actions.do_dispatch(w.dispatcher, late.pk, lead_unit_id=w.dept_labour.pk, now=at)
    fresh = make("新噪音", w.cat_noise.code, 0.3, 0.3)  # 金茂第1网格, not dispatched
    clock.at = LATER
    return {"satisfied": satisfied, "joint": joint, "late": late, "fresh": fresh}


def dashboard(client, **params):
    return client.get("/dashboard/", {"period": "2026-03", **params})


def listed(client, **params):
    """The count the figure's ticket list shows in its header."""
    response = client.get("/figures/tickets/", {"period": "2026-03", **params})
    assert response.status_code == 200, response.content.decode()[:500]
    return int(re.search(r'id="figure-count">(\d+)<', response.content.decode())[1]), response


# --- access ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["dispatcher", "operator", "viewer", "investigator", "grid_worker", "leader_a", "admin"])
def test_figure_roles_see_the_dashboard_and_the_menu_entry(client, world, tickets, persona):
    client.force_login(getattr(world, persona))
    response = dashboard(client)
    assert response.status_code == 200
    page = response.content.decode()
    assert "数据看板" in page and 'href="/dashboard/"' in page and "/dashboard/screen/" in page
    assert "vendor/echarts/echarts.min.js" in page
    assert client.get("/dashboard/screen/").status_code == 200


@pytest.mark.parametrize("persona", ["handler_a", "outsider"])
def test_others_are_refused(client, world, tickets, persona):
    client.force_login(getattr(world, persona))
    for url in ("/dashboard/", "/dashboard/screen/", "/figures/tickets/?m=received"):
        assert client.get(url).status_code == 403
    assert 'href="/dashboard/"' not in client.get("/inbox/all/").content.decode()


def test_login_required(client, world):
    assert client.get("/dashboard/")["Location"].startswith("/login/")
    assert client.get("/figures/tickets/?m=received")["Location"].startswith("/login/")


# --- scope -----------------------------------------------------------------------------------------

def test_grid_worker_sees_their_grid_only(client, world, tickets):
    client.force_login(world.grid_worker)
    response = dashboard(client)
    assert response.context["scope"] == Scope(area=world.grid_a1.code)
    cards = {c["code"]: c for c in response.context["cards"]}
    assert cards["received"]["value"] == 2  # 噪音已处理 and 新噪音; not the joint ticket in grid 2
    assert [v for v, _ in response.context["area_options"]] == [world.grid_a1.code]
    for other in (world.grid_b1.code, world.community_a1.code, world.district.code):
        assert dashboard(client, area=other).status_code == 404
        assert client.get("/figures/tickets/", {"period": "2026-03", "m": "received", "area": other}).status_code == 404
        assert client.get("/dashboard/screen/", {"area": other}).status_code == 404
    count, _ = listed(client, m="received")
    assert count == 2


def test_dispatcher_defaults_to_the_whole_district_and_may_narrow(client, world, tickets):
    client.force_login(world.dispatcher)
    assert dashboard(client).context["scope"] == Scope()
    narrowed = dashboard(client, area=world.street_a.code)
    assert narrowed.context["scope"] == Scope(area=world.street_a.code)
    assert {a["code"] for a in narrowed.context["heat"]["areas"]} == {"430104001001", "430104001002"}  # its communities


def test_unit_leader_sees_their_unit(client, world, tickets):
    client.force_login(world.leader_a)
    response = dashboard(client)
    assert response.context["scope"] == Scope(unit=world.unit_a.pk)
    assert response.context["heat"] is None
    assert [u["key"] for u in response.context["league"]] == [str(world.unit_a.pk)]
    assert dashboard(client, unit=world.dept_city.pk).status_code == 404


# --- figures are metrics.figures -------------------------------------------------------------------

def test_cards_equal_figures(client, world, tickets):
    client.force_login(world.dispatcher)
    page = dashboard(client, area=world.street_a.code).content.decode()
    expected = figures(MARCH, Scope(area=world.street_a.code))
    for code in ("received", "close_rate", "ontime_close_rate", "satisfaction_rate", "resolution_rate", "response_rate",
                 "three_rates", "unsatisfied", "overdue_open"):
        fig = expected[code]
        card = re.search(rf'data-figure="{code}"\s+data-value="([^"]*)" data-numerator="([^"]*)" data-denominator="([^"]*)"', page)
        assert card, code
        assert card[1] == ("" if fig.value is None else str(fig.value)), code
        assert card[2] == str(fig.numerator) and card[3] == ("" if fig.denominator is None else str(fig.denominator)), code
        assert fig.display in page
        assert fig.base in page
    assert expected["received"].value == 3 and expected["satisfaction_rate"].display == "50.00%"


def test_charts_and_league_equal_breakdowns(client, world, tickets):
    client.force_login(world.dispatcher)
    response = dashboard(client)
    data = json.loads(re.search(r'<script id="dash-data" type="application/json">(.*?)</script>', response.content.decode(), re.S)[1])
    assert sum(p["received"] for p in data["trend"]["points"]) == 4 and len(data["trend"]["points"]) == 31
    assert [(c["name"], c["value"]) for c in data["channels"]] == [("12345热线", 4)]
    assert [(r["name"], r["value"], r["cumulative"]) for r in data["pareto"]] == [("城市管理", 3, 75.0), ("劳资纠纷", 1, 100.0)]
    streets = {a["code"]: a["received"] for a in data["heat"]["areas"]}
    assert streets == {r.key: r.figures["received"].value for r in breakdown(MARCH, "street")} == {world.street_a.code: 3, world.street_b.code: 1}
    assert data["heat"]["areas_url"] == "/map/areas.json"
    march = [p for p in data["satisfaction"] if p["label"] == "2026-03"][0]
    assert march["value"] == 50.0 and len(data["satisfaction"]) == 12
    league = response.context["league"]
    units = {r.key: r.figures for r in breakdown(MARCH, "unit", codes=["three_rates", "received"])}
    assert [u["key"] for u in league] == sorted(
        [u["key"] for u in league], key=lambda k: (units[k]["three_rates"].value is None, -(units[k]["three_rates"].value or 0)))
    assert {u["key"] for u in league} == {str(world.unit_a.pk), str(world.dept_city.pk), str(world.dept_labour.pk)}


def test_overdue_now_counts_every_open_late_ticket(client, world, tickets):
    client.force_login(world.dispatcher)
    response = dashboard(client)
    assert response.context["overdue"]["value"] == 1
    count, _ = listed(client, **dict(p.split("=") for p in response.context["overdue"]["url"].split("?")[1].split("&")))
    assert count == 1


# --- the tickets behind a figure -------------------------------------------------------------------

@pytest.mark.parametrize("code", ["received", "close_rate", "ontime_close_rate", "satisfaction_rate", "resolution_rate",
                                  "unsatisfied", "overdue_open", "callback_rate"])
def test_list_counts_equal_numerator_and_denominator(client, world, tickets, code):
    client.force_login(world.dispatcher)
    for scope, params in ((Scope(), {}), (Scope(area=world.street_a.code), {"area": world.street_a.code})):
        fig = figures(MARCH, scope, codes=[code])[code]
        assert listed(client, m=code, **params)[0] == fig.numerator
        if fig.denominator is not None:
            assert listed(client, m=code, part="denominator", **params)[0] == fig.denominator


def test_unit_list_counts_equal_the_unit_figures(client, world, tickets):
    client.force_login(world.dispatcher)
    scope = Scope(unit=world.dept_city.pk)
    figs = figures(MARCH, scope, codes=["received", "satisfaction_rate", "response_rate"])
    assert listed(client, m="received", unit=world.dept_city.pk)[0] == figs["received"].numerator == 1
    assert listed(client, m="satisfaction_rate", part="denominator", unit=world.dept_city.pk)[0] == figs["satisfaction_rate"].denominator
    assert listed(client, m="response_rate", part="denominator", unit=world.dept_city.pk)[0] == figs["response_rate"].denominator


def test_list_header_names_the_figure_and_its_base(client, world, tickets):
    client.force_login(world.dispatcher)
    _, response = listed(client, m="satisfaction_rate", part="denominator")
    page = response.content.decode()
    assert f"2026年3月 · 全区 · 满意率的分母：有效回访工单（{BASES['ticket']}）· 共 <span id=\"figure-count\">2</span> 件" in page
    assert "道路破损" in page and "噪音已处理" in page and "新噪音" not in page
    export = client.get("/figures/tickets/export.xlsx", {"period": "2026-03", "m": "satisfaction_rate", "part": "denominator"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_dashboard_links_lead_to_equal_counts(client, world, tickets):
    """Follow every link of the page's cards and league table: each list holds as many tickets as the number linked."""
    client.force_login(world.dispatcher)
    page = dashboard(client).content.decode()
    links = re.findall(r'<a href="(/figures/tickets/\?[^"]+)" data-part="[a-z]+">(\d+)</a>', page)
    assert len(links) > 20
    for url, number in links:
        response = client.get(url.replace("&amp;", "&"))
        assert response.status_code == 200
        html = response.content.decode()
        counted, counter = re.search(r'data-counted="(\d+)" data-counter="(\w+)"', html).groups()
        assert counted == number, url
        if counter in ASSIGNMENT_COUNTERS:  # assignments, not tickets: the note says how many tickets they are
            assert "该口径统计的是交办记录" in html or re.search(r'id="figure-count">(\d+)<', html)[1] == number
        else:
            assert re.search(r'id="figure-count">(\d+)<', html)[1] == number, url


@pytest.mark.parametrize("params, message", [
    ({"m": "nonsense"}, "未知的指标或统计口径"),
    ({}, "缺少参数 m"),
    ({"m": "received", "part": "denominator"}, "该指标没有对应的工单清单"),
    ({"m": "three_rates"}, "该指标没有对应的工单清单"),
    ({"m": "received", "part": "top"}, "参数 part 只能是"),
    ({"m": "received", "period": "2026-13"}, "无法识别的统计期"),
    ({"m": "received", "period": "2026-05-20..2026-05-01"}, "结束日期不能早于开始日期"),
    ({"m": "received", "basis": "person"}, "参数 basis 只能是"),
    ({"m": "received", "channel": "fax"}, "没有编码为“fax”的渠道"),
    ({"m": "received", "category": "99"}, "没有编码为“99”的事项分类"),
    ({"m": "received", "unit_group": "外星"}, "没有名为“外星”的单位分组"),
    ({"m": "received", "street_group": "Z"}, "没有名为“Z”的街镇分组"),
    ({"m": "received", "ordering": "title"}, "无法按"),
    ({"m": "received", "period": "9999"}, "统计期须在"),
    ({"m": "received", "period": "2026-02-30"}, "无法识别的统计期"),
])
def test_bad_parameters_answer_400_in_chinese(client, world, tickets, params, message):
    client.force_login(world.dispatcher)
    response = client.get("/figures/tickets/", params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_bad_dashboard_period_answers_400(client, world, tickets):
    client.force_login(world.dispatcher)
    response = dashboard(client, period="五月")
    assert response.status_code == 400 and "无法识别的统计期" in response.content.decode()
    assert dashboard(client, area="abc").status_code == 404
    assert dashboard(client, unit="x").status_code == 404
    assert dashboard(client, unit="9" * 30).status_code == 404
    assert client.get("/dashboard/screen/", {"area": "1" * 40}).status_code == 404


def test_other_periods_trend_by_month_and_screen_shows_live_numbers(client, world, tickets):
    client.force_login(world.dispatcher)
    quarter = dashboard(client, period="2026-Q1").context["trend"]
    assert quarter["by"] == "month" and [p["received"] for p in quarter["points"]] == [0, 0, 4]
    custom = dashboard(client, period="2026-03-01..2026-03-15").context["trend"]
    assert custom["by"] == "day" and len(custom["points"]) == 15
    assert [p["label"] for p in dashboard(client, period="2026-04").context["trend"]["points"]] == ["4-01"]  # not the days to come
    screen = client.get("/dashboard/screen/").content.decode()
    assert 'http-equiv="refresh" content="60"' in screen and 'id="menu"' not in screen
    assert re.search(r'id="overdue-now" data-figure="overdue-now"><b>1</b>', screen)
