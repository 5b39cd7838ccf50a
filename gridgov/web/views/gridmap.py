"""Grid map (网格地图): the user's area scope drawn with Leaflet, coloured by open and overdue tickets, drilled down level by level.

URLs (namespace "web"):
  map/                      "map"        the page; login and ticket.view
  map/areas.json?parent=C   "map_areas"  GeoJSON of C's children in scope with open/overdue counts;
                                          without parent: the scope's roots (or the single root's children)
  map/area/<code>/          "map_area"   side-panel fragment (htmx): the area's grid staff, open tickets, recent visits

Stable ids for browser tests:
  #grid-map      the Leaflet map container (data-areas-url, data-panel-url, data-tile-url)
  #area-panel    the side panel the area fragment is swapped into
  #map-legend    the legend (classes of the current measure)
  #map-crumbs    the breadcrumb of the drill-down path
  #map-measure   the measure switch (open / overdue)
An area outside the user's scope answers 404 exactly like a missing one. Counts come from
tickets.access.visible_to, aggregated by area-code prefix in one query per level; polygons are sent
one parent at a time, so the 3,500 level-4 grids of the demo never travel together.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse

from gridgov.accounts.models import RoleGrant
from gridgov.areas.models import CODE_LENGTHS, LEVEL_NAMES, Area
from gridgov.core import clock
from gridgov.patrol.queries import household_for, view_scopes, visible_visits
from gridgov.tickets import access
from gridgov.tickets.states import DONE_STATES, TicketState

# The roles a grid's people panel lists, in the order shown.
GRID_ROLES = ["grid_leader", "grid_worker", "grid_instructor"]
# Staff scoped to a community (level 2) or below count as the grid's own people; street- and district-wide roles do not.
PEOPLE_FROM_LEVEL = 2
PANEL_TICKETS = 20
PANEL_VISITS = 10
OPEN_STATES = [s for s in TicketState.values if s not in DONE_STATES]


def _may_view(user) -> bool:
    return any("ticket.view" in g.perms for g in access.grants_of(user))


def _in_scope(code: str, scopes: list[str]) -> bool:
    return any(code.startswith(s) for s in scopes)


def _scoped_area(user, code: str | None, *, with_boundary: bool = True) -> Area:
    """Return the area if it lies inside the user's scope; 404 otherwise, the same as for a missing code."""
    scopes = view_scopes(user)
    if not code or not code.isdigit() or not _in_scope(code, scopes):
        raise Http404("区域不存在或无权查看")
    qs = Area.objects.all() if with_boundary else Area.objects.defer("boundary")
    area = qs.filter(code=code).first()
    if area is None:
        raise Http404("区域不存在或无权查看")
    return area


def open_counts(user, prefixes: list[str], length: int, now) -> dict[str, tuple[int, int]]:
    """Return {code prefix of `length`: (open, overdue)} over the user's visible open tickets under `prefixes`, in one query.

    Tickets located on an area shorter than `length` (e.g. on the parent itself) come back under their own, shorter code.
    """
    if not prefixes:
        return {}
    under = Q()
    for p in prefixes:
        under |= Q(area__code__startswith=p)
    rows = (access.visible_to(user).filter(under).exclude(state__in=DONE_STATES)
            .annotate(prefix=Substr("area_id", 1, length)).values("prefix")
            .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(handle_deadline__lt=now))).order_by())
    return {r["prefix"]: (r["open"], r["overdue"]) for r in rows}


def _feature(area: Area, counts: dict) -> dict:
    n_open, n_overdue = counts.get(area.code, (0, 0))
    return {
        "type": "Feature",
        "geometry": area.boundary,
        "properties": {
            "code": area.code, "name": area.name, "level": area.level, "level_label": LEVEL_NAMES.get(area.level, ""),
            "open": n_open, "overdue": n_overdue, "key_grid": area.key_grid,
            "has_children": bool(getattr(area, "has_children", False)),
        },
    }


def _with_children_flag(qs):
    return qs.annotate(has_children=Exists(Area.objects.filter(parent_id=OuterRef("pk"))))


def _crumbs(area: Area, scopes: list[str], multi_root: bool) -> list[dict]:
    codes = [c for c in area.ancestor_codes() if _in_scope(c, scopes)]
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    crumbs = [{"code": "", "name": "全部范围"}] if multi_root else []
    return crumbs + [{"code": c, "name": names.get(c, c)} for c in codes]


def _children_payload(user, parent: Area, scopes: list[str], now) -> dict:
    children = list(_with_children_flag(Area.objects.filter(parent=parent)).order_by("code"))
    length = CODE_LENGTHS.get(parent.level + 1, len(parent.code) + 3)
    counts = open_counts(user, [parent.code], length, now)
    total_open = sum(o for o, _ in counts.values())
    total_overdue = sum(d for _, d in counts.values())
    return {
        "type": "FeatureCollection",
        "parent": {
            "code": parent.code, "name": parent.name, "level": parent.level, "level_label": LEVEL_NAMES.get(parent.level, ""),
            "geometry": parent.boundary, "open": total_open, "overdue": total_overdue,
            # Tickets located on the parent itself, not on any child: shown so the children's sum adds up.
            "own_open": counts.get(parent.code, (0, 0))[0],
        },
        "crumbs": _crumbs(parent, scopes, len(scopes) > 1),
        "features": [_feature(a, counts) for a in children],
    }


def _roots_payload(user, scopes: list[str], now) -> dict:
    roots = list(_with_children_flag(Area.objects.filter(code__in=scopes)).order_by("code"))
    counts: dict = {}
    for length in sorted({len(a.code) for a in roots}):  # one query per level
        counts.update(open_counts(user, [a.code for a in roots if len(a.code) == length], length, now))
    return {"type": "FeatureCollection", "parent": None, "crumbs": [{"code": "", "name": "全部范围"}],
            "features": [_feature(a, counts) for a in roots]}


@login_required
def map_page(request):
    """The map page; users without ticket.view get the no-role page."""
    if not _may_view(request.user):
        return render(request, "web/no_role.html", status=403)
    return render(request, "web/map/map.html", {
        "title": "网格地图",
        "has_scope": bool(view_scopes(request.user)),
        "tile_url": getattr(settings, "GRIDGOV_TILE_URL", "") or "",
        "tile_attribution": getattr(settings, "GRIDGOV_TILE_ATTRIBUTION", "") or "",
        "panel_url": reverse("web:map_area", args=["000000"]).replace("000000", "{code}"),
    })


@login_required
def map_areas(request):
    """GeoJSON of one level of the user's scope, with open and overdue ticket counts per area."""
    scopes = view_scopes(request.user)
    now = clock.now()
    parent_code = request.GET.get("parent", "").strip()
    if parent_code:
        payload = _children_payload(request.user, _scoped_area(request.user, parent_code), scopes, now)
    elif len(scopes) == 1:
        root = Area.objects.filter(code=scopes[0]).first()
        if root is None:
            raise Http404("区域不存在或无权查看")
        # A single root opens on its children (district → streets); a leaf grid shows itself.
        payload = _children_payload(request.user, root, scopes, now) if root.children.exists() else _roots_payload(request.user, scopes, now)
    else:
        payload = _roots_payload(request.user, scopes, now)
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


def _people(area: Area) -> list[dict]:
    codes = [c for c in area.ancestor_codes() if len(c) >= CODE_LENGTHS[PEOPLE_FROM_LEVEL]] or [area.code]
    grants = (RoleGrant.objects.filter(area_id__in=codes, role__in=GRID_ROLES, user__is_active=True)
              .select_related("user", "area").defer("area__boundary").order_by("-area__level", "role", "user__display_name", "user__username"))
    order = {r: i for i, r in enumerate(GRID_ROLES)}
    people = [{"role": g.get_role_display(), "name": g.user.display_name or g.user.username, "area": g.area.name,
               "own": g.area_id == area.code, "_sort": (order[g.role], -g.area.level)} for g in grants]
    # Never the phone number: the panel is read by everyone with the area in scope.
    return sorted(people, key=lambda p: p["_sort"])


@login_required
def map_area(request, code: str):
    """The side panel of one area: its grid staff, its open visible tickets and its recent visits."""
    if not _may_view(request.user):
        raise Http404("区域不存在或无权查看")
    area = _scoped_area(request.user, code, with_boundary=False)
    now = clock.now()
    tickets_qs = access.visible_to(request.user).filter(area__code__startswith=area.code).exclude(state__in=DONE_STATES)
    totals = tickets_qs.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(handle_deadline__lt=now)))
    tickets = list(tickets_qs.select_related("category", "area").defer("area__boundary").order_by("-received_at", "-id")[:PANEL_TICKETS])
    for t in tickets:
        t.is_late = t.handle_deadline is not None and t.handle_deadline < now
    visits = list(visible_visits(request.user).filter(area__code__startswith=area.code).select_related("worker", "area")
                  .defer("area__boundary")[:PANEL_VISITS])
    for v in visits:
        v.household_shown = household_for(request.user, v)
    path_names = list(Area.objects.filter(code__in=area.ancestor_codes()[:-1]).order_by("level").values_list("name", flat=True))
    state_query = "&".join(f"state={s}" for s in OPEN_STATES)
    # A fragment: rendered without the request, so the layout's menu counts are not computed for it.
    return HttpResponse(render_to_string("web/map/_area_panel.html", {
        "area": area, "level_label": LEVEL_NAMES.get(area.level, ""), "path_names": path_names,
        "people": _people(area), "tickets": tickets, "totals": totals, "visits": visits,
        "list_url": f"{reverse('web:inbox', args=['all'])}?area={area.code}&{state_query}",
    }))


urlpatterns: list = [
    path("map/", map_page, name="map"),
    path("map/areas.json", map_areas, name="map_areas"),
    path("map/area/<str:code>/", map_area, name="map_area"),
]
