"""bench/bigdata.py at test scale: ~2,000 tickets through the same SQL, and the lifecycle invariants hold."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from bench import bigdata

TICKETS = 2_000
PERIOD = "2026-05"

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator is PostgreSQL SQL (set DATABASE_URL)")


def test_period_and_day_split():
    assert bigdata.parse_period("2026-05") == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert bigdata.parse_period("2025") == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert bigdata.parse_period("2026-Q4") == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    counts = bigdata.day_counts(dt.date(2026, 5, 1), dt.date(2026, 5, 31), 2_000_000, lambda d: d.weekday() < 5)
    assert sum(n for _d, n in counts) == 2_000_000 and len(counts) == 31
    by_day = dict(counts)
    assert by_day[dt.date(2026, 5, 4)] > by_day[dt.date(2026, 5, 3)]  # a Monday gets more than a Sunday
    assert sum(bigdata._spread(5464, 725, __import__("random").Random(1))) == 5464
    assert bigdata._buckets([1, 3], 4) == [0, 1, 1, 1]


def test_area_tree_is_seed_003_shaped():
    rows = bigdata.area_rows(__import__("random").Random(3))
    levels = {level: sum(1 for r in rows if r["level"] == level) for level in range(5)}
    assert levels[1] == 19 and levels[3] == 725 and levels[4] == 5464
    codes = {r["code"] for r in rows}
    assert all(r["parent"] in codes and r["code"].startswith(r["parent"]) for r in rows if r["parent"])
    district = next(r for r in rows if r["level"] == 0)
    assert district["population"] == sum(r["population"] for r in rows if r["level"] == 4)


@postgres_only
@pytest.mark.django_db
def test_small_run_keeps_the_lifecycle_invariants():
    from gridgov.callbacks.models import Callback, Investigation
    from gridgov.core.calendar import get_calendar
    from gridgov.tickets.deadlines import compute_deadline
    from gridgov.tickets.models import Assignment, Ticket

    levels = bigdata.build_master(seed=3, grid3_total=40, grid4_total=120, communities_per_street=(1, 2))
    assert levels[1] == 19 and levels[3] == 40 and levels[4] == 120
    start, end = bigdata.parse_period(PERIOD)
    with connection.cursor() as cur:
        totals = bigdata.generate(cur, start, end, TICKETS, seed=3, drop_secondary_indexes=False, log=lambda _m: None)

    assert totals["tickets"] == TICKETS == Ticket.objects.count()
    assert totals["assignments"] == Assignment.objects.count()
    assert totals["callbacks"] == Callback.objects.count()
    assert totals["investigations"] == Investigation.objects.count()

    with connection.cursor() as cur:
        violations = {name: n for name, n in bigdata.check_invariants(cur).items() if n}
    assert violations == {}

    # One lead per dispatched ticket, none on the others.
    dispatched = Ticket.objects.filter(dispatched_at__isnull=False)
    assert Assignment.objects.filter(role="lead").count() == dispatched.count()
    assert not Assignment.objects.exclude(ticket__in=dispatched).exists()
    # Callbacks only on closed tickets, investigations only on unsatisfied answered callbacks.
    assert not Callback.objects.exclude(ticket__state="closed").exists()
    assert not Investigation.objects.exclude(callback__satisfaction="unsatisfied").exists()

    tz = ZoneInfo("Asia/Shanghai")
    days = {t.astimezone(tz).date() for t in Ticket.objects.values_list("received_at", flat=True)}
    assert min(days) >= dt.date(2026, 5, 1) and max(days) <= dt.date(2026, 5, 31)
    assert all(re.fullmatch(r"[A-Z]{2}202605\d{7}", n) for n in Ticket.objects.values_list("number", flat=True))

    # Proportions, loosely: mostly closed, mostly on time, some still open.
    closed = Ticket.objects.filter(state="closed")
    assert 0.85 < closed.count() / TICKETS < 0.99
    on_time = sum(1 for c, d in closed.values_list("closed_at", "handle_deadline") if c <= d)
    assert 0.9 < on_time / closed.count() <= 1
    assert Ticket.objects.filter(state__in=("received", "dispatched", "signed", "reported")).exists()

    # The SQL deadlines are the ones the application computes.
    calendar = get_calendar()
    for a in Assignment.objects.select_related("ticket__rule"):
        rule = a.ticket.rule
        assert a.sign_deadline == compute_deadline(a.dispatched_at, rule.sign_limit, rule.sign_limit_unit, calendar)
        assert a.handle_deadline == compute_deadline(a.dispatched_at, rule.handle_limit, rule.handle_limit_unit, calendar)

    # A second run with the same arguments finds every day done; a different run is refused.
    with connection.cursor() as cur:
        again = bigdata.generate(cur, start, end, TICKETS, seed=3, drop_secondary_indexes=False, log=lambda _m: None)
        assert again["tickets"] == 0 and Ticket.objects.count() == TICKETS
        with pytest.raises(RuntimeError, match="different run"):
            bigdata.generate(cur, start, end, TICKETS + 1, seed=3, drop_secondary_indexes=False, log=lambda _m: None)
