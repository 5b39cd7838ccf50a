"""吹哨报到 pages: my units' summons, one summons with its check-in, blowing from the ticket page, a new matter with a whistle.

Views only parse, check access, call one action and say in Chinese what happened.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gridgov.api.schemas import MAX_ID
from gridgov.core import clock
from gridgov.core.errors import DomainError, InvalidInput, NotFound
from gridgov.metrics.counters import whistle_filter
from gridgov.tickets import access as ticket_access
from gridgov.tickets.access import mask_name, mask_phone
from gridgov.tickets.deadlines import LIMIT_UNIT_LABELS
from gridgov.tickets.states import DONE_STATES
from gridgov.units.models import Category, Unit
from gridgov.whistles import actions, rules
from gridgov.whistles.access import (
    BLOW, blower, can_check_in, checkin_unit_ids, get_summons, summons_visible_to, whistles_visible_to,
)
from gridgov.whistles.models import DEFAULT_CHECKIN_LIMIT, DEFAULT_CHECKIN_UNIT, DEFAULT_ONSITE_RADIUS_M, Whistle, WhistleSummons

NOT_FOUND = "web/detail/not_found.html"
PAGE_SIZE = 50
TABS = {"pending": "待报到", "checked_in": "已报到", "late": "迟到", "blown": "吹哨记录"}


# ---------------------------------------------------------------- forms


class UnitIdsField(forms.Field):
    """Several department ids from a multi-select."""

    widget = forms.SelectMultiple

    def to_python(self, value):
        try:
            ids = [int(v) for v in value or []]
        except (TypeError, ValueError):
            raise forms.ValidationError("请选择有效的部门") from None
        if any(not 1 <= i <= MAX_ID for i in ids):
            raise forms.ValidationError("请选择有效的部门")
        return ids


class BlowForm(forms.Form):
    """The whistle's own fields; their checks live in the action, which names what is wrong."""

    unit_ids = UnitIdsField(label="召集部门", required=False)
    reason = forms.CharField(label="吹哨事由", max_length=2000, required=False)
    checkin_limit = forms.DecimalField(label="报到时限", max_digits=6, decimal_places=2, required=False)
    checkin_limit_unit = forms.ChoiceField(label="时限单位", choices=list(LIMIT_UNIT_LABELS.items()), required=False)
    onsite_required = forms.BooleanField(label="须现场报到", required=False)
    onsite_radius_m = forms.IntegerField(label="现场范围（米）", min_value=1, max_value=rules.MAX_RADIUS_M, required=False)

    def action_kwargs(self) -> dict:
        d = self.cleaned_data
        return {"unit_ids": d["unit_ids"], "reason": d["reason"],
                "checkin_limit": DEFAULT_CHECKIN_LIMIT if d["checkin_limit"] is None else d["checkin_limit"],
                "checkin_limit_unit": d["checkin_limit_unit"] or DEFAULT_CHECKIN_UNIT, "onsite_required": d["onsite_required"],
                "onsite_radius_m": d["onsite_radius_m"] or DEFAULT_ONSITE_RADIUS_M}


class NewMatterForm(BlowForm):
    """A matter the street or community found itself, registered on the whistle channel."""

    category = forms.CharField(label="事项分类编码", max_length=20, required=False)
    title = forms.CharField(label="标题", max_length=200, required=False)
    description = forms.CharField(label="事项描述", max_length=10000, required=False, widget=forms.Textarea)
    address = forms.CharField(label="地址", max_length=200, required=False)
    lon = forms.CharField(label="经度", max_length=30, required=False)
    lat = forms.CharField(label="纬度", max_length=30, required=False)


class CheckInForm(forms.Form):
    lon = forms.CharField(label="经度", max_length=30, required=False)
    lat = forms.CharField(label="纬度", max_length=30, required=False)
    note = forms.CharField(label="报到说明", max_length=300, required=False)


class DoneForm(forms.Form):
    result = forms.CharField(label="协办情况", max_length=5000, required=False)


class CloseForm(forms.Form):
    note = forms.CharField(label="结束说明", max_length=300, required=False)


def _errors(form) -> str:
    return "；".join(f"{form.fields[n].label}：{e}" if n in form.fields else str(e) for n, errs in form.errors.items() for e in errs)


# ---------------------------------------------------------------- presentation


def departments() -> list[tuple[int, str]]:
    """Departments a whistle may summon."""
    return list(Unit.objects.filter(active=True, kind=Unit.Kind.DEPARTMENT).order_by("code").values_list("pk", "name"))


def decorate(summons: WhistleSummons, user, now) -> WhistleSummons:
    """Attach the derived status, its words and what the user may do to a summons."""
    s = summons
    s.status = rules.status(s.deadline, s.checked_in_at, s.ended_at, now)
    s.status_label = rules.STATUS_LABELS[s.status]
    s.late = s.status in rules.LATE_STATUSES
    s.open_whistle = s.whistle.state == Whistle.State.OPEN
    mine = can_check_in(user, s)
    s.may_check_in = mine and s.open_whistle and s.state == WhistleSummons.State.SUMMONED
    s.may_finish = mine and s.state == WhistleSummons.State.CHECKED_IN
    if s.state == WhistleSummons.State.SUMMONED:
        left = (s.deadline - now).total_seconds()
        s.remaining = (f"剩余 {int(left // 3600)} 小时 {int(left % 3600 // 60)} 分" if left >= 0
                       else f"已超时 {int(-left // 3600)} 小时 {int(-left % 3600 // 60)} 分")
    return s


def ticket_section(user, ticket) -> dict:
    """What the ticket page shows of its whistles, and the whistle form when the user may blow."""
    now = clock.now()
    whistles = list(Whistle.objects.filter(ticket=ticket).select_related("unit", "blown_by", "closed_by")
                    .prefetch_related("summons__unit", "summons__checked_in_by", "summons__done_by").order_by("blown_at", "pk"))
    may_blow = blower(user, ticket) is not None
    for w in whistles:
        w.ticket = ticket  # the prefetched summons point at this whistle object, so no query per row
        w.rows = [decorate(s, user, now) for s in w.summons.all()]
        w.limit_label = f"{w.checkin_limit.normalize():f} {LIMIT_UNIT_LABELS.get(w.checkin_limit_unit, '')}"
        w.may_close = may_blow and w.state == Whistle.State.OPEN
    return {"t": ticket, "whistles": whistles, "may_blow": may_blow and ticket.state not in DONE_STATES,
            "departments": departments() if may_blow else [], "limit_units": list(LIMIT_UNIT_LABELS.items()),
            "defaults": {"limit": DEFAULT_CHECKIN_LIMIT, "unit": DEFAULT_CHECKIN_UNIT, "radius": DEFAULT_ONSITE_RADIUS_M}}


def _back(request, default: str) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return nxt
    return default


def _not_found(request, what="报到记录"):
    return render(request, NOT_FOUND, {"what": what}, status=404)


# ---------------------------------------------------------------- views


@login_required
def inbox(request):
    """My units' summons (待报到 / 已报到 / 迟到) and the whistles I can see (吹哨记录)."""
    user, now = request.user, clock.now()
    units = checkin_unit_ids(user)
    summoned_side = Unit.objects.filter(pk__in=units, kind=Unit.Kind.DEPARTMENT).exists()
    tab = request.GET.get("tab") or ("pending" if summoned_side else "blown")
    if tab not in TABS:
        tab = "pending"
    mine = summons_visible_to(user)
    if units:
        mine = mine.filter(unit_id__in=units)
    S = WhistleSummons.State
    sets = {
        "pending": mine.filter(state=S.SUMMONED, whistle__state=Whistle.State.OPEN).order_by("deadline", "pk"),
        "checked_in": mine.filter(checked_in_at__isnull=False).order_by("-checked_in_at", "-pk"),
        "late": mine.filter(whistle_filter("whistle_late", now)).order_by("-deadline", "-pk"),
    }
    counts = {k: qs.count() for k, qs in sets.items()}
    whistles = whistles_visible_to(user)
    counts["blown"] = whistles.count()
    if tab == "blown":
        page = Paginator(whistles.select_related("ticket", "unit", "blown_by").prefetch_related("summons__unit")
                         .order_by("-blown_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
        for w in page:
            w.rows = [decorate(s, user, now) for s in w.summons.all()]
    else:
        page = Paginator(sets[tab].select_related("whistle__ticket", "whistle__unit", "unit"), PAGE_SIZE).get_page(request.GET.get("page"))
        for s in page:
            decorate(s, user, now)
    may_new = any(BLOW in g.perms and g.area_code and "ticket.receive" in g.perms for g in ticket_access.grants_of(user))
    return render(request, "whistles/inbox.html", {"title": "吹哨报到", "tab": tab, "tabs": TABS, "counts": counts, "page": page,
                                                   "may_new": may_new})


@login_required
def summons_page(request, summons_id: int):
    """One summons: the matter (personal data masked), the whistle, the check-in and feedback forms."""
    try:
        s = get_summons(request.user, summons_id)
    except NotFound:
        return _not_found(request)
    now = clock.now()
    decorate(s, request.user, now)
    t = s.whistle.ticket
    others = [decorate(o, request.user, now) for o in s.whistle.summons.select_related("unit", "checked_in_by").exclude(pk=s.pk)]
    return render(request, "whistles/summons.html", {
        "title": f"报到 · {t.number}", "s": s, "w": s.whistle, "t": t, "rows": [s, *others],
        "citizen": {"name": mask_name(t.citizen_name), "phone": mask_phone(t.citizen_phone)},
        "ticket_visible": ticket_access.visible_to(request.user).filter(pk=t.pk).exists(),
        "limit_label": f"{s.whistle.checkin_limit.normalize():f} {LIMIT_UNIT_LABELS.get(s.whistle.checkin_limit_unit, '')}",
    })


@require_POST
@login_required
def blow(request, ticket_id: int):
    """Blow on a ticket from its page."""
    try:
        ticket = ticket_access.get_visible(request.user, ticket_id)
    except NotFound:
        return render(request, NOT_FOUND, status=404)
    form = BlowForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_errors(form))
        w = actions.do_blow(request.user, ticket.pk, **form.action_kwargs())
    except DomainError as e:
        messages.error(request, f"吹哨未成功：{e.message}")
    else:
        messages.success(request, f"已吹哨，召集{w.summons.count()}个部门报到")
    return redirect("web:ticket", ticket_id=ticket.pk)


def _summons_post(action, verb_label: str, success: str, form_class):
    """A POST on one summons: parse the form, call the action, come back."""
    @require_POST
    @login_required
    @wraps(action)
    def view(request, summons_id: int):
        try:
            get_summons(request.user, summons_id)
        except NotFound:
            return _not_found(request)
        form = form_class(request.POST)
        try:
            if not form.is_valid():
                raise InvalidInput(_errors(form))
            action(request.user, summons_id, **form.cleaned_data)
        except DomainError as e:
            messages.error(request, f"{verb_label}未成功：{e.message}")
        else:
            messages.success(request, success)
        return redirect(_back(request, reverse("whistles:summons", args=[summons_id])))
    return view


check_in = _summons_post(actions.do_check_in, "报到", "已报到", CheckInForm)
finish = _summons_post(actions.do_finish, "协办反馈", "已提交协办情况", DoneForm)


@require_POST
@login_required
def close(request, whistle_id: int):
    """End a whistle."""
    form = CloseForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_errors(form))
        w = actions.do_close(request.user, whistle_id, note=form.cleaned_data["note"])
    except NotFound:
        return _not_found(request, "吹哨记录")
    except DomainError as e:
        messages.error(request, f"结束吹哨未成功：{e.message}")
        return redirect(_back(request, reverse("whistles:inbox")))
    messages.success(request, "已结束吹哨")
    return redirect(_back(request, reverse("web:ticket", args=[w.ticket_id])))


@login_required
def new_matter(request):
    """新事项吹哨: register a matter on the whistle channel and summon departments, in one step."""
    form = NewMatterForm(request.POST or None)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise InvalidInput(_errors(form))
            d = form.cleaned_data
            w = actions.do_blow_new(request.user, category=d["category"].strip(), title=d["title"], description=d["description"],
                                    address=d["address"], lon=d["lon"] or None, lat=d["lat"] or None, **form.action_kwargs())
        except DomainError as e:
            messages.error(request, f"吹哨未成功：{e.message}")
        else:
            messages.success(request, f"已登记事项并吹哨，召集{w.summons.count()}个部门报到")
            return redirect("web:ticket", ticket_id=w.ticket_id)
    categories = Category.objects.filter(active=True, children=None).order_by("code").values_list("code", "name")
    return render(request, "whistles/new.html", {"title": "新事项吹哨", "form": form, "departments": departments(),
                                                 "categories": list(categories), "limit_units": list(LIMIT_UNIT_LABELS.items()),
                                                 "selected": [str(i) for i in request.POST.getlist("unit_ids")]})
