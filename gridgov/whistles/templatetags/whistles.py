"""The whistle section of the ticket page, rendered from the ticket and the viewing user."""

from django import template

from gridgov.whistles.views import ticket_section

register = template.Library()


@register.inclusion_tag("whistles/_ticket_section.html", takes_context=True)
def whistle_section(context, ticket):
    """Whistles of the ticket, the check-in forms for summoned units' users and the whistle form for those who may blow."""
    request = context["request"]
    return {**ticket_section(request.user, ticket), "request": request, "csrf_token": context.get("csrf_token")}
