"""What a user may do to a ticket right now: the one answer behind the API's `allowed_actions` and the workbench's buttons."""

from datetime import datetime

from gridgov.callbacks.models import Callback, Investigation
from gridgov.core.errors import DomainError
from gridgov.tickets import access, lifecycle
from gridgov.tickets.lifecycle import Case
from gridgov.tickets.models import Extension
from gridgov.tickets.states import TRANSITIONS

# Every verb a user can take on an existing ticket, in the order of the transition table (receive creates one).
VERBS = tuple(verb for verb in TRANSITIONS if verb != "receive")
# Verbs whose permission is checked for the acting unit's own assignment, as `actions` does.
UNIT_SCOPED_VERBS = frozenset({"sign", "return", "request_extension", "report"})
EXTENSION_VERBS = frozenset({"approve_extension", "deny_extension"})


def targets(case: Case, verb: str) -> list[dict]:
    """Return what a verb can act on: each current assignment, pending extension or open investigation, or the ticket."""
    if verb in EXTENSION_VERBS:
        return [{"extension": e} for e in case.extensions if e.state == Extension.State.PENDING]
    if TRANSITIONS[verb].assignment_sources is not None:
        return [{"assignment": a} for a in case.current()]
    if verb == "conclude_investigation":
        return [{"investigation": i} for i in case.investigations if i.state == Investigation.State.OPEN]
    return [{}]


def _refused_by_lifecycle(case: Case, verb: str, target: dict, now: datetime, has_children: bool) -> bool:
    """Apply the table's state checks, plus the few rules of `lifecycle` and `actions` a user would otherwise hit after clicking."""
    assignment = target.get("assignment") or getattr(target.get("extension"), "assignment", None)
    try:
        lifecycle.check(case, verb, assignment)
    except DomainError:
        return True
    if verb == "request_extension":
        pending = any(e.assignment_id == assignment.pk and e.state == Extension.State.PENDING for e in case.extensions)
        return pending or now > assignment.handle_deadline
    if verb == "open_investigation":
        answered = [c for c in case.callbacks if c.answered]
        unsatisfied = bool(answered) and answered[-1].satisfaction == Callback.Satisfaction.UNSATISFIED
        return not unsatisfied or any(i.state == Investigation.State.OPEN for i in case.investigations)
    if verb == "reopen":
        # lifecycle.reopen waits for the finding, so the button would only lead to a refusal.
        return any(i.state == Investigation.State.OPEN for i in case.investigations)
    if verb in ("merge", "reject"):
        return has_children  # a parent stays a valid parent: split its children off first
    return False


def allowed_actions(user, case: Case, now: datetime, *, has_children: bool = False) -> list[dict]:
    """Return the verbs the user can do on the ticket now, one entry per assignment, extension or investigation."""
    allowed = []
    for verb in VERBS:
        t = TRANSITIONS[verb]
        for target in targets(case, verb):
            if _refused_by_lifecycle(case, verb, target, now, has_children):
                continue
            assignment = target.get("assignment")
            unit_id = assignment.unit_id if verb in UNIT_SCOPED_VERBS else None
            if not access.can(user, t.permission, case.ticket, unit_id=unit_id):
                continue
            allowed.append({
                "verb": verb, "label": t.label, "assignment_id": assignment.pk if assignment else None,
                "extension_id": target["extension"].pk if "extension" in target else None,
                "investigation_id": target["investigation"].pk if "investigation" in target else None,
            })
    return allowed
