"""Recount a month's stored counts in a few set-based SQL passes (hash joins instead of per-ticket subqueries).

`counters.py` is the definition of record; this is the same arithmetic written for whole months of
millions of tickets. `tests/metrics` and `tests/demo/test_simulation.py` prove the two, and the
counts the actions keep, agree.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction

from gridgov.metrics.definitions import STORED_COUNTERS
from gridgov.metrics.models import GridMonthCount, UnitMonthCount
from gridgov.metrics.periods import Period

OUTCOMES = ("received", "rejected", "merged", "closed", "closed_on_time", "handle_seconds", "called", "answered",
            "satisfied", "resolved", "unsatisfied", "investigated", "responsible", "deduction")
ASSIGNED = ("assigned", "signed", "signed_on_time")


def _epoch(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"FLOOR(EXTRACT(EPOCH FROM {column}))"
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"  # %% survives the driver's %s → ? rewrite


def _sql(unit_basis: bool) -> str:
    """Outcome counters per (area, category, channel[, unit]) for the tickets received in [%s, %s)."""
    unit_cols = ", a.unit_id" if unit_basis else ""
    attribution = """
        JOIN (SELECT DISTINCT ticket_id, unit_id FROM tickets_assignment
              WHERE signed_at IS NOT NULL AND ticket_id IN (SELECT id FROM t)) a ON a.ticket_id = t.id""" if unit_basis else ""
    # On the unit basis a finding counts only for the unit found responsible.
    found_key = "ticket_id, responsible_unit_id" if unit_basis else "ticket_id"
    found_join = "f.ticket_id = t.id" + (" AND f.responsible_unit_id = a.unit_id" if unit_basis else "")
    return f"""
    WITH t AS (
        SELECT id, area_id, category_id, channel_id, state, received_at, closed_at, handle_deadline
        FROM tickets_ticket WHERE received_at >= %s AND received_at < %s
    ),
    cb AS (
        SELECT ticket_id, MAX(CASE WHEN answered AND satisfaction = 'unsatisfied' THEN 1 ELSE 0 END) AS unsatisfied
        FROM callbacks_callback WHERE ticket_id IN (SELECT id FROM t) GROUP BY ticket_id
    ),
    latest AS (
        SELECT ticket_id, satisfaction, resolved FROM (
            SELECT ticket_id, satisfaction, resolved,
                   ROW_NUMBER() OVER (PARTITION BY ticket_id ORDER BY at DESC, id DESC) AS rn
            FROM callbacks_callback WHERE answered AND ticket_id IN (SELECT id FROM t)
        ) ranked WHERE rn = 1
    ),
    inv AS (SELECT DISTINCT ticket_id FROM callbacks_investigation WHERE ticket_id IN (SELECT id FROM t)),
    found AS (
        SELECT {found_key}, SUM(deduction_points) AS points FROM callbacks_investigation
        WHERE finding = 'responsible' AND ticket_id IN (SELECT id FROM t) GROUP BY {found_key}
    )
    SELECT t.area_id, t.category_id, t.channel_id{unit_cols},
        COUNT(*),
        SUM(CASE WHEN t.state = 'rejected' THEN 1 ELSE 0 END),
        SUM(CASE WHEN t.state = 'merged' THEN 1 ELSE 0 END),
        SUM(CASE WHEN t.state = 'closed' THEN 1 ELSE 0 END),
        SUM(CASE WHEN t.state = 'closed' AND t.closed_at <= t.handle_deadline THEN 1 ELSE 0 END),
        SUM(CASE WHEN t.state = 'closed' THEN {_epoch('t.closed_at')} - {_epoch('t.received_at')} ELSE 0 END),
        COUNT(cb.ticket_id),
        COUNT(latest.ticket_id),
        SUM(CASE WHEN latest.satisfaction IN ('satisfied', 'basic') THEN 1 ELSE 0 END),
        SUM(CASE WHEN latest.resolved THEN 1 ELSE 0 END),
        SUM(COALESCE(cb.unsatisfied, 0)),
        COUNT(inv.ticket_id),
        COUNT(f.ticket_id),
        SUM(COALESCE(f.points, 0))
    FROM t{attribution}
        LEFT JOIN cb ON cb.ticket_id = t.id
        LEFT JOIN latest ON latest.ticket_id = t.id
        LEFT JOIN inv ON inv.ticket_id = t.id
        LEFT JOIN found f ON {found_join}
    GROUP BY t.area_id, t.category_id, t.channel_id{unit_cols}
    """


# PostgreSQL, for months of millions of tickets: each ticket's callback and investigation facts are
# aggregated once into a temporary table, then grouped for both bases.
PG_FACTS = """
    CREATE TEMPORARY TABLE metrics_month_facts ON COMMIT DROP AS
    SELECT t.id, t.area_id, t.category_id, t.channel_id,
        (t.state = 'rejected')::int AS rejected, (t.state = 'merged')::int AS merged, (t.state = 'closed')::int AS closed,
        (t.state = 'closed' AND t.closed_at <= t.handle_deadline)::int AS closed_on_time,
        CASE WHEN t.state = 'closed' THEN FLOOR(EXTRACT(EPOCH FROM t.closed_at)) - FLOOR(EXTRACT(EPOCH FROM t.received_at)) ELSE 0 END
            AS handle_seconds,
        (cb.ticket_id IS NOT NULL)::int AS called, (cb.satisfaction IS NOT NULL)::int AS answered,
        (cb.satisfaction IN ('satisfied', 'basic'))::int AS satisfied, COALESCE(cb.resolved, FALSE)::int AS resolved,
        COALESCE(cb.unsatisfied, FALSE)::int AS unsatisfied, (inv.ticket_id IS NOT NULL)::int AS investigated
    FROM tickets_ticket t
    LEFT JOIN (
        SELECT c.ticket_id,
            (array_agg(c.satisfaction ORDER BY c.at DESC, c.id DESC) FILTER (WHERE c.answered))[1] AS satisfaction,
            (array_agg(c.resolved ORDER BY c.at DESC, c.id DESC) FILTER (WHERE c.answered))[1] AS resolved,
            bool_or(c.answered AND c.satisfaction = 'unsatisfied') AS unsatisfied
        FROM callbacks_callback c JOIN tickets_ticket m ON m.id = c.ticket_id
        WHERE m.received_at >= %(start)s AND m.received_at < %(end)s GROUP BY c.ticket_id
    ) cb ON cb.ticket_id = t.id
    LEFT JOIN (
        SELECT DISTINCT i.ticket_id FROM callbacks_investigation i JOIN tickets_ticket m ON m.id = i.ticket_id
        WHERE m.received_at >= %(start)s AND m.received_at < %(end)s
    ) inv ON inv.ticket_id = t.id
    WHERE t.received_at >= %(start)s AND t.received_at < %(end)s
"""
PG_FOUND = """
    CREATE TEMPORARY TABLE metrics_month_found ON COMMIT DROP AS
    SELECT i.ticket_id, i.responsible_unit_id, SUM(i.deduction_points) AS points
    FROM callbacks_investigation i JOIN tickets_ticket m ON m.id = i.ticket_id
    WHERE i.finding = 'responsible' AND m.received_at >= %(start)s AND m.received_at < %(end)s
    GROUP BY i.ticket_id, i.responsible_unit_id
"""
PG_SUMS = """COUNT(*), SUM(f.rejected), SUM(f.merged), SUM(f.closed), SUM(f.closed_on_time), SUM(f.handle_seconds),
    SUM(f.called), SUM(f.answered), SUM(f.satisfied), SUM(f.resolved), SUM(f.unsatisfied), SUM(f.investigated)"""
PG_TICKETS = f"""
    SELECT f.area_id, f.category_id, f.channel_id, {PG_SUMS}, COUNT(d.ticket_id), SUM(COALESCE(d.points, 0))
    FROM metrics_month_facts f
    LEFT JOIN (SELECT ticket_id, SUM(points) AS points FROM metrics_month_found GROUP BY ticket_id) d ON d.ticket_id = f.id
    GROUP BY f.area_id, f.category_id, f.channel_id
"""
PG_UNITS = f"""
    SELECT f.area_id, f.category_id, f.channel_id, a.unit_id, {PG_SUMS}, COUNT(d.ticket_id), SUM(COALESCE(d.points, 0))
    FROM metrics_month_facts f
    JOIN (SELECT DISTINCT a.ticket_id, a.unit_id FROM tickets_assignment a JOIN metrics_month_facts m ON m.id = a.ticket_id
          WHERE a.signed_at IS NOT NULL) a ON a.ticket_id = f.id
    LEFT JOIN metrics_month_found d ON d.ticket_id = f.id AND d.responsible_unit_id = a.unit_id
    GROUP BY f.area_id, f.category_id, f.channel_id, a.unit_id
"""

ASSIGNMENT_SQL = """
    SELECT t.area_id, t.category_id, t.channel_id, a.unit_id, COUNT(*),
        SUM(CASE WHEN a.signed_at IS NOT NULL THEN 1 ELSE 0 END),
        SUM(CASE WHEN a.signed_at IS NOT NULL AND a.signed_at <= a.sign_deadline THEN 1 ELSE 0 END)
    FROM tickets_assignment a JOIN tickets_ticket t ON t.id = a.ticket_id
    WHERE t.received_at >= %s AND t.received_at < %s
    GROUP BY t.area_id, t.category_id, t.channel_id, a.unit_id
"""


def _bounds(period: Period) -> list:
    # Raw SQL gets no field conversion: SQLite compares timestamps as UTC text.
    return [connection.ops.adapt_datetimefield_value(at) for at in period.bounds()]


def _fetch(sql: str, period: Period) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, _bounds(period))
        return cursor.fetchall()


def _outcome_rows(period: Period) -> tuple[list, list]:
    """(ticket-basis rows, unit-basis rows) of outcome counters for a month."""
    if connection.vendor != "postgresql":
        return _fetch(_sql(unit_basis=False), period), _fetch(_sql(unit_basis=True), period)
    start, end = _bounds(period)
    with transaction.atomic(), connection.cursor() as cursor:
        # A month's hash joins and aggregates fit in memory instead of spilling to disk in 4 MB pieces.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(PG_FACTS, {"start": start, "end": end})
        cursor.execute(PG_FOUND, {"start": start, "end": end})
        cursor.execute("ANALYZE metrics_month_facts")
        cursor.execute(PG_TICKETS)
        tickets = cursor.fetchall()
        cursor.execute(PG_UNITS)
        units = cursor.fetchall()
        # Inside an outer transaction ON COMMIT has not come yet; the next month creates them again.
        cursor.execute("DROP TABLE metrics_month_facts, metrics_month_found")
    return tickets, units


def _number(name: str, value):
    if name == "deduction":
        return Decimal(str(value or 0)).quantize(Decimal("0.01"))
    return int(value or 0)


def month_cells(period: Period, cubes) -> dict:
    """{cube model: {key: {counter: value}}} for one month, from three SQL passes."""
    first = period.start
    cells = {model: defaultdict(lambda: dict.fromkeys(STORED_COUNTERS, 0)) for model in cubes}

    def add(model, key, names, values):
        cell = cells[model][key]
        for name, value in zip(names, values):
            cell[name] += _number(name, value)

    def area_keys(model, area_id, category_id, channel_id):
        area = (area_id or "")[:model.AREA_LENGTH]
        return (first, area, channel_id) if model is GridMonthCount else (first, area, category_id, channel_id)

    ticket_cubes = [m for m in cubes if m is not UnitMonthCount]
    ticket_rows, unit_rows = _outcome_rows(period)
    for area_id, category_id, channel_id, *values in ticket_rows:
        for model in ticket_cubes:
            add(model, area_keys(model, area_id, category_id, channel_id), OUTCOMES, values)
    for area_id, category_id, channel_id, unit_id, *values in _fetch(ASSIGNMENT_SQL, period):
        for model in ticket_cubes:
            add(model, area_keys(model, area_id, category_id, channel_id), ASSIGNED, values)
        if UnitMonthCount in cells:
            add(UnitMonthCount, (first, unit_id, category_id, channel_id), ASSIGNED, values)
    if UnitMonthCount in cells:
        for _area, category_id, channel_id, unit_id, *values in unit_rows:
            add(UnitMonthCount, (first, unit_id, category_id, channel_id), OUTCOMES, values)
    return cells
