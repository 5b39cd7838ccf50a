"""The demo's bulk path writes exactly the rows the `do_*` actions write for the same plans."""

import dataclasses
import random
from datetime import datetime, timezone

import pytest
from django.db import transaction
from django.forms.models import model_to_dict

from gridgov.callbacks.models import Callback, Investigation
from gridgov.demo.district import build_master_data
from gridgov.demo.executors import ActionExecutor, BulkExecutor
from gridgov.demo.simulate import load_world, plan_year
from gridgov.metrics.models import CUBES
from gridgov.tickets.models import Assignment, Extension, NumberSequence, Ticket, TimelineEvent

END = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


def _assignment_key(a: Assignment | None):
    return None if a is None else (a.ticket.number, a.round, a.role, a.unit_id)


def _row(obj, drop=("id",), **replace):
    row = {k: v for k, v in model_to_dict(obj).items() if k not in drop}
    row.update(replace)
    return row


def snapshot() -> dict:
    """Every row the lifecycle writes, keyed by natural keys instead of database ids."""
    tickets = {t.pk: t for t in Ticket.objects.select_related("parent")}
    return {
        "tickets": sorted((_row(t, parent=t.parent.number if t.parent else None) for t in tickets.values()), key=lambda r: r["number"]),
        "assignments": sorted((_row(a, ticket=a.ticket.number) for a in Assignment.objects.select_related("ticket")),
                              key=lambda r: (r["ticket"], r["round"], r["role"], r["unit"])),
        "extensions": [_row(e, assignment=_assignment_key(e.assignment)) for e in Extension.objects.select_related("assignment__ticket").order_by("requested_at")],
        "callbacks": [_row(c, ticket=c.ticket.number) for c in Callback.objects.select_related("ticket").order_by("ticket__number", "at")],
        "investigations": [_row(i, ticket=i.ticket.number, drop=("id", "callback")) for i in Investigation.objects.select_related("ticket").order_by("ticket__number")],
        "events": [_row(e, ticket=e.ticket.number, assignment=_assignment_key(e.assignment))
                   for e in TimelineEvent.objects.select_related("ticket", "assignment__ticket").order_by("ticket__number", "seq")],
        "numbers": sorted(NumberSequence.objects.values_list("channel_id", "day", "last")),
        # Actions keep the figures incrementally, the bulk path recounts them in SQL: they must agree.
        **{model.__name__: sorted(tuple(sorted((k, str(v)) for k, v in _row(r).items() if v != 0)) for r in model.objects.all())
           for model in CUBES},
    }


def _run(executor, plans) -> dict:
    with transaction.atomic():
        executor.run(plans)
        snap = snapshot()
        transaction.set_rollback(True)
    return snap


@pytest.mark.django_db
def test_bulk_path_writes_the_same_rows_as_the_actions():
    build_master_data(seed=7)
    world = load_world()
    # Few places and categories make merges (same matter, same community) happen in a small sample.
    world = dataclasses.replace(world, leaves=world.leaves[:6], leaf_weights=[1] * 6, categories=world.categories[:12])
    plans = plan_year(world, random.Random(0), 120, END)
    verbs = {s.verb for p in plans for s in p.steps}
    # The sample must exercise every detour, or the comparison proves little.
    assert {"dispatch", "sign", "report", "close", "callback", "return", "merge", "reject", "rework",
            "request_extension", "approve_extension", "open_investigation", "conclude_investigation"} <= verbs
    bulk, by_actions = BulkExecutor(), ActionExecutor()
    rows_bulk = _run(bulk, plans)
    rows_actions = _run(by_actions, plans)
    assert bulk.refused == by_actions.refused == 0
    assert len(rows_bulk["tickets"]) == 120
    for table in rows_bulk:
        assert rows_bulk[table] == rows_actions[table], table
