"""Whistle fixtures: the whistle channel, a frozen clock, and a street's ticket ready to blow on."""

from datetime import datetime, timezone

import pytest

from gridgov.tickets import actions as ticket_actions
from tests import factories as f
from tests.conftest import freeze_clock

# Friday 2026-03-06 16:00 Beijing: 1.5 office hours left that day, so a 2-working-hour limit ends Monday 09:30.
FRIDAY_4PM = datetime(2026, 3, 6, 8, 0, tzinfo=timezone.utc)
MONDAY_0930 = datetime(2026, 3, 9, 1, 30, tzinfo=timezone.utc)


@pytest.fixture
def clock(monkeypatch):
    """Monday 2026-03-02 10:00 Beijing, moved by the test."""
    return freeze_clock(monkeypatch)


@pytest.fixture
def whistle_channel(db):
    return f.ChannelFactory(code="whistle", name="吹哨报到", prefix="CS")


def street_ticket(w, **kw):
    """A noise complaint at (0.5, 0.5) in grid A1, dispatched to the street office unit_a (and any support units)."""
    support = kw.pop("support", [])
    values = {"channel": "h12345", "category": w.cat_noise.code, "title": "夜间施工噪音", "description": "工地夜间施工扰民",
              "lon": 0.5, "lat": 0.5, "citizen_name": "李四", "citizen_phone": "13900001111", **kw}
    t = ticket_actions.do_receive(w.operator, **values)
    ticket_actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=w.unit_a.pk, support_unit_ids=support)
    return t
