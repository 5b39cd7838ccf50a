"""The notification centre: my list (unread first, paged), mark read, the header count, nobody else's messages."""

from datetime import timedelta

import pytest
from django.test import Client

from gridgov.notifications.api import notify
from gridgov.notifications.models import Notification
from tests.conftest import MONDAY_10AM, freeze_clock
from tests.notifications.helpers import dispatched

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def row_ids(html: str) -> list[int]:
    import re

    return [int(x) for x in re.findall(r'data-notification="(\d+)"', html)]


def test_list_shows_unread_first_then_newest(world):
    old_unread = notify(world.handler_a, "urged", "催办一", now=MONDAY_10AM)[0]
    new_read = notify(world.handler_a, "urged", "催办二", now=MONDAY_10AM + timedelta(hours=2))[0]
    new_unread = notify(world.handler_a, "urged", "催办三", now=MONDAY_10AM + timedelta(hours=1))[0]
    Notification.objects.filter(pk=new_read.pk).update(read_at=MONDAY_10AM + timedelta(hours=3))
    page = client_for(world.handler_a).get("/notifications/")
    assert page.status_code == 200
    assert row_ids(page.content.decode()) == [new_unread.pk, old_unread.pk, new_read.pk]
    only_unread = client_for(world.handler_a).get("/notifications/?show=unread")
    assert row_ids(only_unread.content.decode()) == [new_unread.pk, old_unread.pk]


def test_list_is_paged(world):
    notify(world.handler_a, "urged", "第一条", now=MONDAY_10AM)
    for i in range(31):
        notify(world.handler_a, "urged", f"催办{i}", now=MONDAY_10AM + timedelta(minutes=i + 1))
    first = client_for(world.handler_a).get("/notifications/").content.decode()
    second = client_for(world.handler_a).get("/notifications/?page=2").content.decode()
    assert len(row_ids(first)) == 30 and len(row_ids(second)) == 2 and "第一条" in second


def test_mark_one_and_all_read_and_the_header_count(world, monkeypatch):
    freeze_clock(monkeypatch)
    a, b, c = (notify(world.handler_a, "urged", f"催办{i}")[0] for i in range(3))
    client = client_for(world.handler_a)
    header = client.get("/notifications/").content.decode()
    assert 'id="unread-count">3<' in header
    assert client.get(f"/notifications/{a.pk}/read/").status_code == 405  # changes only by POST
    assert client.post(f"/notifications/{a.pk}/read/").status_code == 302
    a.refresh_from_db()
    assert a.read_at == MONDAY_10AM
    assert 'id="unread-count">2<' in client.get("/notifications/").content.decode()
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(user=world.handler_a, read_at__isnull=True).exists()
    assert 'id="unread-count"' not in client.get("/notifications/").content.decode()


def test_the_header_count_is_one_query(world):
    from django.test import RequestFactory

    from gridgov.web.context import layout

    notify(world.handler_a, "urged", "催办")
    request = RequestFactory().get("/notifications/")
    request.user = world.handler_a
    layout(request)  # warm the per-user grant cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        context = layout(request)
    assert context["unread_notifications"] == 1
    assert sum("notifications_notification" in q["sql"] for q in queries.captured_queries) == 1


def test_users_see_and_touch_only_their_own(world):
    mine = notify(world.handler_a, "urged", "给经办人A")[0]
    theirs = notify(world.handler_b, "urged", "给经办人B")[0]
    client = client_for(world.handler_a)
    html = client.get("/notifications/").content.decode()
    assert "给经办人A" in html and "给经办人B" not in html
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    client.post("/notifications/read-all/")
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.read_at is None and mine.read_at is not None
    assert 'id="unread-count">1<' in client_for(world.handler_b).get("/notifications/").content.decode()


def test_anonymous_visitors_are_sent_to_login(world):
    assert Client().get("/notifications/")["Location"].startswith("/login/")


def test_open_marks_read_and_goes_through_the_ticket_page(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the after-commit signals run as the block closes
        t = dispatched(world)
    n = Notification.objects.get(user=world.handler_a, kind="assigned")
    client = client_for(world.handler_a)
    reply = client.post(f"/notifications/{n.pk}/open/")
    assert reply.status_code == 302 and reply["Location"] == f"/tickets/{t.pk}/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert client.get(reply["Location"]).status_code == 200
    # A notification about a ticket the user cannot see leads to the ticket page's own "not found".
    stray = notify(world.handler_b, "urged", "误发", ticket=t)[0]
    other = client_for(world.handler_b)
    assert other.get(other.post(f"/notifications/{stray.pk}/open/")["Location"]).status_code == 404


def test_preferences_page_saves(world):
    client = client_for(world.handler_a)
    assert client.get("/notifications/preferences/").status_code == 200
    reply = client.post("/notifications/preferences/", {"backends": ["console"], "kinds": ["urged"],
                                                          "quiet_start": "22:00", "quiet_end": "07:00"})
    assert reply.status_code == 302
    pref = world.handler_a.notify_preference
    assert pref.backends == ["console"] and pref.kinds == ["urged"] and str(pref.quiet_end) == "07:00:00"
    bad = client.post("/notifications/preferences/", {"backends": ["console"], "quiet_start": "22:00"})
    assert bad.status_code == 200 and "同时填写" in bad.content.decode()
