"""Fixtures for assessment: tickets in the test district within 2026 Q1 / March."""

import pytest

from gridgov.tickets import actions
from tests.conftest import MONDAY_10AM, freeze_clock


def receive(w, *, lon=0.5, lat=0.5, channel="h12345", category=None, title="噪音扰民"):
    """Receive one ticket at MONDAY_10AM (金茂第1网格 by default)."""
    return actions.do_receive(w.operator, channel=channel, category=category or w.cat_noise.code, title=title,
                              description="描述", lon=lon, lat=lat, citizen_phone="13800001234", now=MONDAY_10AM)


@pytest.fixture
def clock(monkeypatch):
    """Runs are stamped at a known time."""
    return freeze_clock(monkeypatch)


@pytest.fixture
def one_ticket(world, clock):
    """A 12345 ticket in 金茂社区 (urban); 桃花岭社区 (urban) and 桐木村 (rural) have none."""
    return receive(world)
