"""Who may download reports: district figures need a district-wide grant, an area's a grant covering that area."""

from gridgov.areas.models import Area
from gridgov.tickets import access

FIGURES = "figures.view"


def figures_permission() -> str:
    """The permission code that lets a user see figures (查看数据看板)."""
    return FIGURES


def may_view(user, area: Area) -> bool:
    """Unit grants never qualify: a report is about an area, and its rankings name other units."""
    code = None if area.level == 0 else area.code
    return access.can(user, FIGURES, area_code=code)


def areas_for(user) -> list[Area]:
    """The district and streets whose reports the user may download, district first."""
    return [a for a in Area.objects.filter(level__lte=1).order_by("level", "code") if may_view(user, a)]
