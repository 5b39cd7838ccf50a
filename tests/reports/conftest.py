"""Fixtures for reports: the test district with a few closed and followed-up tickets in April and May 2026."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import count

import pytest

from gridgov.areas.models import StreetGroup
from gridgov.callbacks.models import Callback
from gridgov.metrics import cube
from gridgov.metrics.periods import Period
from gridgov.tickets.models import Assignment, Ticket

NUMBERS = count(1)
NOW = datetime(2026, 6, 10, 2, 0, tzinfo=timezone.utc)


def make(w, day: datetime, area, category, units, satisfaction="satisfied"):
    """One closed ticket; units is [(unit, signed_on_time)]; satisfaction None for no callback."""
    received = day.replace(tzinfo=timezone.utc) - timedelta(hours=8) + timedelta(hours=10)
    t = Ticket.objects.create(
        number=f"RX{next(NUMBERS):08d}", channel=w.channel, category=category, rule=category.rules.first(),
        title="诉求", description="内容", area=area, received_at=received, updated_at=received, state="closed",
        closed_at=received + timedelta(days=2), handle_deadline=received + timedelta(days=10), dispatch_round=1)
    Assignment.objects.bulk_create([
        Assignment(ticket=t, unit=u, role="lead" if i == 0 else "support", state="reported", dispatched_at=received,
                   sign_deadline=received + timedelta(hours=1),
                   signed_at=received + (timedelta(minutes=20) if on_time else timedelta(hours=5)),
                   handle_deadline=received + timedelta(days=10), reported_at=received + timedelta(days=1))
        for i, (u, on_time) in enumerate(units)])
    if satisfaction:
        Callback.objects.create(ticket=t, at=received + timedelta(days=3), method="phone", answered=True,
                                satisfaction=satisfaction, resolved=satisfaction != "unsatisfied")
    return t


@dataclass
class Month:
    """The world and what the May 2026 tickets should add up to."""

    w: object
    period: Period
    may_received: int
    april_received: int


@pytest.fixture
def month(world, monkeypatch):
    """May 2026: 望月湖 4 tickets (1 unsatisfied, 1 joint with 城管), 莲花镇 2, 人社 2 signed late, 1 unlocated; April: 3."""
    from gridgov.core import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)
    w = world
    a = StreetGroup.objects.create(name="A组（城区街道）", sort=1)
    a.streets.add(w.street_a)
    c = StreetGroup.objects.create(name="C组（乡镇）", sort=3)
    c.streets.add(w.street_b)
    may = datetime(2026, 5, 6)
    for i, sat in enumerate(["satisfied", "satisfied", "basic", "unsatisfied"]):
        make(w, may + timedelta(days=i), w.grid_a1, w.cat_noise, [(w.unit_a, True)], sat)
    make(w, may, w.grid_a1, w.cat_road, [(w.dept_city, True), (w.unit_a, True)], "satisfied")
    for i in range(2):
        make(w, may + timedelta(days=i), w.grid_b1, w.cat_noise, [(w.unit_b, True)], "satisfied")
        make(w, may + timedelta(days=i), w.grid_b1, w.cat_wages, [(w.dept_labour, False)], "satisfied")
    make(w, may, None, w.cat_wages, [(w.dept_labour, True)], "unsatisfied")
    for i in range(3):
        make(w, datetime(2026, 4, 10 + i), w.grid_a1, w.cat_noise, [(w.unit_a, True)], "satisfied")
    make(w, datetime(2026, 6, 1), w.grid_a1, w.cat_noise, [(w.unit_a, True)], "unsatisfied")  # next month: not counted
    cube.rebuild(Period.range(datetime(2026, 4, 1).date(), datetime(2026, 6, 30).date()))
    return Month(w, Period.month(2026, 5), may_received=10, april_received=3)
