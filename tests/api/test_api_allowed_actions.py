"""`allowed_actions` offers exactly what the actions then accept, for every persona in every kind of state."""

from datetime import timedelta

import pytest
from django.db import transaction

from gridgov.core.errors import DomainError
from gridgov.tickets import access, actions
from gridgov.tickets.api import VERB_BODIES, load_case
from gridgov.tickets.available import allowed_actions, targets
from tests.api.helpers import make_ticket

PERSONAS = ["operator", "dispatcher", "handler_a", "handler_b", "handler_city", "leader_a", "grid_worker", "investigator",
            "viewer", "admin"]


class Rollback(Exception):
    """Undo a trial action."""


def _lead(t):
    return t.assignments.get(role="lead")


def scenario(world, name):
    """Build a ticket in the named situation."""
    w = world
    t = make_ticket(w)
    if name == "received":
        return t
    if name == "merged":
        actions.do_merge(w.dispatcher, t.pk, parent_id=make_ticket(w, title="主单").pk)
        return t
    if name == "parent":
        actions.do_merge(w.dispatcher, make_ticket(w, title="子单").pk, parent_id=t.pk)
        return t
    actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=w.unit_a.pk, support_unit_ids=[w.dept_city.pk])
    if name == "dispatched":
        return t
    if name == "returned":
        actions.do_return(w.handler_a, t.pk, assignment_id=_lead(t).pk, reason="不属于本街道")
        return t
    actions.do_sign(w.handler_a, t.pk, assignment_id=_lead(t).pk)
    if name == "signed_with_pending_extension":
        actions.do_request_extension(w.handler_a, t.pk, assignment_id=_lead(t).pk, amount=2, limit_unit="work_days", reason="协调")
        return t
    actions.do_report(w.handler_a, t.pk, assignment_id=_lead(t).pk, result="已处理")
    if name == "reported":
        return t
    actions.do_close(w.dispatcher, t.pk)
    actions.do_callback(w.operator, t.pk, method="phone", satisfaction="unsatisfied", resolved=False)
    if name == "closed_unsatisfied":
        return t
    actions.do_open_investigation(w.investigator, t.pk)
    return t  # closed_investigating


def trial_kwargs(world, verb, target, spare):
    """Valid arguments for `do_<verb>` on the given target."""
    w = world
    ids = {
        "assignment_id": getattr(target.get("assignment"), "pk", None),
        "extension_id": getattr(target.get("extension"), "pk", None),
        "investigation_id": getattr(target.get("investigation"), "pk", None),
    }
    return {k: v for k, v in {
        "reject": {"reason": "不属于受理范围"},
        "dispatch": {"lead_unit_id": w.unit_a.pk},
        "sign": {"assignment_id": ids["assignment_id"]},
        "return": {"assignment_id": ids["assignment_id"], "reason": "不属于本单位"},
        "request_extension": {"assignment_id": ids["assignment_id"], "amount": 1, "limit_unit": "work_days", "reason": "协调"},
        "approve_extension": {"extension_id": ids["extension_id"]},
        "deny_extension": {"extension_id": ids["extension_id"], "note": "不同意"},
        "report": {"assignment_id": ids["assignment_id"], "result": "已处理"},
        "close": {},
        "rework": {"reason": "未整改到位"},
        "merge": {"parent_id": spare.pk},
        "unmerge": {},
        "callback": {"method": "phone", "satisfaction": "satisfied", "resolved": True},
        "open_investigation": {},
        "conclude_investigation": {"investigation_id": ids["investigation_id"], "finding": "not_responsible"},
        "reopen": {"reason": "群众再次反映"},
    }[verb].items()}


def accepted(user, ticket, verb, kwargs) -> bool:
    """Try the action and undo it; True when it went through."""
    try:
        with transaction.atomic():
            getattr(actions, f"do_{verb}")(user, ticket.pk, **kwargs)
            raise Rollback
    except Rollback:
        return True
    except DomainError:
        return False


@pytest.mark.parametrize("name", ["received", "merged", "parent", "dispatched", "returned", "signed_with_pending_extension", "reported",
                                  "closed_unsatisfied", "closed_investigating"])
def test_offered_iff_accepted(world, fake_clock, name):
    t = scenario(world, name)
    spare = make_ticket(world, title="另一张工单")
    fake_clock.advance(hours=1)
    checked = 0
    for persona in PERSONAS:
        user = getattr(world, persona)
        if not access.visible_to(user).filter(pk=t.pk).exists():
            continue
        case = load_case(t.pk)
        has_children = t.merged_children.exists()
        offered = {(a["verb"], a["assignment_id"], a["extension_id"], a["investigation_id"])
                   for a in allowed_actions(user, case, fake_clock.at, has_children=has_children)}
        for verb in VERB_BODIES:
            found = targets(case, verb) or [{}]
            for target in found:
                key = (verb, getattr(target.get("assignment"), "pk", None), getattr(target.get("extension"), "pk", None),
                       getattr(target.get("investigation"), "pk", None))
                ok = accepted(user, t, verb, trial_kwargs(world, verb, target, spare))
                assert (key in offered) == ok, (name, persona, key, "offered" if key in offered else "not offered")
                checked += 1
    assert checked > len(VERB_BODIES)


def test_extension_not_offered_after_the_deadline(world, fake_clock):
    t = scenario(world, "signed_with_pending_extension")
    actions.do_deny_extension(world.dispatcher, t.pk, extension_id=_lead(t).extensions.get().pk, note="否")
    case = load_case(t.pk)
    assert "request_extension" in {a["verb"] for a in allowed_actions(world.handler_a, case, fake_clock.at)}
    late = _lead(t).handle_deadline + timedelta(minutes=1)
    assert "request_extension" not in {a["verb"] for a in allowed_actions(world.handler_a, case, late)}
