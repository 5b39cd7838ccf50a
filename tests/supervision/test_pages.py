"""The ticket page's 督办与催办 section, the badge in every inbox list, and the 督办件 inbox."""

import pytest

from gridgov.notifications.models import Notification
from gridgov.supervision import actions
from gridgov.supervision.models import Supervision, Urge
from tests.supervision.conftest import client_for, street_ticket

pytestmark = pytest.mark.django_db


def test_the_centre_urges_from_the_ticket_page(world, clock):
    t = street_ticket(world)
    a = t.assignments.get()
    c = client_for(world.dispatcher)
    page = c.get(f"/tickets/{t.pk}/").content.decode()
    assert 'id="urge-form"' in page and f'value="{a.pk}"' in page and 'id="supervise-form"' in page
    r = c.post(f"/supervision/ticket/{t.pk}/urge/", {"assignment_id": a.pk, "message": "尽快签收"})
    assert r.status_code == 302 and r["Location"] == f"/tickets/{t.pk}/"
    page = c.get(f"/tickets/{t.pk}/").content.decode()
    assert "已催办" in page and 'id="urges"' in page and "尽快签收" in page and "催办" in page
    assert Notification.objects.filter(user=world.handler_a, kind="urged").count() == 1


def test_a_handler_is_refused_and_another_street_sees_nothing(world, clock):
    t = street_ticket(world)
    a = t.assignments.get()
    handler = client_for(world.handler_a)
    page = handler.get(f"/tickets/{t.pk}/").content.decode()
    assert 'id="urge-form"' not in page and 'id="supervise-form"' not in page
    r = handler.post(f"/supervision/ticket/{t.pk}/urge/", {"assignment_id": a.pk, "message": "催办"})
    assert r.status_code == 403 and "只有网格化中心可以催办" in r.content.decode()
    r = handler.post(f"/supervision/ticket/{t.pk}/supervise/", {"note": "督办", "due_date": "2026-03-06"})
    assert r.status_code == 403 and "只有领导或网格化中心可以督办" in r.content.decode()
    other = client_for(world.handler_b).post(f"/supervision/ticket/{t.pk}/urge/", {"assignment_id": a.pk, "message": "催办"})
    missing = client_for(world.handler_b).post("/supervision/ticket/999999/urge/", {"assignment_id": a.pk, "message": "催办"})
    assert other.status_code == missing.status_code == 404 and other.content == missing.content
    assert not Urge.objects.exists()


def test_a_leader_supervises_and_the_ticket_stands_out(world, clock):
    t, plain = street_ticket(world), street_ticket(world, "普通工单")
    viewer = client_for(world.viewer)
    r = viewer.post(f"/supervision/ticket/{t.pk}/supervise/", {"note": "限期解决", "due_date": "2026-03-06"})
    assert r.status_code == 302 and Supervision.objects.get(ticket=t).by == world.viewer
    page = viewer.get(f"/tickets/{t.pk}/").content.decode()
    assert 'id="supervised-badge"' in page and 'id="supervisions"' in page and 'id="end-supervision-form"' in page
    assert 'id="urge-form"' not in page  # a leader supervises; urging is the centre's
    assert 'id="supervised-badge"' not in viewer.get(f"/tickets/{plain.pk}/").content.decode()
    # The badge in every inbox list: the handler's 待签收 and the viewer's 全部工单.
    for user, key in ((world.handler_a, "to_sign"), (world.viewer, "all"), (world.dispatcher, "overdue")):
        page = client_for(user).get(f"/inbox/{key}/").content.decode()
        if key == "overdue":
            assert "gg-supervised" not in page  # nothing overdue yet: no badge out of nowhere
            continue
        rows = [line for line in page.splitlines() if f"/tickets/{t.pk}/" in line or f"/tickets/{plain.pk}/" in line]
        assert any("gg-supervised" in line and f"/tickets/{t.pk}/" in line for line in rows)
        assert not any("gg-supervised" in line and f"/tickets/{plain.pk}/" in line for line in rows)


def test_the_supervised_inbox(world, clock):
    t, plain = street_ticket(world), street_ticket(world, "普通工单")
    actions.do_supervise(world.viewer, t.pk, note="限期解决", due_date="2026-03-06")
    for user in (world.viewer, world.dispatcher, world.handler_a, world.leader_a):
        page = client_for(user).get("/inbox/supervised/").content.decode()
        assert "督办件" in page and t.number in page and plain.number not in page
        assert 'data-inbox="supervised">1<' in page  # the menu entry with its count
    # Another street cannot see unit_a's ticket, so its 督办件 inbox is empty.
    page = client_for(world.handler_b).get("/inbox/supervised/").content.decode()
    assert t.number not in page and 'data-inbox="supervised">0<' in page
    export = client_for(world.dispatcher).get("/inbox/supervised/export.xlsx")
    assert export.status_code == 200
    actions.do_end_supervision(world.viewer, t.pk, note="已解决")
    assert t.number not in client_for(world.viewer).get("/inbox/supervised/").content.decode()
    assert client_for(world.finance).get("/inbox/supervised/").status_code == 404  # no ticket.view, no inbox
