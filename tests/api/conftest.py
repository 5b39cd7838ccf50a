"""API fixtures: a clock the tests can move and API clients per persona."""


import pytest

from tests.api.helpers import Api
from tests.conftest import FakeClock, freeze_clock


@pytest.fixture(autouse=True)
def fake_clock(monkeypatch) -> FakeClock:
    """Freeze time at a Monday 10:00 Beijing time so deadlines and days are predictable."""
    return freeze_clock(monkeypatch)


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


