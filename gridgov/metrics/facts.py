"""What one ticket adds to the pre-aggregated counts, computed from its in-memory case.

Mirrors `counters.py` in Python so an action can update the counts in its own transaction
without re-counting; `tests/demo/test_simulation.py` and `tests/metrics/test_figures.py` prove they always agree.
"""

from collections import Counter, defaultdict
from decimal import Decimal

from gridgov.callbacks.models import Callback, Investigation
from gridgov.core import clock
from gridgov.tickets.states import TicketState

SATISFIED = {Callback.Satisfaction.SATISFIED, Callback.Satisfaction.BASIC}
def month_of(at):
    """First day of the local month an instant falls in."""
    return clock.localtime(at).date().replace(day=1)


def area_key(area_id: str | None, length: int) -> str:
    """The area code cut to a level (shallower codes stay as they are); "" when not located."""
    return (area_id or "")[:length]


def _epoch(at) -> int:
    return int(at.timestamp())  # truncated, as SQLite's strftime('%s') and PostgreSQL's FLOOR for post-1970 times


def outcome(ticket, callbacks, investigations, unit_id=None) -> Counter:
    """The outcome counters of a ticket; with unit_id, as attributed to that unit."""
    c = Counter(received=1)
    if ticket.state == TicketState.REJECTED:
        c["rejected"] = 1
    if ticket.state == TicketState.MERGED:
        c["merged"] = 1
    if ticket.state == TicketState.CLOSED:
        c["closed"] = 1
        if ticket.handle_deadline is not None and ticket.closed_at <= ticket.handle_deadline:
            c["closed_on_time"] = 1
        c["handle_seconds"] = _epoch(ticket.closed_at) - _epoch(ticket.received_at)
    if callbacks:
        c["called"] = 1
    answered = sorted((cb for cb in callbacks if cb.answered), key=lambda cb: (cb.at, cb.pk))
    if answered:
        latest = answered[-1]
        c["answered"] = 1
        c["satisfied"] = int(latest.satisfaction in SATISFIED)
        c["resolved"] = int(latest.resolved is True)
        c["unsatisfied"] = int(any(cb.satisfaction == Callback.Satisfaction.UNSATISFIED for cb in answered))
    if investigations:
        c["investigated"] = 1
    found = [i for i in investigations if i.finding == Investigation.Finding.RESPONSIBLE
             and (unit_id is None or i.responsible_unit_id == unit_id)]
    if found:
        c["responsible"] = 1
        c["deduction"] = sum((Decimal(i.deduction_points) for i in found), Decimal(0))
    return c


def assignment_counts(assignments) -> Counter:
    """The assignment counters over some assignments."""
    c = Counter()
    for a in assignments:
        c["assigned"] += 1
        if a.signed_at is not None:
            c["signed"] += 1
            c["signed_on_time"] += int(a.signed_at <= a.sign_deadline)
    return c


def contributions(case) -> dict:
    """{(cube model, key tuple): Counter} for one ticket and everything it carries."""
    from gridgov.metrics.models import AreaMonthCount, GridMonthCount, StreetMonthCount, UnitMonthCount

    t = case.ticket
    if t.pk is None:
        return {}
    month = month_of(t.received_at)
    # Counter.update adds; `+` would silently drop zero and negative values.
    tickets = outcome(t, case.callbacks, case.investigations)
    tickets.update(assignment_counts(case.assignments))
    out = {
        (model, (month, area_key(t.area_id, model.AREA_LENGTH), *keys)): tickets
        for model, keys in ((StreetMonthCount, (t.category_id, t.channel_id)), (AreaMonthCount, (t.category_id, t.channel_id)),
                            (GridMonthCount, (t.channel_id,)))
    }
    by_unit = defaultdict(list)
    for a in case.assignments:
        by_unit[a.unit_id].append(a)
    for unit_id, assignments in by_unit.items():
        c = assignment_counts(assignments)
        if any(a.signed_at is not None for a in assignments):
            c.update(outcome(t, case.callbacks, case.investigations, unit_id=unit_id))
        out[(UnitMonthCount, (month, unit_id, t.category_id, t.channel_id))] = c
    return out
