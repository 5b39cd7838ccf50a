"""Login, the role menu with live counts, inbox filters and the .xlsx export."""

import io
from datetime import timedelta

import openpyxl
import pytest

from gridgov.tickets import actions
from gridgov.tickets.models import Ticket
from tests.conftest import MONDAY_10AM


@pytest.fixture
def tickets(world):
    """Three tickets: one waiting for dispatch, one dispatched to unit_a, one closed; times in the past."""
    w = world

    def make(title, **kw):
        return actions.do_receive(w.operator, channel="h12345", category=w.cat_noise.code, title=title, description="描述",
                                  lon=0.5, lat=0.5, citizen_phone="13800001234", now=MONDAY_10AM, **kw)

    waiting, dispatched, closed = make("等待派单"), make("已派单"), make("已结案")
    actions.do_dispatch(w.dispatcher, dispatched.pk, lead_unit_id=w.unit_a.pk, now=MONDAY_10AM)
    actions.do_dispatch(w.dispatcher, closed.pk, lead_unit_id=w.unit_a.pk, now=MONDAY_10AM)
    a = closed.assignments.get()
    actions.do_sign(w.handler_a, closed.pk, assignment_id=a.pk, now=MONDAY_10AM + timedelta(minutes=5))
    actions.do_report(w.handler_a, closed.pk, assignment_id=a.pk, result="已处理", now=MONDAY_10AM + timedelta(hours=1))
    actions.do_close(w.dispatcher, closed.pk, now=MONDAY_10AM + timedelta(hours=2))
    return waiting, dispatched, closed


def test_pages_need_login_and_login_works_in_chinese(client, world):
    assert client.get("/inbox/all/")["Location"].startswith("/login/")
    bad = client.post("/login/", {"username": "dispatcher", "password": "wrong"})
    assert "用户名或密码不正确" in bad.content.decode()
    good = client.post("/login/", {"username": "dispatcher", "password": "pass-12345"})
    assert good.status_code == 302
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/inbox/to_dispatch/"


def test_menu_shows_the_roles_inboxes_with_counts(client, world, tickets):
    client.force_login(world.handler_a)
    page = client.get("/inbox/to_sign/").content.decode()
    assert 'data-inbox="to_sign"' in page and 'data-inbox="to_handle"' in page and 'data-inbox="to_dispatch"' not in page
    assert 'data-inbox="to_sign">1<' in page  # the dispatched ticket waits for unit_a
    assert "望月湖街道办事处" in page  # the user's unit in the header
    client.force_login(world.dispatcher)
    page = client.get("/inbox/to_dispatch/").content.decode()
    assert 'data-inbox="to_dispatch">1<' in page and "等待派单" in page and "已派单" not in page


def test_an_inbox_outside_the_role_is_not_found(client, world):
    client.force_login(world.viewer)
    assert client.get("/inbox/to_sign/").status_code == 404
    assert client.get("/inbox/nonsense/").status_code == 404


def test_filters_and_bad_filters(client, world, tickets):
    client.force_login(world.dispatcher)
    page = client.get("/inbox/all/", {"state": ["closed"]}).content.decode()
    assert "已结案" in page and "等待派单" not in page
    page = client.get("/inbox/all/", {"q": "派单"}).content.decode()
    assert "等待派单" in page and "已派单" in page and "共 2 件" in page
    bad = client.get("/inbox/all/", {"received_from": "2026-03-05", "received_to": "2026-03-01"}).content.decode()
    assert "受理日期起不能晚于受理日期止" in bad and "没有符合条件的工单" in bad


def test_export_holds_exactly_the_filtered_rows(client, world, tickets):
    client.force_login(world.dispatcher)
    response = client.get("/inbox/all/export.xlsx", {"state": ["dispatched", "received"]})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "工单编号"
    expected = set(Ticket.objects.filter(state__in=["dispatched", "received"]).values_list("number", flat=True))
    assert {r[0] for r in rows[1:]} == expected and len(rows) == 3
    assert all("13800001234" not in str(cell) for r in rows for cell in r)  # exports carry no personal data


def test_a_grid_worker_sees_only_their_grid(client, world, tickets):
    outside = actions.do_receive(world.operator, channel="h12345", category=world.cat_noise.code, title="外网格",
                                 description="描述", lon=3, lat=1, now=MONDAY_10AM)
    client.force_login(world.grid_worker)
    page = client.get("/inbox/all/").content.decode()
    assert "等待派单" in page and outside.number not in page


def test_overdue_for_the_centre_is_any_ticket_not_done_past_its_deadline(client, world, monkeypatch):
    from gridgov.core import clock

    w = world
    t = actions.do_receive(w.operator, channel="h12345", category=w.cat_noise.code, title="迟报", description="描述",
                           lon=0.5, lat=0.5, now=MONDAY_10AM)
    actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=w.unit_a.pk, now=MONDAY_10AM)
    a = t.assignments.get()
    actions.do_sign(w.handler_a, t.pk, assignment_id=a.pk, now=MONDAY_10AM)
    actions.do_report(w.handler_a, t.pk, assignment_id=a.pk, result="已处理", now=MONDAY_10AM + timedelta(days=30))
    monkeypatch.setattr(clock, "now", lambda: MONDAY_10AM + timedelta(days=31))
    client.force_login(w.dispatcher)
    assert 'data-inbox="overdue">1<' in client.get("/inbox/overdue/").content.decode()  # reported late, not yet closed
    client.force_login(w.handler_a)
    assert 'data-inbox="overdue">0<' in client.get("/inbox/to_sign/").content.decode()  # the unit's own work is done
