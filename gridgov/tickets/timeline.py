"""Timeline steps that change no state (attachments, 吹哨报到): appended to a ticket the caller has locked."""

from django.db.models import Max

from gridgov.tickets.models import Ticket, TimelineEvent


def append_event(ticket: Ticket, actor, now, verb: str, note: str = "", **data) -> TimelineEvent:
    """Add one step after the ticket's last; the caller holds the ticket's row lock, so the number is its alone."""
    last = TimelineEvent.objects.filter(ticket=ticket).aggregate(m=Max("seq"))["m"] or 0
    return TimelineEvent.objects.create(ticket=ticket, seq=last + 1, at=now,
                                        actor=actor if getattr(actor, "pk", None) else None, verb=verb,
                                        from_state=ticket.state, to_state=ticket.state, note=note, data=data)
