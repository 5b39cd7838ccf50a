"""Whistle pages: the section on the ticket page, the summons page and its check-in, the inbox and the new-matter form."""

import re

import pytest
from django.test import Client

from gridgov.tickets.models import Ticket
from gridgov.whistles import actions
from gridgov.whistles.models import Whistle, WhistleSummons
from tests.whistles.conftest import street_ticket

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def blown(world, clock):
    """A street ticket handled with 区城管局 as support, on which the street summoned 区城管局 and 区人社局."""
    t = street_ticket(world, support=[world.dept_city.pk])
    w = actions.do_blow(world.handler_a, t.pk, unit_ids=[world.dept_city.pk, world.dept_labour.pk], reason="夜间施工联合执法")
    return t, w, w.summons.get(unit=world.dept_city), w.summons.get(unit=world.dept_labour)


def test_the_ticket_page_shows_the_summons_and_the_whistle_form(world, blown):
    t, w, city, labour = blown
    page = client_for(world.dispatcher).get(f"/tickets/{t.pk}/").content.decode()
    assert 'id="whistles"' in page and "夜间施工联合执法" in page
    assert "区城市管理和综合执法局" in page and "区人力资源和社会保障局" in page and page.count("待报到") >= 2
    assert 'id="whistle-form"' in page and 'id="close-whistle-' in page
    # The centre may record a check-in for a department (its whistle.checkin covers the district).
    assert f'id="checkin-{city.pk}"' in page
    street = client_for(world.handler_a).get(f"/tickets/{t.pk}/").content.decode()
    assert 'id="whistle-form"' in street and f'id="checkin-{city.pk}"' not in street
    # The summoned department that handles the ticket sees its own check-in button, and no whistle form.
    dept = client_for(world.handler_city).get(f"/tickets/{t.pk}/").content.decode()
    assert f'id="checkin-{city.pk}"' in dept and f'id="checkin-{labour.pk}"' not in dept and 'id="whistle-form"' not in dept
    assert not re.findall(r'id="act-(?:whistle|checkin)', dept)  # act-* ids belong to the ticket's own actions panel


def test_blowing_from_the_ticket_page(world, clock):
    t = street_ticket(world)
    c = client_for(world.handler_a)
    r = c.post(f"/whistles/ticket/{t.pk}/blow/", {"unit_ids": [world.dept_labour.pk], "reason": "欠薪", "checkin_limit": "4",
                                                  "checkin_limit_unit": "work_hours", "onsite_required": "on", "onsite_radius_m": "200"})
    assert r.status_code == 302 and r.url == f"/tickets/{t.pk}/"
    w = Whistle.objects.get(ticket=t)
    assert (w.checkin_limit, w.onsite_required, w.onsite_radius_m) == (4, True, 200)
    r = c.post(f"/whistles/ticket/{t.pk}/blow/", {"unit_ids": [world.unit_b.pk], "reason": "x"}, follow=True)
    assert "吹哨未成功：只能召集启用中的区直部门" in r.content.decode()
    assert client_for(world.handler_b).post(f"/whistles/ticket/{t.pk}/blow/", {"unit_ids": [world.dept_city.pk],
                                                                               "reason": "x"}).status_code == 404


def test_a_summoned_department_checks_in_from_its_summons_page(world, blown):
    t, w, city, labour = blown
    c = client_for(world.handler_labour)
    ticket_page = c.get(f"/tickets/{t.pk}/")  # summoned, not assigned: it co-handles, so it may open the ticket
    assert ticket_page.status_code == 200 and f'id="checkin-{labour.pk}"' in ticket_page.content.decode()
    assert "13900001111" not in ticket_page.content.decode()  # but sees no personal data it was not given
    page = c.get(f"/whistles/summons/{labour.pk}/").content.decode()
    assert f'id="checkin-{labour.pk}"' in page and "夜间施工联合执法" in page and "李*" in page and "13900001111" not in page
    r = c.post(f"/whistles/summons/{labour.pk}/checkin/", {"lon": "", "lat": "", "note": "已到场"}, follow=True)
    body = r.content.decode()
    assert "已报到" in body and "按时报到" in body
    labour.refresh_from_db()
    assert labour.state == WhistleSummons.State.CHECKED_IN and labour.checkin_note == "已到场"


def test_summons_pages_answer_not_found_to_others(world, blown):
    t, w, city, labour = blown
    missing = client_for(world.handler_b).get("/whistles/summons/999999/")
    other = client_for(world.handler_b).get(f"/whistles/summons/{labour.pk}/")
    assert other.status_code == missing.status_code == 404 and other.content == missing.content
    r = client_for(world.handler_b).post(f"/whistles/summons/{labour.pk}/checkin/", {})
    assert r.status_code == 404
    labour.refresh_from_db()
    assert labour.state == WhistleSummons.State.SUMMONED


def test_the_inbox_lists_pending_then_late(world, blown, clock):
    t, w, city, labour = blown
    c = client_for(world.handler_labour)
    home = c.get("/whistles/").content.decode()
    assert f'data-summons="{labour.pk}"' in home and f'data-summons="{city.pk}"' not in home
    assert 'href="/whistles/"' in home  # the menu entry
    assert f'data-summons="{labour.pk}"' not in c.get("/whistles/?tab=late").content.decode()
    clock.advance(hours=3)  # past the 2-working-hour deadline
    late = c.get("/whistles/?tab=late").content.decode()
    assert f'data-summons="{labour.pk}" data-status="pending_late"' in late and "超时未报到" in late
    street = client_for(world.handler_a).get("/whistles/").content.decode()
    assert 'id="whistle-list"' in street and t.number in street


def test_a_new_matter_with_its_whistle_from_the_form(world, clock, whistle_channel):
    c = client_for(world.dispatcher)
    assert c.get("/whistles/new/").status_code == 200
    r = c.post("/whistles/new/", {"category": world.cat_road.code, "title": "路面塌陷", "description": "主干道塌陷", "lon": "0.5",
                                  "lat": "0.5", "unit_ids": [world.dept_city.pk], "checkin_limit": "1", "checkin_limit_unit": "hours"})
    t = Ticket.objects.get(channel_id="whistle")
    assert r.status_code == 302 and r.url == f"/tickets/{t.pk}/"
    assert t.whistles.get().summons.get().unit == world.dept_city
    r = c.post("/whistles/new/", {"category": world.cat_road.code, "title": "无部门", "description": "d"})
    assert "请选择至少一个被召集的部门" in r.content.decode() and Ticket.objects.filter(channel_id="whistle").count() == 1


def test_the_whistle_section_costs_the_same_queries_for_more_whistles(world, blown):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    t, w, city, labour = blown
    c = client_for(world.dispatcher)

    def cost():
        with CaptureQueriesContext(connection) as q:
            assert c.get(f"/tickets/{t.pk}/").status_code == 200
        return len(q)

    one = cost()
    actions.do_close(world.dispatcher, w.pk)
    actions.do_blow(world.dispatcher, t.pk, unit_ids=[world.dept_city.pk, world.dept_labour.pk], reason="再次召集")
    assert cost() == one  # nothing per whistle or summons
