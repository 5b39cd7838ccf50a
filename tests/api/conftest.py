"""API fixtures: a clock the tests can move and API clients per persona."""

from datetime import timedelta

import pytest

from gridgov.core import clock
from tests.api.helpers import Api
from tests.conftest import MONDAY_10AM


class FakeClock:
    """The time every action and the API see."""

    def __init__(self, at):
        self.at = at

    def advance(self, **delta):
        self.at += timedelta(**delta)
        return self.at


@pytest.fixture(autouse=True)
def fake_clock(monkeypatch) -> FakeClock:
    """Freeze time at a Monday 10:00 Beijing time so deadlines and days are predictable."""
    fake = FakeClock(MONDAY_10AM)
    monkeypatch.setattr(clock, "now", lambda: fake.at)
    return fake


@pytest.fixture
def as_user(world):
    """Return a factory of API clients: as_user(world.operator), as_user(None) for anonymous."""
    cache = {}

    def make(user):
        key = getattr(user, "pk", None)
        if key not in cache:
            cache[key] = Api(user)
        return cache[key]

    return make


