"""催办 and 督办: `do_*` actions that check access and state, then write, note it on the ticket's timeline, audit and notify atomically."""

from datetime import date

from django.db import transaction

from gridgov.accounts.people import responsible_unit_ids, unit_staff
from gridgov.audit.log import audit
from gridgov.core import clock
from gridgov.core.errors import Forbidden, InvalidInput, InvalidState, NotFound
from gridgov.notifications.api import notify as send
from gridgov.supervision.models import Supervision, Urge
from gridgov.tickets.access import can, get_visible
from gridgov.tickets.models import Assignment, Ticket
from gridgov.tickets.states import DONE_STATES, OPEN_ASSIGNMENT_STATES
from gridgov.tickets.timeline import append_event

URGE = "ticket.urge"
SUPERVISE = "ticket.supervise"
MAX_TEXT = 1000


def _text(value, field: str, label: str, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"需要填写：{label}", {"field": field})
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{label}不能超过{MAX_TEXT}字", {"field": field})
    return text


def _date(value) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise InvalidInput("请填写要求办结日期（如 2026-03-20）", {"field": "due_date"}) from None


def _locked(actor, ticket_id, perm: str, refusal: str) -> Ticket:
    """A visible ticket (else NotFound), locked as the ticket actions lock it, that `actor` holds `perm` over (else Forbidden)."""
    get_visible(actor, ticket_id)
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket_id)
    if not can(actor, perm, ticket):
        raise Forbidden(refusal)
    return ticket


def subject(ticket: Ticket) -> str:
    """How an in-app text names a ticket: number and category, never the title (it often carries the citizen's name)."""
    return f"{ticket.number} {ticket.category.name}"


def record_urge(ticket: Ticket, assignment: Assignment, actor, now, message: str, source: str = Urge.Source.MANUAL,
                notify: bool = True) -> Urge:
    """Write one urge on an open assignment of a ticket the caller has locked: timeline, audit, the unit's staff told.

    The deadline scan calls this too (source auto, actor None, notify=False: its 已超期 notice already says so),
    so every urge is counted the same way.
    """
    if ticket.state in DONE_STATES:
        raise InvalidState(f"工单当前状态为“{ticket.get_state_display()}”，不能催办")
    if assignment.state not in OPEN_ASSIGNMENT_STATES or assignment.round != ticket.dispatch_round:
        raise InvalidState(f"该交办记录当前为“{assignment.get_state_display()}”，只能催办待签收或办理中的交办")
    urge = Urge.objects.create(ticket=ticket, assignment=assignment, unit=assignment.unit, by=actor if getattr(actor, "pk", None) else None,
                               at=now, message=message, source=source)
    label = Urge.Source(source).label
    append_event(ticket, actor, now, "urge", f"{label}{assignment.unit.name}（{assignment.get_role_display()}）：{message}",
                 urge=urge.pk, assignment=assignment.pk, unit=assignment.unit_id, source=source)
    audit(actor, "ticket.urge", urge, ticket=ticket.number, unit=assignment.unit_id, source=source)
    if notify:
        send(unit_staff([assignment.unit_id]), "urged", f"催办：{subject(ticket)}",
             f"{assignment.unit.name}承办的工单{ticket.number}被{label}：{message}", ticket=ticket, now=now)
    return urge


def do_urge(actor, ticket_id, *, assignment_id, message: str, now=None) -> Urge:
    """催办: the centre urges the unit holding an open assignment, with a message."""
    message = _text(message, "message", "催办意见")
    with transaction.atomic():
        ticket = _locked(actor, ticket_id, URGE, "只有网格化中心可以催办")
        assignment = (Assignment.objects.select_related("unit").filter(ticket=ticket, pk=assignment_id).first()
                      if str(assignment_id).isdigit() else None)
        if assignment is None:
            raise NotFound("交办记录不存在")
        return record_urge(ticket, assignment, actor, now or clock.now(), message)


def open_supervision(ticket_id) -> Supervision | None:
    """The ticket's supervision still in force, if any."""
    return Supervision.objects.filter(ticket_id=ticket_id, ended_at__isnull=True).first()


def do_supervise(actor, ticket_id, *, note: str, due_date, now=None) -> Supervision:
    """领导督办: a leader or the centre puts a ticket under supervision with a note and the date it must be done by."""
    note = _text(note, "note", "督办意见")
    due = _date(due_date)
    with transaction.atomic():
        ticket = _locked(actor, ticket_id, SUPERVISE, "只有领导或网格化中心可以督办")
        now = now or clock.now()
        if ticket.state in DONE_STATES:
            raise InvalidState(f"工单当前状态为“{ticket.get_state_display()}”，不能督办")
        if open_supervision(ticket.pk):
            raise InvalidState("该工单已在督办中")
        if due < clock.local_date(now):
            raise InvalidInput("要求办结日期不能早于今天", {"field": "due_date"})
        sup = Supervision.objects.create(ticket=ticket, by=actor, at=now, note=note, due_date=due)
        append_event(ticket, actor, now, "supervise", f"领导督办，要求{due:%Y-%m-%d}前办结：{note}",
                     supervision=sup.pk, due_date=due.isoformat())
        audit(actor, "ticket.supervise", sup, ticket=ticket.number, due_date=due.isoformat())
        units = responsible_unit_ids([ticket.pk]).get(ticket.pk, set())
        send(unit_staff(units), "supervised", f"领导督办：{subject(ticket)}",
             f"要求{due:%Y年%m月%d日}前办结。督办意见：{note}", ticket=ticket, now=now)
    return sup


def do_end_supervision(actor, ticket_id, *, note: str, now=None) -> Supervision:
    """结束督办, with a note saying why."""
    note = _text(note, "note", "结束说明")
    with transaction.atomic():
        ticket = _locked(actor, ticket_id, SUPERVISE, "只有领导或网格化中心可以结束督办")
        sup = Supervision.objects.select_for_update().filter(ticket=ticket, ended_at__isnull=True).first()
        if sup is None:
            raise InvalidState("该工单未在督办中")
        now = now or clock.now()
        sup.ended_at, sup.ended_by, sup.end_note = now, actor, note
        sup.save(update_fields=["ended_at", "ended_by", "end_note"])
        append_event(ticket, actor, now, "end_supervision", f"结束督办：{note}", supervision=sup.pk)
        audit(actor, "ticket.end_supervision", sup, ticket=ticket.number)
    return sup
