"""Keep the pre-aggregated counts: apply one case's change, or rebuild them from the tickets."""

from collections import defaultdict
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import DateField, F
from django.db.models.functions import Left, TruncMonth

from gridgov.core.clock import LOCAL_TZ
from gridgov.metrics import counters, facts, recount
from gridgov.metrics.definitions import STORED_COUNTERS
from gridgov.metrics.models import CUBES, UnitMonthCount
from gridgov.metrics.periods import Period
from gridgov.tickets.models import Assignment, Ticket


def snapshot(case) -> dict:
    """A case's current contributions, to diff against after the change."""
    return {key: counts.copy() for key, counts in facts.contributions(case).items()}


def apply(before: dict, after: dict) -> None:
    """Add (after − before) to the stored counts, inside the caller's transaction."""
    for (model, key) in set(before) | set(after):
        delta = {name: after.get((model, key), {}).get(name, 0) - before.get((model, key), {}).get(name, 0)
                 for name in STORED_COUNTERS}
        delta = {name: d for name, d in delta.items() if d}
        if not delta:
            continue
        where = dict(zip(model.KEY, key))
        # Insert the zero row first so the update below is one atomic increment, even under concurrency.
        model.objects.bulk_create([model(**where)], ignore_conflicts=True)
        model.objects.filter(**where).update(**{name: F(name) + d for name, d in delta.items()})


def _month_expr(field):
    return TruncMonth(field, tzinfo=LOCAL_TZ, output_field=DateField())


def _key_exprs(model, via: str) -> dict:
    """The expressions of a cube's key, in KEY order, over tickets (via "") or assignments (via "ticket__")."""
    exprs = {
        "month": lambda: _month_expr(f"{via}received_at"),
        "area_key": lambda: Left(f"{via}area_id", model.AREA_LENGTH),
        "unit_id": lambda: F("unit_id"),
        "category_id": lambda: F(f"{via}category_id"),
        "channel_id": lambda: F(f"{via}channel_id"),
    }
    # values() refuses names equal to model fields, so the keys travel as k_<name>.
    return {f"k_{name}": exprs[name]() for name in model.KEY}


def _grouped(model, period: Period) -> dict:
    """Count one cube's cells for the tickets received in a period, straight from the tickets."""
    start, end = period.bounds()
    tickets = Ticket.objects.filter(received_at__gte=start, received_at__lt=end)
    assignments = Assignment.objects.filter(ticket__received_at__gte=start, ticket__received_at__lt=end)
    if model is UnitMonthCount:
        sources = [(counters.with_outcomes(counters.attributions(assignments), "ticket__"), "ticket__",
                    counters.outcome_aggregates("ticket__"))]
    else:
        sources = [(counters.with_outcomes(tickets), "", counters.outcome_aggregates())]
    sources.append((assignments, "ticket__", counters.assignment_aggregates()))
    cells = defaultdict(dict)
    for rows, via, aggs in sources:
        key_exprs = _key_exprs(model, via)
        for row in rows.order_by().values(**key_exprs).annotate(**aggs):
            key = tuple("" if row[n] is None else row[n] for n in key_exprs)
            cells[key].update({name: row[name] for name in aggs})
    return cells


def rebuild(period: Period | None = None, progress=None) -> int:
    """Recount the cubes from the tickets, month by month (all months with tickets if no period); returns rows."""
    months = period.months() if period else _months_with_tickets()
    if months is None:
        raise ValueError("rebuild needs whole months")
    written = 0
    for first in months:
        month = Period.month(first.year, first.month)
        cells = recount.month_cells(month, CUBES)
        with transaction.atomic():
            for model in CUBES:
                model.objects.filter(month=first).delete()
                written += _write(model, cells[model])
        if progress:
            progress(first, written)
    return written


def _write(model, cells: dict) -> int:
    """Insert a month's cells (COPY on PostgreSQL: a month of a big district is ~200,000 rows)."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(model.KEY, key)), **counts) for key, counts in cells.items()], batch_size=5000)
        return len(cells)
    columns = [model._meta.get_field(name).column for name in model.KEY + STORED_COUNTERS]
    with connection.cursor() as cursor, cursor.connection.cursor().copy(
            f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
        for key, counts in cells.items():
            copy.write_row([*key, *(counts[name] for name in STORED_COUNTERS)])
    return len(cells)


def _months_with_tickets() -> list:
    """First days of every month from the first ticket's to the last one's."""
    first = Ticket.objects.order_by("received_at").values_list("received_at", flat=True).first()
    last = Ticket.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    if first is None:
        return []
    months, m, end = [], facts.month_of(first), facts.month_of(last)
    while m <= end:
        months.append(m)
        m = (m + timedelta(days=31)).replace(day=1)
    return months


def differences(period: Period | None = None) -> list[str]:
    """Cells where the stored counts differ from a recount (empty when they agree)."""
    months = period.months() if period else _months_with_tickets()
    problems = []
    for first in months:
        month = Period.month(first.year, first.month)
        for model in CUBES:
            fresh = _grouped(model, month)
            stored = {tuple(getattr(r, f) for f in model.KEY[1:]): r.counts() for r in model.objects.filter(month=first)}
            fresh = {key[1:]: counts for key, counts in fresh.items()}
            for key in set(stored) | set(fresh):
                a = {n: v for n, v in stored.get(key, {}).items() if v}
                b = {n: v for n, v in fresh.get(key, {}).items() if v}
                if a != b:
                    problems.append(f"{model.__name__} {first:%Y-%m} {key}: stored {a} counted {b}")
    return problems
