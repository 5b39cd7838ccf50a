"""Supervision fixtures: a frozen clock and a noise complaint dispatched to the street office unit_a."""

import pytest
from django.test import Client

from gridgov.tickets import actions as ticket_actions
from tests.conftest import freeze_clock


@pytest.fixture
def clock(monkeypatch):
    """Monday 2026-03-02 10:00 Beijing, moved by the test."""
    return freeze_clock(monkeypatch)


def street_ticket(w, title="夜间施工噪音"):
    """A noise complaint in grid A1, dispatched to unit_a."""
    t = ticket_actions.do_receive(w.operator, channel="h12345", category=w.cat_noise.code, title=title, description="工地夜间施工扰民",
                                  lon=0.5, lat=0.5, citizen_name="李四", citizen_phone="13900001111")
    ticket_actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=w.unit_a.pk)
    return t


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c
