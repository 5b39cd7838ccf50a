"""In the browser: a ticket outside one's grid looks exactly like a missing one; the .xlsx export holds the filtered rows;
and the request guard of conftest.py really catches a request to another host."""

from types import SimpleNamespace

import openpyxl
import pytest

from gridgov.core import clock
from gridgov.tickets import actions
from gridgov.tickets.models import Ticket
from gridgov.tickets.queries import filter_tickets, inbox

pytestmark = pytest.mark.browser


def _receive(w, title, lon, lat, phone="13800001234"):
    return actions.do_receive(w.operator, channel="h12345", category=w.cat_noise.code, title=title, description=f"{title}：群众来电反映",
                              lon=lon, lat=lat, citizen_phone=phone)


def test_a_ticket_outside_the_grid_answers_like_a_missing_one(bworld, login):
    w = bworld
    mine = _receive(w, "金茂第1网格内的噪音", 0.5, 0.5)
    elsewhere = _receive(w, "桐木村的噪音", 3.0, 1.0)
    missing_id = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000

    page = login(w.grid_worker)
    own = page.goto(f"/tickets/{mine.pk}/")
    assert own.status == 200 and mine.number in page.inner_text("body")

    outside = page.goto(f"/tickets/{elsewhere.pk}/")
    outside_text, outside_html = page.inner_text("body"), outside.text()
    missing = page.goto(f"/tickets/{missing_id}/")
    missing_text, missing_html = page.inner_text("body"), missing.text()
    assert outside.status == missing.status == 404
    assert outside_text == missing_text and "不存在" in outside_text
    assert outside_html == missing_html  # byte for byte, not only what is shown
    assert elsewhere.number not in outside_text and elsewhere.title not in outside_text


def test_the_export_link_downloads_exactly_the_filtered_rows(bworld, login, tmp_path):
    w = bworld
    tickets = [_receive(w, f"噪音扰民第{i}件", 0.5 + i / 10, 0.5) for i in range(5)]
    _receive(w, "桐木村的道路", 3.0, 1.0)
    for t in tickets[:2]:
        actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=w.unit_a.pk)
    a = tickets[0].assignments.get()
    actions.do_sign(w.handler_a, tickets[0].pk, assignment_id=a.pk)

    page = login(w.dispatcher)
    page.goto("/inbox/all/")
    page.check("input[name=state][value=received]")
    page.check("input[name=state][value=dispatched]")
    page.fill("input[name=q]", "噪音扰民")
    page.click("form.gg-filters button[type=submit]")
    page.wait_for_url("**/inbox/all/?*")

    filters = SimpleNamespace(q="噪音扰民", state=["received", "dispatched"], channel=None, category=None, area=None, unit=None,
                              received_from=None, received_to=None, overdue=None)
    now = clock.now()
    expected = list(filter_tickets(w.dispatcher, inbox(w.dispatcher, "all", now), filters, now).values_list("number", flat=True))
    assert len(expected) == 4  # received: 3 of the five, dispatched: 1; the signed one and the other title are out
    assert f"共 {len(expected)} 件" in page.inner_text("main")

    with page.expect_download() as info:
        page.click("#export")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = openpyxl.load_workbook(saved, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "工单编号"
    assert sorted(r[0] for r in rows[1:]) == sorted(expected)
    assert all("13800001234" not in str(cell) for r in rows for cell in r)


def test_the_request_guard_catches_another_host(live_server, new_page, request_log):
    page = new_page()
    page.goto("/login/")
    assert request_log.urls and not request_log.foreign()
    with page.expect_event("requestfailed"):
        page.evaluate("""() => { const i = new Image(); i.src = 'http://cdn.example.invalid/x.png'; document.body.append(i); }""")
    assert request_log.foreign() == ["http://cdn.example.invalid/x.png"]
    request_log.urls.clear()  # the guard did its job; do not fail this test for the planted request
