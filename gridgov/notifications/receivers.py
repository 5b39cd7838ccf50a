"""Ticket events → notify(): who learns of an assignment, a return, an extension decision, a rework, an investigation.

`ticket_changed` is sent after the ticket's transaction commits, with only the ticket id and the verb; the details
(which units, which assignment) are read from the ticket's latest timeline event with that verb.
"""

import logging

from django.db import transaction

from gridgov.accounts.people import dispatchers_for, unit_staff
from gridgov.notifications.api import notify
from gridgov.tickets.models import Assignment, Ticket, TimelineEvent
from gridgov.units.models import Unit, Urgency

log = logging.getLogger("gridgov.notifications")


def _lead_unit_id(ticket: Ticket) -> int | None:
    return (Assignment.objects.filter(ticket=ticket, round=ticket.dispatch_round, role=Assignment.Role.LEAD)
            .values_list("unit_id", flat=True).first())


def _unit_name(unit_id) -> str:
    return Unit.objects.filter(pk=unit_id).values_list("name", flat=True).first() or ""


def _assigned(ticket, event):
    units = [event.data.get("lead"), *event.data.get("support", [])]
    return unit_staff(u for u in units if u), f"新交办：{ticket.number} {ticket.category.name}", event.note


def _returned(ticket, event):
    unit = _unit_name(event.assignment.unit_id) if event.assignment_id else ""
    return dispatchers_for(ticket.area_id), f"工单被回退：{ticket.number}（{unit}）", event.note


def _extension(ticket, event):
    word = "已批准" if event.verb == "approve_extension" else "已驳回"
    unit_ids = [event.assignment.unit_id] if event.assignment_id else []
    return unit_staff(unit_ids), f"延期申请{word}：{ticket.number}", event.note


def _reworked(ticket, event):
    unit_ids = [event.assignment.unit_id] if event.assignment_id else [u for u in [_lead_unit_id(ticket)] if u]
    return unit_staff(unit_ids), f"发回重办：{ticket.number}", event.note


def _investigation(ticket, event):
    unit_ids = [u for u in [_lead_unit_id(ticket)] if u]
    return unit_staff(unit_ids), f"不满意工单已发起调查：{ticket.number}", event.note


# verb → (kind, who and what)
EVENTS = {
    "dispatch": ("assigned", _assigned),
    "return": ("returned", _returned),
    "approve_extension": ("extension_decided", _extension),
    "deny_extension": ("extension_decided", _extension),
    "rework": ("reworked", _reworked),
    "open_investigation": ("investigation", _investigation),
}


def notify_event(ticket_id: int, verb: str) -> list:
    """Notify the people concerned by the ticket's latest `verb` event (not its actor); return the notifications."""
    if verb not in EVENTS:
        return []
    kind, recipients = EVENTS[verb]
    with transaction.atomic():
        ticket = Ticket.objects.select_related("category").filter(pk=ticket_id).first()
        event = (TimelineEvent.objects.filter(ticket_id=ticket_id, verb=verb).select_related("assignment")
                 .order_by("-seq").first())
        if ticket is None or event is None:
            return []
        users, title, body = recipients(ticket, event)
        users = [u for u in users if u.pk != event.actor_id]
        if not users:
            return []
        return notify(users, kind, title, body=body, ticket=ticket, urgent=ticket.urgency == Urgency.URGENT,
                      now=event.at)


def on_ticket_changed(sender, ticket_id, verb, **kwargs):
    """The signal receiver: a failure to notify is logged, never raised into the request that already committed."""
    try:
        notify_event(ticket_id, verb)
    except Exception:  # noqa: BLE001 - the ticket change is committed; only the notification is lost
        log.exception("工单 %s 的“%s”通知未能生成", ticket_id, verb)


def connect():
    from gridgov.tickets.actions import ticket_changed

    ticket_changed.connect(on_ticket_changed, dispatch_uid="gridgov.notifications.receivers")
