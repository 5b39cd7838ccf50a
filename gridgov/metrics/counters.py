"""The counters behind every metric, as SQL over tickets, attributions and assignments.

This is the definition of record: the pre-aggregated counts (`cube.py`) are rebuilt from it and
tested equal to it, and the ticket list behind a figure uses the same filters.
"""

from django.db.models import (
    BigIntegerField, Count, DecimalField, Exists, F, Func, OuterRef, Q, Subquery, Sum, Value,
)
from django.db.models.functions import Coalesce

from gridgov.callbacks.models import Callback, Investigation
from gridgov.core import clock
from gridgov.metrics.definitions import WHISTLE_COUNTERS
from gridgov.tickets.models import Assignment, Ticket
from gridgov.tickets.states import NOT_DONE, OPEN_ASSIGNMENTS, TicketState

SATISFIED = (Callback.Satisfaction.SATISFIED, Callback.Satisfaction.BASIC)


class EpochSeconds(Func):
    """Whole seconds since 1970 of a timestamp, truncated (the same in SQLite, PostgreSQL and Python)."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        # %%%%s survives both the template's % formatting and the driver's %s → ? rewrite as strftime's %s.
        return self.as_sql(compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="FLOOR(EXTRACT(EPOCH FROM %(expressions)s))::bigint", **extra)


def with_outcomes(tickets, prefix: str = ""):
    """Annotate a ticket (or, with prefix "ticket__", an assignment) queryset with its callback/investigation outcome."""
    ref = OuterRef(f"{prefix}pk" if prefix else "pk")
    answered = Callback.objects.filter(ticket=ref, answered=True).order_by("-at", "-pk")
    responsible = Investigation.objects.filter(ticket=ref, finding=Investigation.Finding.RESPONSIBLE)
    if prefix:
        # On the unit basis a finding counts only for the unit found responsible.
        responsible = responsible.filter(responsible_unit=OuterRef("unit_id"))
    deduction = responsible.order_by().values("ticket").annotate(s=Sum("deduction_points")).values("s")
    return tickets.annotate(
        m_called=Exists(Callback.objects.filter(ticket=ref)),
        m_satisfaction=Subquery(answered.values("satisfaction")[:1]),
        m_resolved=Subquery(answered.values("resolved")[:1]),
        m_unsatisfied=Exists(Callback.objects.filter(ticket=ref, answered=True, satisfaction=Callback.Satisfaction.UNSATISFIED)),
        m_investigated=Exists(Investigation.objects.filter(ticket=ref)),
        m_responsible=Exists(responsible),
        m_deduction=Subquery(deduction, output_field=DecimalField(max_digits=12, decimal_places=2)),
    )


def outcome_aggregates(prefix: str = "") -> dict:
    """Aggregate expressions for the outcome counters over a `with_outcomes` queryset."""
    p = prefix
    closed = Q(**{f"{p}state": TicketState.CLOSED})
    return {
        "received": Count("pk"),
        "rejected": Count("pk", filter=Q(**{f"{p}state": TicketState.REJECTED})),
        "merged": Count("pk", filter=Q(**{f"{p}state": TicketState.MERGED})),
        "closed": Count("pk", filter=closed),
        "closed_on_time": Count("pk", filter=closed & Q(**{f"{p}closed_at__lte": F(f"{p}handle_deadline")})),
        "handle_seconds": Coalesce(Sum(EpochSeconds(f"{p}closed_at") - EpochSeconds(f"{p}received_at"), filter=closed), 0),
        "called": Count("pk", filter=Q(m_called=True)),
        "answered": Count("pk", filter=Q(m_satisfaction__isnull=False)),
        "satisfied": Count("pk", filter=Q(m_satisfaction__in=SATISFIED)),
        "resolved": Count("pk", filter=Q(m_resolved=True)),
        "unsatisfied": Count("pk", filter=Q(m_unsatisfied=True)),
        "investigated": Count("pk", filter=Q(m_investigated=True)),
        "responsible": Count("pk", filter=Q(m_responsible=True)),
        "deduction": Coalesce(Sum("m_deduction"), Value(0), output_field=DecimalField(max_digits=12, decimal_places=2)),
    }


def assignment_aggregates() -> dict:
    """Aggregate expressions for the assignment counters over an assignment queryset."""
    return {
        "assigned": Count("pk"),
        "signed": Count("pk", filter=Q(signed_at__isnull=False)),
        "signed_on_time": Count("pk", filter=Q(signed_at__isnull=False, signed_at__lte=F("sign_deadline"))),
    }


def attributions(assignments=None):
    """One assignment per (ticket, unit) that signed it: the rows of the unit-attributed basis."""
    assignments = Assignment.objects.all() if assignments is None else assignments
    later = Assignment.objects.filter(ticket=OuterRef("ticket_id"), unit=OuterRef("unit_id"),
                                      signed_at__isnull=False, pk__gt=OuterRef("pk"))
    return assignments.filter(signed_at__isnull=False).exclude(Exists(later))


def overdue_open_tickets(tickets, now=None):
    """Tickets not done whose deadline has passed (counted live)."""
    return tickets.filter(state__in=NOT_DONE, handle_deadline__lt=now or clock.now())


def overdue_open_assignments(assignments, now=None):
    """Open assignments past their deadline: a unit's overdue work (counted live)."""
    return assignments.filter(state__in=OPEN_ASSIGNMENTS, handle_deadline__lt=now or clock.now(), ticket__state__in=NOT_DONE)


def whistle_filter(counter: str, now=None) -> Q:
    """The condition a 吹哨报到 summons meets to be counted (late is whistles.rules.is_late in SQL)."""
    if counter == "whistle_checkins":
        return Q(checked_in_at__isnull=False)
    not_in = Q(checked_in_at__isnull=True)
    # Checked in after the deadline, or not checked in by the deadline: by the withdrawal if withdrawn, else by now.
    return (Q(checked_in_at__gt=F("deadline")) | (not_in & Q(ended_at__gt=F("deadline")))
            | (not_in & Q(ended_at__isnull=True, deadline__lt=now or clock.now())))


def whistle_aggregates(now=None) -> dict:
    """Aggregate expressions for the whistle counters over a summons queryset."""
    return {counter: Count("pk", filter=whistle_filter(counter, now)) for counter in WHISTLE_COUNTERS}


def ticket_filter(counter: str, prefix: str = "", now=None) -> Q | None:
    """The condition a ticket (or attribution) meets to be counted by an outcome counter; None means all."""
    p = prefix
    closed = Q(**{f"{p}state": TicketState.CLOSED})
    return {
        "received": None,
        "rejected": Q(**{f"{p}state": TicketState.REJECTED}),
        "merged": Q(**{f"{p}state": TicketState.MERGED}),
        "closed": closed,
        "handle_seconds": closed,
        "closed_on_time": closed & Q(**{f"{p}closed_at__lte": F(f"{p}handle_deadline")}),
        "called": Q(m_called=True),
        "answered": Q(m_satisfaction__isnull=False),
        "satisfied": Q(m_satisfaction__in=SATISFIED),
        "resolved": Q(m_resolved=True),
        "unsatisfied": Q(m_unsatisfied=True),
        "investigated": Q(m_investigated=True),
        "responsible": Q(m_responsible=True),
        "deduction": Q(m_responsible=True),
    }[counter]


def all_tickets():
    """Every ticket, the starting set of the ticket basis."""
    return Ticket.objects.all()
