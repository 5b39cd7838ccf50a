"""Patrol fixtures: a clock the tests can move (the same pattern as tests/api/conftest.py)."""

from datetime import timedelta

import pytest

from gridgov.core import clock
from tests.conftest import MONDAY_10AM


class FakeClock:
    """The time every action sees."""

    def __init__(self, at):
        self.at = at

    def advance(self, **delta):
        self.at += timedelta(**delta)
        return self.at


@pytest.fixture(autouse=True)
def fake_clock(monkeypatch) -> FakeClock:
    """Freeze time at a Monday 10:00 Beijing time."""
    fake = FakeClock(MONDAY_10AM)
    monkeypatch.setattr(clock, "now", lambda: fake.at)
    return fake
