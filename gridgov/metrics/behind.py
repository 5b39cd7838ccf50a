"""The tickets behind a figure: the same filters the counters use, through the viewer's visibility."""

from django.db.models import Exists, F, OuterRef

from gridgov.core.errors import InvalidInput
from gridgov.metrics import counters
from gridgov.metrics.compute import Scope, assignments_in, basis_of, summons_in, ticket_filter, urges_in
from gridgov.metrics.definitions import (
    ASSIGNMENT_COUNTERS, COUNTER_LABELS, METRICS, OUTCOME_COUNTERS, URGE_COUNTERS, WHISTLE_COUNTERS,
)
from gridgov.metrics.periods import Period
from gridgov.tickets.access import visible_to


def counter_of(code: str, part: str = "numerator") -> str:
    """The counter a metric's numerator or denominator counts (a counter name is returned as is)."""
    if code in METRICS:
        metric = METRICS[code]
        counter = metric.denominator if part == "denominator" else metric.numerator
    else:
        counter = code
    if counter not in COUNTER_LABELS or counter in ("population", "three_rates"):
        raise InvalidInput(f"该指标没有对应的工单清单：{code}")
    return counter


def tickets_behind(user, period: Period, scope: Scope, counter: str, basis: str | None = None, now=None):
    """The visible tickets a counter counts (for assignment counters: the tickets of those assignments)."""
    basis = basis_of(scope, None, basis)
    visible = visible_to(user)
    if counter in ASSIGNMENT_COUNTERS or (basis == "unit" and counter in ("overdue_open", "due")):
        return visible.filter(pk__in=_assignment_rows(period, scope, counter, now).values("ticket_id"))
    if counter == "due":
        return (_outcome_tickets(visible, period, scope, "closed", basis)
                | counters.overdue_open_tickets(visible.filter(ticket_filter(period, scope, "")), now))
    if counter == "overdue_open":
        return counters.overdue_open_tickets(visible.filter(ticket_filter(period, scope, "")), now)
    if counter in WHISTLE_COUNTERS:
        rows = summons_in(period, scope).filter(counters.whistle_filter(counter, now))
        return visible.filter(pk__in=rows.values("whistle__ticket_id"))
    if counter in URGE_COUNTERS:
        return visible.filter(pk__in=urges_in(period, scope).values("ticket_id"))
    if counter not in OUTCOME_COUNTERS:
        raise InvalidInput(f"未知的统计口径：{counter}")
    return _outcome_tickets(visible, period, scope, counter, basis)


def _outcome_tickets(visible, period, scope, counter, basis):
    if basis == "unit":
        rows = counters.with_outcomes(counters.attributions(assignments_in(period, scope)), "ticket__")
        condition = counters.ticket_filter(counter, "ticket__")
        if condition is not None:
            rows = rows.filter(condition)
        return visible.filter(pk__in=rows.values("ticket_id"))
    rows = counters.with_outcomes(visible.filter(ticket_filter(period, scope, "")))
    condition = counters.ticket_filter(counter)
    return rows.filter(condition) if condition is not None else rows


def _assignment_rows(period, scope, counter, now):
    rows = assignments_in(period, scope)
    if counter in ("overdue_open", "due"):
        overdue = counters.overdue_open_assignments(rows, now)
        if counter == "overdue_open":
            return overdue
        closed = counters.attributions(rows).filter(ticket__state="closed")
        return rows.filter(Exists(overdue.filter(pk=OuterRef("pk"))) | Exists(closed.filter(pk=OuterRef("pk"))))
    if counter == "signed":
        return rows.filter(signed_at__isnull=False)
    if counter == "signed_on_time":
        return rows.filter(signed_at__isnull=False, signed_at__lte=F("sign_deadline"))
    return rows
