"""The whole loop of a ticket, clicked through the workbench by six people in headless Chromium:
operator creates → dispatcher dispatches → unit handler signs and reports → dispatcher closes →
operator's callback says 不满意 → investigator opens an investigation and finds the handling unit 有责."""

import re

import pytest
from playwright.sync_api import expect

from gridgov.callbacks.models import Callback, Investigation
from gridgov.tickets.models import Ticket

pytestmark = pytest.mark.browser

TITLE = "金茂社区夜间施工噪音扰民"


def fill_form(form, fields: dict) -> None:
    """Fill a form's fields by name: a <select> by option value (or its visible label), anything else by typing."""
    for name, value in fields.items():
        field = form.locator(f"[name='{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            values = field.locator("option").evaluate_all("os => os.map(o => [o.value, o.textContent.trim()])")
            wanted = next((v for v, label in values if str(value) in (v, label)), None)
            assert wanted is not None, f"{name}: no option {value!r} among {values}"
            field.select_option(wanted)
        else:
            field.fill(str(value))


def act(page, verb: str, fields: dict | None = None, *, target=None) -> None:
    """Take one action on the ticket page: press #act-<verb>[-<target>], fill the form it opens, submit it.

    `target` is the id of the object the action works on (the assignment for sign/report, the investigation
    for conclude_investigation), as in the ids documented in gridgov/web/views/detail.py."""
    suffix = f"{verb}-{target}" if target is not None else verb
    button = page.locator(f"#actions #act-{suffix}")
    assert button.count() == 1, f"no #act-{suffix} on {page.url}; actions here: {action_ids(page)}"
    button.click()
    # Bootstrap's collapse animates the form open; wait until it is fully shown, not merely visible.
    form = page.locator(f"#form-{suffix}.collapse.show")
    form.wait_for()
    fill_form(form, fields or {})
    with page.expect_navigation():
        form.locator(".btn-submit").click()


def action_ids(page) -> list[str]:
    return page.locator("[id^='act-']").evaluate_all("bs => bs.map(b => b.id)")


def expect_ok(page, message: str, state_label: str) -> None:
    """The page answers with the action's Chinese success message and shows the ticket in `state_label`."""
    refused = page.locator("main .alert-danger").all_inner_texts()
    assert not refused, f"refused on {page.url}: {refused}"
    assert message in " ".join(page.locator("main .alert-success").all_inner_texts()), \
        f"no success message {message!r} on {page.url}:\n{page.inner_text('main')[:500]}"
    assert page.inner_text("#ticket-state").strip() == state_label


def open_from_inbox(page, inbox_key: str, number: str) -> None:
    """Open an inbox from the left menu and the ticket from its row."""
    page.locator(f"#menu a[href$='/inbox/{inbox_key}/']").click()
    page.wait_for_url(f"**/inbox/{inbox_key}/")
    page.locator("table.gg-table").get_by_role("link", name=number, exact=True).click()
    page.wait_for_url(re.compile(r"/tickets/\d+/$"))
    assert number in page.inner_text("main")


def test_the_whole_loop_through_the_ui(bworld, login):
    w = bworld

    # 1. The hotline operator registers the call on the creation page.
    page = login(w.operator)
    page.get_by_role("link", name="受理登记").click()
    page.locator("#create-form").wait_for()
    page.select_option("#id_channel", "h12345")
    page.fill("#category-search", "噪音")
    page.locator('.category-option[data-code="010101"]').click()
    expect(page.locator("#category-chosen")).to_contain_text("噪音扰民")
    page.fill("#id_title", TITLE)
    page.fill("#id_description", "每晚十点后仍有工地施工，噪音很大，影响休息。")
    page.fill("#id_citizen_name", "张三")
    page.fill("#id_citizen_phone", "13800001234")
    page.fill("#id_address", "金茂社区3栋")
    place_point(page, 0.5, 0.5)  # inside 金茂第1网格 of the test district
    # The routing suggestion before submitting: the grid's street office, and why.
    expect(page.locator("#route-preview .route-lead")).to_have_text(w.unit_a.name)
    expect(page.locator("#route-preview .route-reason")).to_contain_text(w.grid_a1.name)
    with page.expect_navigation():
        page.click("#create-submit")
    expect_ok(page, "已受理", "待派单")
    ticket = Ticket.objects.get(title=TITLE)
    assert ticket.area_id == w.grid_a1.code and ticket.created_by_id == w.operator.pk
    assert ticket.number in page.inner_text("main")

    # 2. The dispatcher finds it in 待派单 and dispatches it to the suggested unit.
    page = login(w.dispatcher)
    open_from_inbox(page, "to_dispatch", ticket.number)
    lead = page.locator("#form-dispatch select[name=lead_unit_id] option:checked")
    assert lead.inner_text().strip() == w.unit_a.name  # the suggested unit is preselected
    act(page, "dispatch", {"note": "请按时签收办理"})
    expect_ok(page, "已派单", "待签收")
    assignment = ticket.assignments.get()
    assert assignment.unit_id == w.unit_a.pk

    # 3. The unit's handler signs for it and reports the result.
    page = login(w.handler_a)
    open_from_inbox(page, "to_sign", ticket.number)
    act(page, "sign", target=assignment.pk)
    expect_ok(page, "已签收", "办理中")
    act(page, "report", {"result": "已约谈施工单位，夜间22点后停止施工，现场复核无噪音。"}, target=assignment.pk)
    expect_ok(page, "已提交办理反馈", "待结案")

    # 4. The dispatcher checks and closes it.
    page = login(w.dispatcher)
    open_from_inbox(page, "to_close", ticket.number)
    act(page, "close", {"note": "反馈属实，予以结案"})
    expect_ok(page, "已结案", "已结案")

    # 5. The operator calls the citizen back: unsatisfied.
    page = login(w.operator)
    open_from_inbox(page, "to_callback", ticket.number)
    act(page, "callback", {"method": "电话", "answered": "true", "satisfaction": "不满意", "resolved": "未解决", "note": "群众表示仍有噪音"})
    expect_ok(page, "已记录回访", "已结案")
    assert "不满意" in page.inner_text("#callbacks")

    # 6. The investigator opens an investigation and finds the handling unit responsible.
    page = login(w.investigator)
    open_from_inbox(page, "to_investigate", ticket.number)
    act(page, "open_investigation", {"note": "核查施工噪音处置情况"})
    expect_ok(page, "已发起调查", "已结案")
    investigation = Investigation.objects.get(ticket=ticket)
    act(page, "conclude_investigation", {"finding": "有责", "responsible_unit_id": w.unit_a.name, "deduction_points": "2",
                                         "note": "未彻底整改，群众仍反映噪音"}, target=investigation.pk)
    expect_ok(page, "已完成责任认定", "已结案")
    row = page.inner_text("#investigations")
    assert "有责" in row and w.unit_a.name in row

    # The database agrees with what the pages said.
    ticket.refresh_from_db()
    investigation.refresh_from_db()
    assert ticket.state == "closed" and ticket.closed_at is not None
    assert Callback.objects.get(ticket=ticket).satisfaction == Callback.Satisfaction.UNSATISFIED
    assert investigation.state == Investigation.State.CONCLUDED
    assert investigation.finding == Investigation.Finding.RESPONSIBLE and investigation.responsible_unit_id == w.unit_a.pk
    assert list(ticket.events.values_list("verb", flat=True)) == [
        "receive", "dispatch", "sign", "report", "close", "callback", "open_investigation", "conclude_investigation"]


def place_point(page, lon: float, lat: float) -> None:
    """Click the creation map exactly where (lon, lat) is.

    The map has no tiles and fits the district's polygons, so two calibration clicks tell how pixels map to
    degrees (Web Mercator is linear to well under a pixel over a district); the third click places the point."""
    canvas = page.locator("#create-map")
    canvas.locator("path.leaflet-interactive").first.wait_for()
    page.wait_for_load_state("networkidle")
    box = canvas.bounding_box()

    def click(x: float, y: float) -> tuple[float, float]:
        before = page.input_value("#id_lon"), page.input_value("#id_lat")
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_function("([x, y]) => document.getElementById('id_lon').value !== x || document.getElementById('id_lat').value !== y",
                               arg=list(before))
        page.wait_for_timeout(400)  # two clicks in quick succession would be a double-click (zoom)
        return float(page.input_value("#id_lon")), float(page.input_value("#id_lat"))

    (x1, y1), (x2, y2) = (box["width"] * 0.3, box["height"] * 0.3), (box["width"] * 0.7, box["height"] * 0.7)
    (lon1, lat1), (lon2, lat2) = click(x1, y1), click(x2, y2)
    x = x1 + (lon - lon1) * (x2 - x1) / (lon2 - lon1)
    y = y1 + (lat - lat1) * (y2 - y1) / (lat2 - lat1)
    got_lon, got_lat = click(x, y)
    assert abs(got_lon - lon) < 0.05 and abs(got_lat - lat) < 0.05, (got_lon, got_lat)
    assert "经度" in page.inner_text("#point-text")
