"""Ticket queries shared by the API and the web UI: list filters, orderings and the role inboxes."""

from datetime import datetime, time, timedelta

from django.db.models import BooleanField, Exists, F, OuterRef, Q, Value, When
from django.db.models import Case as SqlCase

from gridgov.core import clock
from gridgov.tickets import access
from gridgov.callbacks.models import Callback, Investigation
from gridgov.tickets.models import Assignment, Extension
from gridgov.tickets.states import DONE_STATES, OPEN_ASSIGNMENT_STATES, AssignmentState, TicketState

ORDERINGS = {
    "received_at": ("received_at", "id"),
    "-received_at": ("-received_at", "-id"),
    "handle_deadline": (F("handle_deadline").asc(nulls_last=True), "id"),
    "-handle_deadline": (F("handle_deadline").desc(nulls_last=True), "-id"),
    "number": ("number",),
    "-number": ("-number",),
}


def filter_tickets(user, qs, f, now: datetime):
    """Apply list filters (any object with the attributes of api.schemas.TicketFilters) to a visibility-filtered queryset."""
    if f.state:
        qs = qs.filter(state__in=f.state)
    if f.channel:
        qs = qs.filter(channel_id=f.channel)
    if f.category:
        # Category codes are hierarchical, so a prefix selects the category and all its descendants.
        qs = qs.filter(category__code__startswith=f.category)
    if f.area:
        qs = qs.filter(area__code__startswith=f.area)
    if f.unit:
        qs = qs.filter(Exists(Assignment.objects.filter(ticket=OuterRef("pk"), unit_id=f.unit)))
    if f.received_from:
        qs = qs.filter(received_at__gte=datetime.combine(f.received_from, time.min, tzinfo=clock.LOCAL_TZ))
    if f.received_to:
        qs = qs.filter(received_at__lt=datetime.combine(f.received_to + timedelta(days=1), time.min, tzinfo=clock.LOCAL_TZ))
    if f.q:
        match = Q(number__iexact=f.q) | Q(title__icontains=f.q) | Q(description__icontains=f.q)
        if may_search_phone(user):
            match |= Q(citizen_phone=f.q)
        qs = qs.filter(match)
    if f.overdue is not None:
        late = (Q(handle_deadline__lt=now) & ~Q(state__in=DONE_STATES)) | Q(closed_at__gt=F("handle_deadline"))
        qs = qs.alias(late=SqlCase(When(late, then=Value(True)), default=Value(False), output_field=BooleanField()))
        qs = qs.filter(late=f.overdue)
    return qs


def may_search_phone(user) -> bool:
    # Matching a phone number reveals who called, so only users who may see personal data on every
    # ticket they can see may use it; otherwise the search would be a back door around the masking.
    viewing = [g for g in access.grants_of(user) if "ticket.view" in g.perms]
    return bool(viewing) and all("pii.view" in g.perms for g in viewing)




# ---------------------------------------------------------------- role inboxes

def _unit_ids(user) -> set[int]:
    return {g.unit_id for g in access.grants_of(user) if g.unit_id}


def _my_assignments(user, perms: set[str], **conditions):
    """Assignments of the current round the user acts on: their units', or every unit's for area-wide grants of `perms`."""
    qs = Assignment.objects.filter(ticket=OuterRef("pk"), round=OuterRef("dispatch_round"), **conditions)
    if any(g.area_code and perms & g.perms for g in access.grants_of(user)):
        return qs
    return qs.filter(unit_id__in=_unit_ids(user))


def _open_with_deadline(user, **deadline):
    """Tickets whose deadline matches: for the centre any ticket not done; for a unit, its own open work."""
    if any(g.area_code and {"ticket.sign", "ticket.dispatch"} & g.perms for g in access.grants_of(user)):
        # DESIGN §3: a ticket is overdue while its deadline has passed and it is not done, whoever holds it.
        return Q(**deadline) & ~Q(state__in=DONE_STATES)
    return Q(Exists(_my_assignments(user, set(), state__in=OPEN_ASSIGNMENT_STATES, **deadline)))


# Each inbox: (label, the permissions that make it relevant, the condition on visible tickets given user and now).
INBOXES = {
    "to_dispatch": ("待派单", {"ticket.dispatch"}, lambda u, now: Q(state__in=(TicketState.RECEIVED, TicketState.RETURNED))),
    "to_sign": ("待签收", {"ticket.sign"}, lambda u, now: Q(Exists(_my_assignments(u, {"ticket.sign"}, state=AssignmentState.PENDING)))),
    "to_handle": ("待办理", {"ticket.report"}, lambda u, now: Q(Exists(_my_assignments(u, {"ticket.report"}, state=AssignmentState.SIGNED)))),
    # 即将超期 here is "due within a day"; the share-of-limit warning belongs to the deadline scan (issue 7).
    "due_soon": ("即将超期", {"ticket.sign", "ticket.dispatch"},
                 lambda u, now: _open_with_deadline(u, handle_deadline__gt=now, handle_deadline__lte=now + timedelta(days=1))),
    "overdue": ("已超期", {"ticket.sign", "ticket.dispatch"}, lambda u, now: _open_with_deadline(u, handle_deadline__lt=now)),
    "ext_pending": ("待审核延期", {"ticket.decide_extension"},
                    lambda u, now: Q(Exists(Extension.objects.filter(assignment__ticket=OuterRef("pk"), state=Extension.State.PENDING)))),
    "to_close": ("待结案", {"ticket.close"}, lambda u, now: Q(state=TicketState.REPORTED)),
    "to_callback": ("待回访", {"ticket.callback"},
                    lambda u, now: Q(state=TicketState.CLOSED) & ~Q(Exists(Callback.objects.filter(ticket=OuterRef("pk"))))),
    "to_investigate": ("待调查", {"investigation.open", "investigation.conclude"}, lambda u, now: (
        Q(Exists(Investigation.objects.filter(ticket=OuterRef("pk"), state=Investigation.State.OPEN)))
        | Q(state=TicketState.CLOSED) & Q(Exists(Callback.objects.filter(
            ticket=OuterRef("pk"), satisfaction=Callback.Satisfaction.UNSATISFIED, investigation__isnull=True))))),
    "mine": ("我创建的", {"ticket.receive"}, lambda u, now: Q(created_by=u)),
    "all": ("全部工单", {"ticket.view"}, lambda u, now: Q()),
}


def inboxes_for(user) -> list[str]:
    """Return the inbox keys relevant to the user's permissions, in menu order."""
    perms = set().union(*(g.perms for g in access.grants_of(user))) if access.grants_of(user) else set()
    return [key for key, (_label, needs, _cond) in INBOXES.items() if needs & perms]


def inbox(user, key: str, now: datetime):
    """Return the visible tickets of one inbox (KeyError for an unknown key)."""
    _label, _needs, condition = INBOXES[key]
    return access.visible_to(user).filter(condition(user, now))
