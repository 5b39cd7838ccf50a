"""Who may download reports: figures are district business, or an area's for a grant covering that area."""

from gridgov.accounts.permissions import PERMISSIONS
from gridgov.areas.models import Area
from gridgov.tickets import access


def figures_permission() -> str:
    """The permission code that lets a user see figures.

    "figures.view" once the catalogue has it; until then the centre's ticket.view, which the dispatcher,
    leadership and admin roles hold district-wide.
    """
    return "figures.view" if "figures.view" in PERMISSIONS else "ticket.view"


def may_view(user, area: Area) -> bool:
    """A district report needs a district-wide grant; an area's report a grant covering that area."""
    code = None if area.level == 0 else area.code
    return access.can(user, figures_permission(), area_code=code)


def areas_for(user) -> list[Area]:
    """The district and streets whose reports the user may download, district first."""
    return [a for a in Area.objects.filter(level__lte=1).order_by("level", "code") if may_view(user, a)]
