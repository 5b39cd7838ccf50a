"""Ticket creation (受理登记) for hotline operators, with the htmx helpers the form calls while the operator types.

URLs (namespace "web"):
  tickets/new/                  create                 the form; POST registers through actions.do_receive
  tickets/new/categories/?q=    create_categories      leaf categories matching name, keyword or code (fragment)
  tickets/new/places/?q=        create_places          gazetteer suggestions, deepest first (fragment; also takes ?address=)
  tickets/new/areas.geojson     create_areas_geojson   area polygons: ?level=1,2 (default) &within=<area code prefix>
  tickets/new/duplicates/       create_duplicates      possible duplicates from citizen_phone, category, lon, lat (fragment)
  tickets/new/route/            create_route           routing suggestion from category, lon, lat, address (fragment)

Stable element ids for browser tests (templates/web/create/form.html):
  #create-form        the form; #create-submit its submit button
  #id_channel         channel <select>
  #category-search    category search box; results in #category-results as .category-option[data-code] buttons;
                      clicking one fills hidden #id_category and shows the choice in #category-chosen
  #id_title, #id_description, #id_citizen_name, #id_citizen_phone, #id_urgency, #id_files
  #id_address         address box; its gazetteer suggestions appear in #place-search as .place-option[data-code]
  #create-map         Leaflet map (static/web/mapbase.js); a click fills hidden #id_lon / #id_lat
  #route-preview      routing suggestion with its reason
  #duplicates         possible duplicates; empty when there are none
"""

import math
from datetime import timedelta
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse, reverse_lazy

from gridgov.areas.distance import distance_m
from gridgov.areas.models import Area
from gridgov.core import clock
from gridgov.core.errors import DomainError, Forbidden, InvalidInput
from gridgov.tickets import access, actions, attachments
from gridgov.tickets.deadlines import LIMIT_UNIT_LABELS
from gridgov.tickets.models import Channel
from gridgov.tickets.queries import may_search_phone
from gridgov.tickets.routing import ancestor_codes, normalize_text
from gridgov.tickets.routing_context import routing_inputs, suggest
from gridgov.units.models import Category, ResponsibilityRule, Unit, Urgency
from gridgov.units.responsibility import rule_in_force

SEP = " › "
CATEGORY_LIMIT = 20
PLACE_LIMIT = 10
DUPLICATE_DAYS = 7
DUPLICATE_RADIUS_M = 300
DUPLICATE_LIMIT = 20
METRES_PER_DEGREE_LAT = 111_320
OUT_OF_SCOPE = "您无权在该位置受理工单：工单定位不在您负责的区域内（或无法定位），请核对地图上的点位或地址"


# ---------------------------------------------------------------- the form

class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several optional files under one name, each checked like an attachment."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class TicketCreateForm(forms.Form):
    """What the operator records about a call; domain checks stay in actions.do_receive."""

    channel = forms.ChoiceField(label="来源渠道")
    category = forms.CharField(label="事项分类", max_length=20, widget=forms.HiddenInput,
                               error_messages={"required": "请选择事项分类"})
    title = forms.CharField(label="标题", max_length=200, widget=forms.TextInput(attrs={"placeholder": "一句话概括诉求"}))
    description = forms.CharField(label="诉求内容", widget=forms.Textarea(attrs={"rows": 5}))
    citizen_name = forms.CharField(label="诉求人", max_length=50, required=False)
    citizen_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    address = forms.CharField(label="事发地址", max_length=200, required=False, widget=forms.TextInput(attrs={
        "placeholder": "街道、社区、小区、门牌号", "autocomplete": "off",
        # The address box itself asks the gazetteer; the view reads ?address= like ?q=.
        "hx-get": reverse_lazy("web:create_places"), "hx-trigger": "input changed delay:300ms, search",
        "hx-target": "#place-search", "hx-sync": "this:replace"}))
    lon = forms.FloatField(label="经度", required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(label="纬度", required=False, widget=forms.HiddenInput)
    # The rule gives the default and the operator may only raise it (units.models.Urgency), so "一般" is not offered.
    urgency = forms.ChoiceField(label="紧急程度", required=False, choices=[("", "按事项默认"), (Urgency.URGENT, "紧急")])
    files = MultipleFileField(
        label="照片/材料", required=False, widget=MultipleFileInput(attrs={"accept": ",".join(attachments.ALLOWED)}),
        help_text=f"可多选，最多 {attachments.MAX_FILES} 个，每个不超过 {attachments.MAX_BYTES // 1024 // 1024} MB；"
                  f"支持{attachments.ALLOWED_LABEL}")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = list(Channel.objects.filter(active=True).values_list("code", "name"))
        for field in self.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > attachments.MAX_FILES:
            raise forms.ValidationError(f"一次最多上传 {attachments.MAX_FILES} 个文件")
        # Checked before the ticket exists, so a refused file leaves nothing behind.
        errors = []
        for upload in files:
            try:
                attachments.check_upload(upload)
            except InvalidInput as e:
                errors.append(e.message)
        if errors:
            raise forms.ValidationError(errors)
        return files

    def add_domain_error(self, error: DomainError) -> None:
        """Show a refused action's Chinese message next to the field it names, or above the form."""
        # The view lets in only users who may receive somewhere, so a refusal means the place is outside their scope.
        if isinstance(error, Forbidden):
            self.add_error(None, OUT_OF_SCOPE)
            return
        field = error.details.get("field")
        self.add_error(field if field in self.fields else None, error.message)


# ---------------------------------------------------------------- lookups

def _may_receive(user) -> bool:
    return any("ticket.receive" in g.perms for g in access.grants_of(user))


def receive_required(view):
    """Let in only logged-in users with ticket.receive in some grant; others get a Chinese 403 page."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _may_receive(request.user):
            return render(request, "web/create/forbidden.html", status=403)
        return view(request, *args, **kwargs)
    return wrapped


def _ticket_url(pk: int) -> str:
    return reverse("web:ticket", args=[pk])


def _amount(value) -> str:
    return f"{value.normalize():f}"


def _point(params) -> tuple[float | None, float | None]:
    """Return (lon, lat) from request parameters, or (None, None) when missing, malformed or out of range."""
    try:
        lon, lat = float(params.get("lon", "")), float(params.get("lat", ""))
    except ValueError:
        return None, None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        return None, None
    return lon, lat


def _describe_rule(rule: ResponsibilityRule) -> dict:
    """Who handles a category under this rule and in how long, in words."""
    handler = rule.get_handler_display()
    if rule.department_id:
        handler += f"：{rule.department.name}{'主办' if rule.handler == rule.Handler.BOTH else ''}"
    return {
        "handler": handler,
        "sign": f"{_amount(rule.sign_limit)} {LIMIT_UNIT_LABELS.get(rule.sign_limit_unit, rule.sign_limit_unit)}",
        "handle": f"{_amount(rule.handle_limit)} {LIMIT_UNIT_LABELS.get(rule.handle_limit_unit, rule.handle_limit_unit)}",
        "urgency": rule.urgency, "urgency_label": rule.get_urgency_display(), "note": rule.note,
    }


def _match_rank(qn: str, q: str, cat: Category, ancestors: list[Category]) -> int | None:
    """Rank how well a leaf category matches the query (lower is better), or None for no match."""
    name = normalize_text(cat.name)
    if name == qn:
        return 0
    if name.startswith(qn):
        return 1
    if qn in name:
        return 2
    if cat.code.startswith(q):
        return 3
    if any(qn in normalize_text(k) for k in cat.keywords or []):
        return 4
    if any(qn in normalize_text(a.name) for a in ancestors):
        return 5
    return None


def _leaf_chains() -> dict[str, list[Category]]:
    """Return every active leaf category's chain from the root, by code."""
    # Keywords are JSON lists and the tree is a few hundred rows, so matching in Python is simplest and portable.
    by_id = {c.pk: c for c in Category.objects.all()}
    parents = {c.parent_id for c in by_id.values()}
    for c in by_id.values():
        c.parent = by_id.get(c.parent_id)
    return {c.code: [by_id[i] for i in reversed(c.ancestor_ids())]
            for c in by_id.values() if c.active and c.pk not in parents}


def _category_options(chains: list[list[Category]], now) -> list[dict]:
    """Describe leaf categories for the picker: path, and handler and limits of the rule in force."""
    wanted = {c.pk for chain in chains for c in chain}
    rules = list(ResponsibilityRule.objects.filter(category_id__in=wanted).select_related("department"))
    options = []
    for chain in chains:
        leaf = chain[-1]
        option = {"code": leaf.code, "name": leaf.name, "path": SEP.join(c.name for c in chain), "keywords": leaf.keywords or []}
        try:
            option["rule"] = _describe_rule(rule_in_force(leaf, now, rules))
        except InvalidInput as e:
            option["error"] = e.message
        options.append(option)
    return options


def search_categories(q: str, now, limit: int = CATEGORY_LIMIT) -> list[dict]:
    """Return the active leaf categories matching `q` by name, code, keyword or parent name, best first."""
    qn = normalize_text(q)
    if not qn:
        return []
    ranked = []
    for code, chain in _leaf_chains().items():
        rank = _match_rank(qn, q.strip(), chain[-1], chain[:-1])
        if rank is not None:
            ranked.append((rank, code, chain))
    ranked.sort(key=lambda row: row[:2])
    return _category_options([chain for _rank, _code, chain in ranked[:limit]], now)


def category_option(code: str, now) -> dict | None:
    """Return the picker's description of one leaf category, to show the choice again after a refused POST."""
    chain = _leaf_chains().get(code) if code else None
    return _category_options([chain], now)[0] if chain else None


def area_paths(codes) -> dict[str, list[str]]:
    """Return each code's chain of names below the district (the district alone for itself)."""
    chains = {code: ancestor_codes(code)[1:] or [code] for code in codes}
    names = dict(Area.objects.filter(code__in={c for chain in chains.values() for c in chain}).values_list("code", "name"))
    return {code: [names.get(c, c) for c in chain] for code, chain in chains.items()}


def search_places(q: str, limit: int = PLACE_LIMIT) -> list[dict]:
    """Return areas whose name or alias contains `q`, deepest first, with their path."""
    q = q.strip()
    if not q:
        return []
    codes = set(Area.objects.filter(name__icontains=q).values_list("code", flat=True))
    # SQLite keeps JSON with escaped non-ASCII text, so aliases are matched here rather than with a JSON lookup.
    qn = normalize_text(q)
    codes |= {code for code, aliases in Area.objects.exclude(aliases=[]).values_list("code", "aliases")
              if any(qn in normalize_text(a) for a in aliases or [])}
    if not codes:
        # A full address ("金茂社区3栋") contains a name rather than being one: offer the area routing would read from it.
        found = routing_inputs().gazetteer.match(q)
        codes = {found[0]} if found else set()
    areas = list(Area.objects.filter(code__in=codes).order_by("-level", "code")[:limit])
    paths = area_paths(a.code for a in areas)
    return [{"code": a.code, "name": a.name, "level": a.level, "level_label": a.get_level_display(), "aliases": a.aliases or [],
             "path": SEP.join(paths[a.code]), "address": "".join(paths[a.code]), "has_boundary": bool(a.boundary)} for a in areas]


def _levels(params) -> list[int]:
    raw = ",".join(params.getlist("level")) or "1,2"
    return sorted({int(x) for x in raw.split(",") if x.strip().isdigit() and int(x) <= 4})


def find_duplicates(user, *, phone: str, category: str, lon, lat, now) -> list[dict]:
    """Return visible tickets of the last 7 days with the same phone, or the same category within 300 m, newest first."""
    recent = access.visible_to(user).filter(received_at__gte=now - timedelta(days=DUPLICATE_DAYS)).select_related("category", "area")
    found: dict[int, dict] = {}

    def note(ticket, reason):
        found.setdefault(ticket.pk, {"ticket": ticket, "reasons": []})["reasons"].append(reason)

    if phone and may_search_phone(user):
        for t in recent.filter(citizen_phone=phone)[:DUPLICATE_LIMIT]:
            note(t, "同一来电号码")
    if category and lon is not None:
        # An index-friendly box first; the exact distance then drops its corners.
        dlat = DUPLICATE_RADIUS_M / METRES_PER_DEGREE_LAT
        dlon = DUPLICATE_RADIUS_M / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01))
        box = recent.filter(category__code=category, lat__range=(lat - dlat, lat + dlat), lon__range=(lon - dlon, lon + dlon))
        for t in box[:DUPLICATE_LIMIT * 5]:
            metres = distance_m(lon, lat, t.lon, t.lat)
            if metres <= DUPLICATE_RADIUS_M:
                note(t, f"同类事项，相距约 {round(metres)} 米")
    rows = sorted(found.values(), key=lambda r: (r["ticket"].received_at, r["ticket"].pk), reverse=True)[:DUPLICATE_LIMIT]
    for r in rows:
        r["url"] = _ticket_url(r["ticket"].pk)
    return rows


def preview_route(user, *, category: str, lon, lat, address: str, now) -> dict:
    """Return the routing suggestion for the form's current values, in the words the fragment shows."""
    cat = Category.objects.filter(code=category, active=True).first() if category else None
    if cat is None:
        return {"hint": "选择事项分类后显示派单建议"}
    try:
        rule = rule_in_force(cat, now)
    except InvalidInput as e:
        return {"error": e.message}
    s = suggest(rule, lon=lon, lat=lat, address=address)
    units = dict(Unit.objects.filter(pk__in=[u for u in (s.lead_unit_id, *s.support_unit_ids) if u]).values_list("pk", "name"))
    return {
        "suggestion": s, "rule": _describe_rule(rule),
        "area_path": SEP.join(area_paths([s.area_code])[s.area_code]) if s.area_code else "",
        "lead": units.get(s.lead_unit_id), "support": [units[u] for u in s.support_unit_ids if u in units],
        # A grid worker sees before submitting that the place is outside their grid.
        "in_scope": access.can(user, "ticket.receive", area_code=s.area_code),
    }


def _receive(user, data: dict):
    """Register the ticket and attach its files; both or nothing."""
    with transaction.atomic():
        ticket = actions.do_receive(
            user, channel=data["channel"], category=data["category"], title=data["title"], description=data["description"],
            address=data["address"], lon=data["lon"], lat=data["lat"], citizen_name=data["citizen_name"],
            citizen_phone=data["citizen_phone"], urgency=data["urgency"] or None)
        if data["files"]:
            attachments.attach(user, ticket.pk, data["files"])
    return ticket


# ---------------------------------------------------------------- views

@receive_required
def create(request):
    """The creation form; a valid POST registers the ticket and opens it."""
    form = TicketCreateForm(request.POST, request.FILES) if request.method == "POST" else TicketCreateForm()
    if form.is_bound and form.is_valid():
        try:
            ticket = _receive(request.user, form.cleaned_data)
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"已受理，工单编号 {ticket.number}")
            return redirect(_ticket_url(ticket.pk))
    return render(request, "web/create/form.html", {
        "title": "受理登记", "form": form, "chosen": category_option(form["category"].value(), clock.now()) if form.is_bound else None,
        "tile_url": settings.GRIDGOV_TILE_URL,
    })


@receive_required
def categories(request):
    """Leaf categories matching ?q=, as clickable options."""
    q = request.GET.get("q", "")
    return render(request, "web/create/_categories.html", {"options": search_categories(q, clock.now()), "q": q.strip()})


@receive_required
def places(request):
    """Gazetteer suggestions for ?q= (or the address box's own ?address=)."""
    q = request.GET.get("q") or request.GET.get("address") or ""
    return render(request, "web/create/_places.html", {"places": search_places(q), "q": q.strip()})


@receive_required
def areas_geojson(request):
    """Area polygons of the given levels, optionally within one area's subtree, as GeoJSON."""
    qs = Area.objects.filter(level__in=_levels(request.GET), boundary__isnull=False)
    within = request.GET.get("within", "")
    if within:
        qs = qs.filter(code__startswith=within) if within.isdigit() else qs.none()
    features = [{"type": "Feature", "geometry": boundary, "properties": {"code": code, "name": name, "level": level, "key_grid": key}}
                for code, name, level, key, boundary in qs.values_list("code", "name", "level", "key_grid", "boundary")]
    return JsonResponse({"type": "FeatureCollection", "features": features}, content_type="application/geo+json",
                        json_dumps_params={"ensure_ascii": False})


@receive_required
def duplicates(request):
    """Possible duplicates of the ticket being typed; an empty fragment when there are none."""
    lon, lat = _point(request.GET)
    rows = find_duplicates(request.user, phone=request.GET.get("citizen_phone", "").strip(),
                           category=request.GET.get("category", "").strip(), lon=lon, lat=lat, now=clock.now())
    return render(request, "web/create/_duplicates.html", {"rows": rows, "days": DUPLICATE_DAYS})


@receive_required
def route(request):
    """The routing suggestion and its reason for the form's current category, point and address."""
    lon, lat = _point(request.GET)
    preview = preview_route(request.user, category=request.GET.get("category", "").strip(), lon=lon, lat=lat,
                            address=request.GET.get("address", "").strip()[:200], now=clock.now())
    return render(request, "web/create/_route.html", preview)


urlpatterns = [
    path("tickets/new/", create, name="create"),
    path("tickets/new/categories/", categories, name="create_categories"),
    path("tickets/new/places/", places, name="create_places"),
    path("tickets/new/areas.geojson", areas_geojson, name="create_areas_geojson"),
    path("tickets/new/duplicates/", duplicates, name="create_duplicates"),
    path("tickets/new/route/", route, name="create_route"),
]
