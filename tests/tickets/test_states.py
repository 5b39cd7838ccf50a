"""The transition table is consistent with itself, the permission catalogue, the lifecycle and the actions (no database)."""

from collections import deque

import pytest

from gridgov.accounts.permissions import PERMISSIONS, ROLES
from gridgov.tickets import actions, lifecycle
from gridgov.tickets.states import (
    DONE_STATES,
    IN_HANDLING,
    OPEN_ASSIGNMENT_STATES,
    TRANSITIONS,
    AssignmentState,
    TicketState,
    allowed_verbs,
    state_label,
)

S, A = TicketState, AssignmentState

# Verbs whose effect on the ticket depends on the assignment's role: the lead's move, or no move for support.
LEAD_EFFECT = {"sign": S.SIGNED, "return": S.RETURNED, "report": S.REPORTED}
# Verbs that never change the ticket state (target None or target == the only source).
STAY_VERBS = {"request_extension", "approve_extension", "deny_extension", "callback", "open_investigation", "conclude_investigation"}
LIFECYCLE_FUNCTION = {"return": "return_"}


def _targets(verb, source):
    """Ticket states `verb` can lead to from `source`, per the table."""
    t = TRANSITIONS[verb]
    if t.target is not None:
        return {t.target}
    return {source, LEAD_EFFECT[verb]} if verb in LEAD_EFFECT else {source}


def _graph():
    edges = {}
    for verb, t in TRANSITIONS.items():
        for source in t.sources:
            for target in _targets(verb, source):
                edges.setdefault(source, set()).add((verb, target))
    return edges


@pytest.mark.parametrize("verb", sorted(TRANSITIONS))
def test_every_verb_is_complete(verb):
    t = TRANSITIONS[verb]
    assert t.verb == verb
    assert t.label and t.label.strip() and not t.label.isascii(), "every verb has a Chinese label"
    assert t.permission in PERMISSIONS, f"{verb} uses {t.permission!r}, which is not in the catalogue"
    assert t.sources, f"{verb} has no source state"
    assert all(s is None or s in S.values for s in t.sources)
    assert t.target is None or t.target in S.values
    for name in t.required:
        assert name in lifecycle.FIELD_LABELS, f"required field {name!r} of {verb} has no Chinese label"
    # One pure lifecycle function and one do_* action per verb.
    assert callable(getattr(lifecycle, LIFECYCLE_FUNCTION.get(verb, verb)))
    assert callable(getattr(actions, f"do_{verb}"))


@pytest.mark.parametrize("verb", sorted(TRANSITIONS))
def test_some_role_can_do_every_verb_besides_admin(verb):
    perm = TRANSITIONS[verb].permission
    assert [role for role, (_label, perms) in ROLES.items() if role != "admin" and perm in perms]


def test_assignment_verbs_declare_assignment_sources():
    assignment_verbs = {"sign", "return", "request_extension", "approve_extension", "deny_extension", "report"}
    declared = {verb for verb, t in TRANSITIONS.items() if t.assignment_sources is not None}
    assert declared == assignment_verbs
    for verb in assignment_verbs:
        t = TRANSITIONS[verb]
        assert t.assignment_sources and t.assignment_sources <= set(A.values)
        # An assignment can only be acted on while its ticket is with the units.
        assert t.sources == IN_HANDLING
        assert t.target is None
    assert TRANSITIONS["sign"].assignment_sources == {A.PENDING}
    assert TRANSITIONS["return"].assignment_sources == {A.PENDING}
    assert TRANSITIONS["report"].assignment_sources == {A.SIGNED}
    assert TRANSITIONS["request_extension"].assignment_sources == {A.SIGNED}
    # A decision never acts on a withdrawn or returned assignment.
    for verb in ("approve_extension", "deny_extension"):
        assert not TRANSITIONS[verb].assignment_sources & {A.WITHDRAWN, A.RETURNED}


def test_verbs_without_target_are_exactly_the_role_dependent_and_staying_ones():
    no_target = {verb for verb, t in TRANSITIONS.items() if t.target is None}
    assert no_target == set(LEAD_EFFECT) | {"request_extension", "approve_extension", "deny_extension"}
    for verb in STAY_VERBS:
        t = TRANSITIONS[verb]
        assert t.target is None or t.sources == {t.target}, f"{verb} must not move the ticket"


def test_receive_is_the_only_entry():
    entries = [verb for verb, t in TRANSITIONS.items() if None in t.sources]
    assert entries == ["receive"]
    assert TRANSITIONS["receive"].sources == {None}
    assert TRANSITIONS["receive"].target == S.RECEIVED


def test_every_state_is_reachable_from_receive():
    edges = _graph()
    seen, queue = {S.RECEIVED}, deque([S.RECEIVED])
    while queue:
        for _verb, target in edges.get(queue.popleft(), ()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    assert seen == set(S.values)


def test_every_state_but_rejected_has_a_way_out():
    edges = _graph()
    for state in S.values:
        leaving = {verb for verb, target in edges.get(state, ()) if target != state}
        if state == S.REJECTED:
            assert not leaving, "不予受理 is final"
        else:
            assert leaving, f"{state} is a dead end"


def test_done_states_only_leave_by_unmerge_reopen_callback_or_investigation():
    allowed_from_done = {"unmerge", "reopen", "callback", "open_investigation", "conclude_investigation"}
    assert DONE_STATES == {S.CLOSED, S.REJECTED, S.MERGED}
    for verb, t in TRANSITIONS.items():
        if t.sources & DONE_STATES:
            assert verb in allowed_from_done, f"{verb} acts on a done ticket"
    assert set(allowed_verbs(S.CLOSED)) == {"callback", "open_investigation", "conclude_investigation", "reopen"}
    assert allowed_verbs(S.MERGED) == ["unmerge"]
    assert allowed_verbs(S.REJECTED) == []
    # Only unmerge and reopen take a ticket out of a done state; the others leave it closed.
    for verb in ("callback", "open_investigation", "conclude_investigation"):
        assert TRANSITIONS[verb].sources == {S.CLOSED} and TRANSITIONS[verb].target == S.CLOSED
    assert TRANSITIONS["unmerge"].target == S.RECEIVED and TRANSITIONS["reopen"].target == S.RECEIVED


def test_handling_verbs_never_start_in_a_done_state_or_before_dispatch():
    for verb in ("sign", "return", "report", "request_extension", "approve_extension", "deny_extension"):
        assert not TRANSITIONS[verb].sources & (DONE_STATES | {S.RECEIVED, S.RETURNED})
    assert TRANSITIONS["close"].sources == {S.REPORTED}
    assert TRANSITIONS["rework"].sources == {S.REPORTED} and TRANSITIONS["rework"].target == S.SIGNED
    assert TRANSITIONS["dispatch"].sources == {S.RECEIVED, S.RETURNED}
    assert TRANSITIONS["reject"].sources == {S.RECEIVED, S.RETURNED}
    # A ticket whose lead already reported waits for the centre's verdict and cannot be merged away.
    assert S.REPORTED not in TRANSITIONS["merge"].sources
    assert not TRANSITIONS["merge"].sources & DONE_STATES


def test_state_sets():
    assert IN_HANDLING == {S.DISPATCHED, S.SIGNED, S.REPORTED}
    assert not IN_HANDLING & DONE_STATES
    assert OPEN_ASSIGNMENT_STATES == {A.PENDING, A.SIGNED}


def test_allowed_verbs_matches_table():
    for state in S.values:
        assert set(allowed_verbs(state)) == {verb for verb, t in TRANSITIONS.items() if state in t.sources}
    assert allowed_verbs(None) == ["receive"]
    assert "close" in allowed_verbs(S.REPORTED) and "close" not in allowed_verbs(S.DISPATCHED)


def test_state_labels():
    assert state_label(None) == "新建"
    assert state_label("closed") == "已结案"
    labels = [state_label(s) for s in S.values]
    assert all(labels) and len(set(labels)) == len(labels)
    assert all(label for _value, label in A.choices)
    with pytest.raises(ValueError):
        state_label("bogus")


def test_permission_catalogue_and_roles_agree():
    for _role, (label, perms) in ROLES.items():
        assert label
        assert perms <= set(PERMISSIONS), f"{_role} carries permissions outside the catalogue"
    assert ROLES["admin"][1] == frozenset(PERMISSIONS)
