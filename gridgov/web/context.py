"""Layout context for every page: who is logged in, their roles and scope, and the menu with inbox counts."""

from django.urls import NoReverseMatch, reverse

from gridgov.accounts.models import RoleGrant
from gridgov.core import clock
from gridgov.notifications.models import Notification
from gridgov.tickets import access
from gridgov.tickets.queries import INBOXES, inbox, inboxes_for

# Menu entries beyond the inboxes: (url name, label, a permission that makes it relevant).
TOOLS = [
    ("web:create", "受理登记", "ticket.receive"),
    ("whistles:inbox", "吹哨报到", "whistle.blow"),
    ("web:map", "网格地图", "ticket.view"),
    ("web:mobile", "移动端（网格员）", "ticket.receive"),
    ("web:dashboard", "数据看板", "figures.view"),
    ("web:dashboard_screen", "大屏（指挥中心）", "figures.view"),
    ("reports:download", "通报与分析报告", "figures.view"),
    ("assessment:runs", "考核评定", "assessment.view"),
    ("assessment:awards", "奖励资金台账", "assessment.view"),
    ("selfeval:list", "绩效自评", "selfeval.view"),
]


def _tools():
    """Yield the tool entries whose pages exist, as (path, label, permission)."""
    for name, label, perm in TOOLS:
        try:
            yield reverse(name), label, perm
        except NoReverseMatch:
            continue


def layout(request) -> dict:
    """Return the user's name, roles, scopes and menu; nothing for anonymous visitors."""
    user = request.user
    if not user.is_authenticated or not request.path.startswith("/") or request.path.startswith(("/api/", "/admin/")):
        return {}
    grants = list(RoleGrant.objects.filter(user=user).select_related("area", "unit"))
    perms = set().union(*(g.perms for g in access.grants_of(user))) if access.grants_of(user) else set()
    now = clock.now()
    keys = inboxes_for(user)
    return {
        "me": {
            "name": user.display_name or user.username,
            "roles": [f"{g.get_role_display()}（{g.area.name if g.area else g.unit.name}）" for g in grants],
        },
        "menu_inboxes": [{"key": k, "label": INBOXES[k][0], "count": inbox(user, k, now).count()} for k in keys],
        "menu_tools": [(url, label) for url, label, perm in _tools() if perm in perms],
        "is_admin": user.is_staff,
        # One indexed count (user, read_at) for the header badge.
        "unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count(),
    }
