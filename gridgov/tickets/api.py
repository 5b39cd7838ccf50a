"""Ticket endpoints: receive, list, detail, and one endpoint per lifecycle verb."""

from datetime import datetime

from ninja import Path, Query, Router, Status

from gridgov.api.schemas import (
    ERRORS, MAX_ID, ApproveExtensionIn, CallbackIn, CloseIn, ConcludeInvestigationIn, DenyExtensionIn,
    DispatchIn, MergeIn, OpenInvestigationIn, PageParams, RejectIn, ReopenIn, ReportIn, RequestExtensionIn, ReturnIn,
    ReworkIn, SignIn, TicketDetail, TicketFilters, TicketIn, TicketPage, UnmergeIn,
)
from gridgov.audit.log import audit
from gridgov.callbacks.models import Callback, Investigation
from gridgov.core import clock
from gridgov.core.errors import NotFound
from gridgov.tickets import access, actions
# The allowed-actions computation lives in `available`, shared with the web workbench.
from gridgov.tickets.available import UNIT_SCOPED_VERBS, allowed_actions
from gridgov.tickets.queries import ORDERINGS, filter_tickets
from gridgov.tickets.deadlines import is_overdue
from gridgov.tickets.lifecycle import Case
from gridgov.tickets.models import Extension, Ticket
from gridgov.tickets.states import TRANSITIONS, TicketState, verb_label

router = Router()

TicketId = Path[int, {"ge": 1, "le": MAX_ID, "description": "工单 id"}]

# The body schema of each verb; its field names are the keyword arguments of the matching `actions.do_<verb>`.
VERB_BODIES = {
    "reject": RejectIn,
    "dispatch": DispatchIn,
    "sign": SignIn,
    "return": ReturnIn,
    "request_extension": RequestExtensionIn,
    "approve_extension": ApproveExtensionIn,
    "deny_extension": DenyExtensionIn,
    "report": ReportIn,
    "close": CloseIn,
    "rework": ReworkIn,
    "merge": MergeIn,
    "unmerge": UnmergeIn,
    "callback": CallbackIn,
    "open_investigation": OpenInvestigationIn,
    "conclude_investigation": ConcludeInvestigationIn,
    "reopen": ReopenIn,
}


# ---------------------------------------------------------------- endpoints


@router.post("", response={201: TicketDetail, **ERRORS}, operation_id="tickets_create", summary="受理登记工单")
def create_ticket(request, payload: TicketIn):
    """受理: register a ticket, locate it and attach the routing suggestion."""
    ticket = actions.do_receive(request.auth, **payload.dict())
    return Status(201, ticket_detail(request.auth, ticket.pk, reason="api create"))


@router.get("", response={200: TicketPage, **ERRORS}, operation_id="tickets_list", summary="工单列表")
def list_tickets(request, filters: Query[TicketFilters], page: Query[PageParams]):
    """List the tickets the user may see, filtered, ordered and paginated."""
    now = clock.now()
    qs = filter_tickets(request.auth, access.visible_to(request.auth), filters, now)
    items = qs.select_related("channel", "category", "area").order_by(*ORDERINGS[filters.ordering])
    items = items[page.offset:page.offset + page.limit]
    return {"count": qs.count(), "items": [_list_item(t, now) for t in items]}


@router.get("/{ticket_id}", response={200: TicketDetail, **ERRORS}, operation_id="tickets_get", summary="工单详情")
def get_ticket(request, ticket_id: TicketId):
    """One ticket with its assignments, extensions, callbacks, investigations, timeline and allowed actions."""
    access.get_visible(request.auth, ticket_id)
    return ticket_detail(request.auth, ticket_id, reason="api detail")


def _verb_endpoint(verb: str, body):
    """Build the endpoint of one verb; `body` is evaluated here so each verb documents its own schema."""
    action = getattr(actions, f"do_{verb}")

    def endpoint(request, ticket_id: TicketId, payload: body):
        action(request.auth, ticket_id, **payload.dict())
        # The action has just checked visibility; checking again could turn a done action into a 404.
        return ticket_detail(request.auth, ticket_id, reason=f"api {verb}")

    endpoint.__name__ = f"ticket_{verb}"
    return endpoint


def _verb_description(verb: str) -> str:
    """Describe a verb from the transition table, so the document cannot drift from the rules."""
    t = TRANSITIONS[verb]
    sources = "、".join(s.label for s in TicketState if s in t.sources)
    target = f"，完成后工单为“{TicketState(t.target).label}”" if t.target else ""
    on = "作用于本单位的一条交办记录；" if verb in UNIT_SCOPED_VERBS else ""
    return f"{t.label}。{on}工单为“{sources}”时可用{target}。所需权限 `{t.permission}`。返回更新后的工单详情。"


for _verb, _body in VERB_BODIES.items():
    router.post(
        f"/{{ticket_id}}/actions/{_verb}", response={200: TicketDetail, **ERRORS}, operation_id=f"tickets_{_verb}",
        summary=TRANSITIONS[_verb].label, description=_verb_description(_verb),
    )(_verb_endpoint(_verb, _body))


@router.post("/{ticket_id}/actions/{verb}", response=ERRORS, include_in_schema=False)
def unknown_verb(request, ticket_id: str, verb: str):
    """Answer an unknown verb with the structured 404 instead of Django's HTML page."""
    raise NotFound(f"没有“{verb[:30]}”这个工单操作")


# ---------------------------------------------------------------- list


def _overdue(ticket: Ticket, now: datetime) -> bool:
    return is_overdue(ticket.handle_deadline, now, ticket.closed_at)


def _list_item(t: Ticket, now: datetime) -> dict:
    return {
        "id": t.pk, "number": t.number, "channel": {"code": t.channel_id, "name": t.channel.name},
        "category": {"code": t.category.code, "name": t.category.name}, "title": t.title,
        "state": t.state, "state_label": t.get_state_display(), "urgency": t.urgency,
        "area": {"code": t.area_id, "name": t.area.name} if t.area_id else None,
        "received_at": t.received_at, "handle_deadline": t.handle_deadline, "closed_at": t.closed_at,
        "overdue": _overdue(t, now),
    }


# ---------------------------------------------------------------- detail


def _name(user) -> str:
    return str(user) if user is not None else ""


def load_case(ticket_id) -> Case:
    """Load a ticket and everything shown with it in a fixed number of queries."""
    ticket = Ticket.objects.select_related("channel", "category", "area", "suggested_lead", "parent", "created_by").get(pk=ticket_id)
    assignments = list(ticket.assignments.select_related("unit"))
    by_id = {a.pk: a for a in assignments}
    extensions = list(Extension.objects.filter(assignment__ticket=ticket).select_related("requested_by", "decided_by"))
    for e in extensions:
        e.assignment = by_id[e.assignment_id]
    return Case(
        ticket=ticket, assignments=assignments, extensions=extensions,
        callbacks=list(Callback.objects.filter(ticket=ticket).select_related("by")),
        investigations=list(Investigation.objects.filter(ticket=ticket).select_related("responsible_unit", "opened_by")),
        events=list(ticket.events.select_related("actor")),
    )


def ticket_detail(user, ticket_id, *, reason: str) -> dict:
    """Serialise a ticket the user has already been allowed to see; unmasked personal data is audited."""
    case = load_case(ticket_id)
    t, now = case.ticket, clock.now()
    pii = access.can_view_pii(user, t)
    if pii and (t.citizen_name or t.citizen_phone):
        audit(user, "pii.view", t, reason=reason)
    current_round = t.dispatch_round
    children = list(t.merged_children.order_by("id").values("id", "number"))
    return {
        "id": t.pk, "number": t.number, "channel": {"code": t.channel_id, "name": t.channel.name},
        "external_id": t.external_id, "category": {"code": t.category.code, "name": t.category.name},
        "title": t.title, "description": t.description, "address": t.address, "lon": t.lon, "lat": t.lat,
        "area": {"code": t.area_id, "name": t.area.name} if t.area_id else None,
        "located_by": t.located_by, "routing_reason": t.routing_reason,
        "suggested_lead": {"id": t.suggested_lead_id, "name": t.suggested_lead.name} if t.suggested_lead_id else None,
        "suggested_support": list(t.suggested_support or []),
        "citizen_name": t.citizen_name if pii else access.mask_name(t.citizen_name),
        "citizen_phone": t.citizen_phone if pii else access.mask_phone(t.citizen_phone),
        "pii_masked": not pii, "urgency": t.urgency, "state": t.state, "state_label": t.get_state_display(),
        "parent": {"id": t.parent_id, "number": t.parent.number} if t.parent_id else None,
        "merged_children": children,
        "received_at": t.received_at, "dispatched_at": t.dispatched_at, "closed_at": t.closed_at,
        "handle_deadline": t.handle_deadline, "overdue": _overdue(t, now), "dispatch_round": t.dispatch_round,
        "created_by": _name(t.created_by),
        "assignments": [{
            "id": a.pk, "unit": {"id": a.unit_id, "name": a.unit.name}, "role": a.role, "role_label": a.get_role_display(),
            "round": a.round, "current": a.round == current_round, "state": a.state, "state_label": a.get_state_display(),
            "dispatched_at": a.dispatched_at, "sign_deadline": a.sign_deadline, "signed_at": a.signed_at,
            "handle_deadline": a.handle_deadline, "reported_at": a.reported_at, "returned_at": a.returned_at,
            "result": a.result, "return_reason": a.return_reason, "rework_count": a.rework_count,
        } for a in case.assignments],
        "extensions": [{
            "id": e.pk, "assignment_id": e.assignment_id, "requested_at": e.requested_at, "requested_by": _name(e.requested_by),
            "amount": e.amount, "limit_unit": e.limit_unit, "reason": e.reason, "state": e.state,
            "state_label": e.get_state_display(), "decided_at": e.decided_at, "decided_by": _name(e.decided_by),
            "decision_note": e.decision_note, "old_deadline": e.old_deadline, "new_deadline": e.new_deadline,
        } for e in case.extensions],
        "callbacks": [{
            "id": c.pk, "at": c.at, "by": _name(c.by), "method": c.method, "answered": c.answered,
            "satisfaction": c.satisfaction, "satisfaction_label": c.get_satisfaction_display() if c.satisfaction else "",
            "resolved": c.resolved, "note": c.note,
        } for c in case.callbacks],
        "investigations": [{
            "id": i.pk, "state": i.state, "state_label": i.get_state_display(), "opened_at": i.opened_at,
            "opened_by": _name(i.opened_by), "finding": i.finding, "finding_label": i.get_finding_display() if i.finding else "",
            "responsible_unit": {"id": i.responsible_unit_id, "name": i.responsible_unit.name} if i.responsible_unit_id else None,
            "deduction_points": i.deduction_points, "concluded_at": i.concluded_at, "note": i.note,
        } for i in case.investigations],
        "timeline": [{
            "seq": ev.seq, "at": ev.at, "actor": _name(ev.actor) or "系统", "verb": ev.verb,
            "verb_label": verb_label(ev.verb),
            "from_state": ev.from_state, "to_state": ev.to_state, "assignment_id": ev.assignment_id, "note": ev.note,
        } for ev in case.events],
        "allowed_actions": allowed_actions(user, case, now, has_children=bool(children)),
    }
