"""督办 on pages: the badge in ticket lists, the 督办件 menu entry, and the 催办/督办 section of the ticket page."""

from django import template

from gridgov.core import clock
from gridgov.supervision import queries
from gridgov.supervision.views import ticket_section
from gridgov.tickets import access

register = template.Library()


@register.simple_tag
def supervised_in(page) -> set:
    """The ids of the tickets of a page (or any iterable of tickets) under supervision."""
    return queries.supervised_ids([getattr(t, "pk", None) for t in page or []])


@register.simple_tag
def is_supervised(ticket) -> bool:
    return bool(queries.supervised_ids([ticket.pk]))


@register.inclusion_tag("supervision/_menu_item.html", takes_context=True)
def supervised_menu_item(context):
    """The 督办件 inbox in the menu, with its count, for users who may see tickets."""
    request = context.get("request")
    user = getattr(request, "user", None)
    label, needs, condition = queries.SUPERVISED_INBOX
    relevant = bool(user) and any(needs & g.perms for g in access.grants_of(user))
    count = access.visible_to(user).filter(condition(user, clock.now())).count() if relevant else 0
    return {"relevant": relevant, "label": label, "count": count, "active": context.get("key") == "supervised"}


@register.inclusion_tag("web/detail/_supervision.html", takes_context=True)
def supervision_section(context, ticket):
    """Urges and supervisions of the ticket, with the forms for those who may urge or supervise."""
    request = context["request"]
    return {**ticket_section(request.user, ticket), "request": request, "csrf_token": context.get("csrf_token")}
