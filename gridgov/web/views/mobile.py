"""Mobile pages for grid workers (移动端): report an event from the phone, my grid's open tickets, door-to-door visits.

URLs (namespace "web"):
  m/                         "mobile"              my grid's open tickets and the two big buttons
  m/report/                  "mobile_report"       report an event (channel 网格巡查 "patrol") with photos and the phone's location
  m/report/<id>/done/        "mobile_report_done"  the success page with the ticket number
  m/visit/                   "mobile_visit"        record a door-to-door visit (入户走访) and list my recent visits

Stable ids for browser tests:
  report: #report-form, #id_category, #category-search, #id_description, #id_address, #id_photos,
          #id_lon, #id_lat, #id_reporter_area_code, #use-my-grid, #locate-status, #report-submit, #report-errors
  done:   #report-done (holds the ticket number in #report-number)
  home:   #my-tickets, #btn-report, #btn-visit
  visit:  #visit-form, #id_area, #id_household, #id_address, #id_people_count, #id_situation, #visit-submit,
          #visit-errors, #visit-list
The phone's location needs a secure context (HTTPS or localhost); without it the worker uses "use my grid".
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from gridgov.areas.models import CODE_LENGTHS, Area
from gridgov.core import clock
from gridgov.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from gridgov.patrol.actions import MIN_LEVEL, do_record_visit, visit_scopes
from gridgov.patrol.models import Visit
from gridgov.patrol.queries import household_for
from gridgov.tickets import access, attachments
from gridgov.tickets.actions import do_receive
from gridgov.tickets.states import DONE_STATES
from gridgov.units.models import Category

CHANNEL = "patrol"
HOME_TICKETS = 50
RECENT_VISITS = 20
TITLE_CHARS = 30
COORD_ERRORS = {"invalid": "定位坐标无效，请重新定位", "min_value": "定位坐标超出范围", "max_value": "定位坐标超出范围"}


def _report_grids(user) -> list[Area]:
    """The areas the user may report in: their area grants that carry ticket.receive."""
    codes = {g.area_code for g in access.grants_of(user) if g.area_code and "ticket.receive" in g.perms}
    return list(Area.objects.filter(code__in=codes).defer("boundary").order_by("code"))


def _may_view(user) -> bool:
    return any("ticket.view" in g.perms for g in access.grants_of(user))


def _no_role(request, message: str):
    return render(request, "web/mobile/no_role.html", {"message": message}, status=403)


def _leaf_categories() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Active leaf categories grouped by their first-level ancestor: [(group, [(code, name, keywords)])]."""
    cats = {c.pk: c for c in Category.objects.filter(active=True).order_by("code")}
    # do_receive takes only categories without any child, active or not.
    parents = set(Category.objects.filter(parent__isnull=False).values_list("parent_id", flat=True))
    groups: dict[int, list] = {}
    for c in cats.values():
        if c.pk in parents:
            continue
        top = c
        while top.parent_id and top.parent_id in cats:
            top = cats[top.parent_id]
        if top.parent_id:  # an inactive ancestor hides the branch
            continue
        groups.setdefault(top.pk, []).append(c)
    return [(cats[top].name, [(c.code, c.name, " ".join(c.keywords or [])) for c in leaves])
            for top, leaves in sorted(groups.items(), key=lambda kv: cats[kv[0]].code)]


class ReportForm(forms.Form):
    """An event seen on patrol; the photos are read from request.FILES ("photos") and checked separately."""

    category = forms.ChoiceField(label="事项分类", error_messages={"required": "请选择事项分类", "invalid_choice": "请选择有效的事项分类"})
    description = forms.CharField(label="情况描述", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                                  error_messages={"required": "请填写情况描述"})
    address = forms.CharField(label="地点", max_length=200, required=False,
                              widget=forms.TextInput(attrs={"placeholder": "如：金茂小区3栋北侧"}))
    lon = forms.FloatField(label="经度", required=False, widget=forms.HiddenInput, min_value=-180, max_value=180, error_messages=COORD_ERRORS)
    lat = forms.FloatField(label="纬度", required=False, widget=forms.HiddenInput, min_value=-90, max_value=90, error_messages=COORD_ERRORS)
    reporter_area_code = forms.ChoiceField(label="按所属网格上报", required=False,
                                           error_messages={"invalid_choice": "只能按本人负责的网格上报"})

    def __init__(self, *args, categories, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "请选择事项分类")] + [(g, [(c, n) for c, n, _k in items]) for g, items in categories]
        self.fields["reporter_area_code"].choices = [("", "—")] + [(a.code, a.name) for a in grids]

    def clean(self):
        data = super().clean()
        has_point = data.get("lon") is not None and data.get("lat") is not None
        if not has_point and not data.get("reporter_area_code") and not self.errors:
            raise forms.ValidationError("未获取到位置：请允许手机定位，或点击“使用我的网格”")
        return data


def _title(category_name: str, description: str) -> str:
    first = description.strip().splitlines()[0] if description.strip() else ""
    short = first[:TITLE_CHARS] + ("…" if len(first) > TITLE_CHARS else "")
    return f"{category_name}：{short}"[:200]


@login_required
def home(request):
    """My grid's open tickets, newest first, and the buttons to report or visit."""
    user = request.user
    if not _may_view(user):
        return _no_role(request, "您的账号没有查看工单的角色，请联系系统管理员授权。")
    qs = access.visible_to(user).exclude(state__in=DONE_STATES)
    now = clock.now()
    tickets = list(qs.select_related("category", "area").defer("area__boundary").order_by("-received_at", "-id")[:HOME_TICKETS])
    for t in tickets:
        t.is_late = t.handle_deadline is not None and t.handle_deadline < now
    grids = list(Area.objects.filter(code__in={g.area_code for g in access.grants_of(user) if g.area_code}).defer("boundary").order_by("code"))
    return render(request, "web/mobile/home.html", {
        "title": "我的网格", "tickets": tickets, "total": qs.count(), "grids": grids,
        "may_report": bool(_report_grids(user)), "may_visit": bool(visit_scopes(user)),
    })


def _refusal(err: DomainError) -> str:
    if isinstance(err, Forbidden):
        return "事件位置不在您负责的网格内，无法上报。如确在本网格，请点击“使用我的网格”后再提交。"
    return err.message


@login_required
def report(request):
    """Report an event: check the form and every photo first, then register the ticket and attach the photos atomically."""
    user = request.user
    grids = _report_grids(user)
    if not grids:
        return _no_role(request, "只有网格员等有上报权限的角色才能上报事件。")
    categories = _leaf_categories()
    errors: list[str] = []
    if request.method == "POST":
        form = ReportForm(request.POST, categories=categories, grids=grids)
        photos = request.FILES.getlist("photos")
        if form.is_valid():
            try:
                if len(photos) > attachments.MAX_FILES:
                    raise InvalidInput(f"一次最多上传 {attachments.MAX_FILES} 张照片")
                for photo in photos:
                    if not attachments.check_upload(photo).startswith("image/"):
                        raise InvalidInput(f"“{photo.name}”不是照片，这里只能上传 jpg、png、gif、webp 图片")
                d = form.cleaned_data
                name = next(n for _g, items in categories for code, n, _k in items if code == d["category"])
                with transaction.atomic():
                    ticket = do_receive(user, channel=CHANNEL, category=d["category"], title=_title(name, d["description"]),
                                        description=d["description"].strip(), address=d["address"].strip(),
                                        lon=d["lon"], lat=d["lat"], reporter_area_code=d["reporter_area_code"] or None)
                    if photos:
                        attachments.attach(user, ticket.pk, photos)
            except DomainError as err:
                errors.append(_refusal(err))
            else:
                return redirect("web:mobile_report_done", pk=ticket.pk)
        errors += [e for e in form.non_field_errors()]
        errors += [f"{form.fields[name].label}：{e}" for name, errs in form.errors.items() if name != "__all__" for e in errs]
        if photos:
            errors.append("出于安全原因，照片需要重新选择")
    else:
        form = ReportForm(categories=categories, grids=grids)
    return render(request, "web/mobile/report.html", {
        "title": "上报事件", "form": form, "errors": errors, "grids": grids, "categories": categories,
        "selected_category": form["category"].value() or "", "accept": "image/*", "max_files": attachments.MAX_FILES,
        "selected_grid": (form["reporter_area_code"].value() or "") if request.method == "POST" else "",
    }, status=422 if errors else 200)


@login_required
def report_done(request, pk: int):
    """The reported ticket's number; another user's or a missing ticket looks the same (404)."""
    try:
        ticket = access.get_visible(request.user, pk)
    except NotFound:
        return render(request, "web/mobile/not_found.html", status=404)
    return render(request, "web/mobile/report_done.html", {"title": "上报成功", "ticket": ticket, "photos": ticket.attachments.count()})


def _visit_areas(user) -> list[tuple[str, str]]:
    """The grids a visit may be recorded on, indented by level: each scope and its grids below (level 2 to 4)."""
    scopes = visit_scopes(user)
    rows = []
    for code in scopes:
        level = next(lvl for lvl, n in CODE_LENGTHS.items() if n == len(code))
        # A district- or street-wide scope would list thousands of micro-grids; those stop at level-3 grids.
        deepest = 4 if level >= MIN_LEVEL else 3
        qs = Area.objects.subtree(code).filter(level__gte=MIN_LEVEL, level__lte=deepest).order_by("code")
        rows += list(qs.values_list("code", "name", "level"))
    top = min((lvl for _c, _n, lvl in rows), default=0)
    return [(c, "\u3000" * (lvl - top) + n) for c, n, lvl in dict.fromkeys(rows)]


class VisitForm(forms.Form):
    area = forms.ChoiceField(label="走访网格", widget=forms.Select(attrs={"class": "form-select"}), error_messages={"required": "请选择走访网格", "invalid_choice": "请选择您负责的网格"})
    visited_at = forms.DateTimeField(label="走访时间", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"),
                                     error_messages={"required": "请填写走访时间", "invalid": "走访时间格式不正确"})
    address = forms.CharField(label="走访地址", max_length=200, error_messages={"required": "请填写走访地址"},
                              widget=forms.TextInput(attrs={"placeholder": "如：金茂小区3栋2单元501", "class": "form-control"}))
    household = forms.CharField(label="户主/住户", max_length=50, error_messages={"required": "请填写户主或住户姓名"},
                                widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}))
    people_count = forms.IntegerField(label="在户人数", min_value=0, max_value=999, initial=1,
                                      error_messages={"required": "请填写在户人数", "invalid": "在户人数必须是整数"},
                                      widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "form-control"}))
    situation = forms.ChoiceField(label="走访情况", choices=Visit.Situation.choices, initial=Visit.Situation.NORMAL,
                                  widget=forms.RadioSelect)
    note = forms.CharField(label="走访记录", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3, "class": "form-control", "placeholder": "家庭情况、诉求、需跟进事项"}))
    lon = forms.FloatField(label="经度", required=False, widget=forms.HiddenInput, error_messages=COORD_ERRORS)
    lat = forms.FloatField(label="纬度", required=False, widget=forms.HiddenInput, error_messages=COORD_ERRORS)

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = areas


@login_required
def visit(request):
    """Record a door-to-door visit through patrol.actions and list my recent visits."""
    user = request.user
    if not visit_scopes(user):
        return _no_role(request, "只有网格员、网格长可以登记入户走访。")
    areas = _visit_areas(user)
    errors: list[str] = []
    if request.method == "POST":
        form = VisitForm(request.POST, areas=areas)
        if form.is_valid():
            d = form.cleaned_data
            try:
                do_record_visit(user, area_code=d["area"], address=d["address"], household=d["household"],
                                people_count=d["people_count"], situation=d["situation"], note=d["note"],
                                visited_at=d["visited_at"], lon=d["lon"], lat=d["lat"])
            except DomainError as err:
                errors.append(err.message)
            else:
                messages.success(request, "走访记录已保存")
                return redirect("web:mobile_visit")
        errors += [f"{form.fields[name].label}：{e}" for name, errs in form.errors.items() if name != "__all__" for e in errs]
        errors += list(form.non_field_errors())
    else:
        initial_area = areas[0][0] if areas else ""
        form = VisitForm(areas=areas, initial={"area": initial_area, "visited_at": timezone.localtime(clock.now()).replace(second=0, microsecond=0)})
    recent = list(Visit.objects.filter(worker=user).select_related("area", "worker").defer("area__boundary").order_by("-visited_at", "-id")[:RECENT_VISITS])
    for v in recent:
        v.household_shown = household_for(user, v)
    return render(request, "web/mobile/visit.html", {"title": "入户走访", "form": form, "errors": errors, "recent": recent},
                  status=422 if errors else 200)


urlpatterns: list = [
    path("m/", home, name="mobile"),
    path("m/report/", report, name="mobile_report"),
    path("m/report/<int:pk>/done/", report_done, name="mobile_report_done"),
    path("m/visit/", visit, name="mobile_visit"),
]
