"""Patrol fixtures: a clock the tests can move (the same pattern as tests/api/conftest.py)."""


import pytest

from tests.conftest import FakeClock, freeze_clock


@pytest.fixture(autouse=True)
def fake_clock(monkeypatch) -> FakeClock:
    """Freeze time at a Monday 10:00 Beijing time."""
    return freeze_clock(monkeypatch)
