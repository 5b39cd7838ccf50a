"""Ticket detail: every field, assignments with countdowns, the timeline, attachments, and exactly the actions the user may take now."""

# Stable element ids on the detail page (browser tests rely on them; keep them when restyling):
#   #ticket-state                 the ticket's state label
#   #actions                      the panel with every action button the user may press now; nothing else has an id act-*
#   #act-<verb>                   button opening a ticket-level action's form: #act-dispatch, #act-close, #act-callback, ...
#   #act-<verb>-<target id>       button of an action on one object: the assignment for sign / return / request_extension /
#                                 report (#act-sign-12), the extension for approve_extension / deny_extension, the
#                                 investigation for conclude_investigation
#   #form-<verb>[-<target id>]    that action's form (a Bootstrap collapse its button opens); the submit button inside has
#                                 class .btn-submit; field names are the keyword arguments of `actions.do_<verb>`, except
#                                 merge, which takes `parent` (the parent ticket's number)
#   #pii, #pii-reveal, #form-unmask   masked personal data, the 查看 button, its reason form (field `reason`, .btn-submit)
#   #ticket-fields, #assignments, #extensions, #callbacks, #investigations, #timeline   the tables
#   #attachments, #form-attach    the attachment list and the upload form (field `files`, .btn-submit)
#   #print-link                   link to the print view; #print-button on the print view
#   #not-found                    the message of the not-found page (missing and invisible tickets alike)
#   #supervised-badge, #supervision   the 督办 badge in the header and the 督办与催办 section (supervision app); its forms
#                                 #urge-form, #supervise-form, #end-supervision-form are opened by #urge-open, #supervise-open,
#                                 #end-supervision-open (not act-*: they are not transitions of the ticket)

from datetime import datetime
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from gridgov.api.schemas import MAX_ID
from gridgov.areas.models import Area
from gridgov.audit.log import audit
from gridgov.callbacks.models import Callback, Investigation
from gridgov.core import clock
from gridgov.core.errors import DomainError, InvalidInput, NotFound
from gridgov.tickets import access, actions, attachments
from gridgov.tickets.api import load_case
from gridgov.tickets.available import allowed_actions
from gridgov.tickets.deadlines import LIMIT_UNIT_LABELS, deadline_status
from gridgov.tickets.lifecycle import channel_limits, time_limits
from gridgov.tickets.models import Ticket
from gridgov.tickets.states import TRANSITIONS, AssignmentState, state_label, verb_label
from gridgov.units.models import Unit

NOT_FOUND = "web/detail/not_found.html"
LOCATED_BY = {"point": "坐标定位", "address": "地址匹配", "reporter": "上报人所属网格", "none": "未定位"}
SUCCESS = {
    "reject": "已不予受理", "dispatch": "已派单", "sign": "已签收", "return": "已回退", "request_extension": "已提交延期申请",
    "approve_extension": "已批准延期", "deny_extension": "已驳回延期申请", "report": "已提交办理反馈", "close": "已结案",
    "rework": "已发回重办", "merge": "已并单", "unmerge": "已拆单", "callback": "已记录回访", "open_investigation": "已发起调查",
    "conclude_investigation": "已完成责任认定", "reopen": "已重新启用",
}


# ---------------------------------------------------------------- action forms: POST fields → do_<verb> keyword arguments


class IdListField(forms.Field):
    """Several ids from a multi-select."""

    widget = forms.SelectMultiple

    def to_python(self, value):
        try:
            ids = [int(v) for v in value or []]
        except (TypeError, ValueError):
            raise ValidationError("请选择有效的单位") from None
        if any(not 1 <= i <= MAX_ID for i in ids) or len(ids) > 50:
            raise ValidationError("请选择有效的单位")
        return ids


def _text(label, max_length):
    # Not required here: the action names the missing field itself, in the same words as the API.
    return forms.CharField(label=label, max_length=max_length, required=False)


def _id(label):
    return forms.IntegerField(label=label, min_value=1, max_value=MAX_ID, required=False)


def _choice(label, choices):
    return forms.ChoiceField(label=label, choices=[("", "")] + list(choices), required=False)


def _yes_no(label, empty):
    return forms.TypedChoiceField(label=label, choices=[("", ""), ("true", "是"), ("false", "否")],
                                  coerce=lambda v: v == "true", empty_value=empty, required=False)


def _decimal(label):
    return forms.DecimalField(label=label, max_digits=6, decimal_places=2, required=False)


ACTION_FIELDS = {
    "reject": lambda: {"reason": _text("理由", 300)},
    "dispatch": lambda: {"lead_unit_id": _id("主办单位"), "support_unit_ids": IdListField(label="协办单位", required=False),
                         "note": _text("派单意见", 300)},
    "sign": lambda: {"assignment_id": _id("交办记录")},
    "return": lambda: {"assignment_id": _id("交办记录"), "reason": _text("回退理由", 300)},
    "request_extension": lambda: {"assignment_id": _id("交办记录"), "amount": _decimal("延期时长"),
                                  "limit_unit": _choice("时长单位", LIMIT_UNIT_LABELS.items()), "reason": _text("申请理由", 300)},
    "approve_extension": lambda: {"extension_id": _id("延期申请"), "note": _text("审核意见", 300)},
    "deny_extension": lambda: {"extension_id": _id("延期申请"), "note": _text("驳回意见", 300)},
    "report": lambda: {"assignment_id": _id("交办记录"), "result": _text("办理结果", 10000)},
    "close": lambda: {"note": _text("结案意见", 300)},
    "rework": lambda: {"reason": _text("重办理由", 300)},
    "merge": lambda: {"parent": _text("主单编号", 30), "note": _text("并单说明", 300)},
    "unmerge": lambda: {"note": _text("拆单说明", 300)},
    "callback": lambda: {"method": _choice("回访方式", Callback.Method.choices), "answered": _yes_no("是否接通", True),
                         "satisfaction": _choice("满意度", Callback.Satisfaction.choices), "resolved": _yes_no("是否解决", None),
                         "note": _text("回访记录", 2000)},
    "open_investigation": lambda: {"note": _text("调查说明", 2000)},
    "conclude_investigation": lambda: {"investigation_id": _id("调查"), "finding": _choice("认定结果", Investigation.Finding.choices),
                                       "responsible_unit_id": _id("责任单位"), "deduction_points": _decimal("扣分"),
                                       "note": _text("认定说明", 2000)},
    "reopen": lambda: {"reason": _text("重新启用理由", 300)},
}
VERB_FORMS = {verb: type(f"{verb.title().replace('_', '')}Form", (forms.Form,), fields()) for verb, fields in ACTION_FIELDS.items()}


class UnmaskForm(forms.Form):
    """Why the user needs the citizen's name and phone; the reason goes into the audit log."""

    reason = forms.CharField(label="查看理由", max_length=200, error_messages={
        "required": "请填写查看理由", "max_length": "查看理由不能超过200字"})


def _form_errors(form) -> str:
    return "；".join(f"{form.fields[name].label}：{e}" if name in form.fields else str(e)
                    for name, errors in form.errors.items() for e in errors)


def _parent_id(user, number: str):
    """Find the parent ticket by its number among the tickets the user can see."""
    if not number.strip():
        return None  # do_merge names the missing parent
    found = access.visible_to(user).filter(number=number.strip()).values_list("pk", flat=True).first()
    if found is None:
        raise InvalidInput(f"找不到编号为“{number.strip()}”的工单，或无权查看")
    return found


def _action_kwargs(user, verb: str, data: dict) -> dict:
    """Turn a valid form's data into the keyword arguments of `actions.do_<verb>`."""
    data = dict(data)
    if verb == "merge":
        data["parent_id"] = _parent_id(user, data.pop("parent"))
    if verb == "conclude_investigation" and data["deduction_points"] is None:
        data["deduction_points"] = 0
    return data


# ---------------------------------------------------------------- presentation helpers


def _remaining(seconds: float) -> str:
    """Say how long is left, or how long ago the deadline passed (web/ticket-detail.js words it the same way)."""
    if seconds >= 0:
        minutes = int(seconds // 60)
        days, minutes = divmod(minutes, 1440)
        hours, minutes = divmod(minutes, 60)
        if days:
            return f"剩余 {days} 天 {hours} 小时"
        return f"剩余 {hours} 小时 {minutes} 分" if hours else f"剩余 {minutes} 分钟"
    late = -seconds
    return f"已超期 {int(late // 3600)} 小时" if late >= 3600 else f"已超期 {int(late // 60)} 分钟"


def countdown(start: datetime | None, deadline: datetime | None, now: datetime, done_at: datetime | None = None,
              done_words=("按时办结", "超期办结")) -> dict | None:
    """Describe a deadline: a ticking countdown while open, on time or late once done."""
    if deadline is None:
        return None
    status = deadline_status(start or deadline, deadline, now, done_at)
    if done_at is not None:
        return {"text": done_words[status == "done_late"], "status": status, "ticking": False}
    return {"text": _remaining((deadline - now).total_seconds()), "status": status, "ticking": True,
            "deadline_ms": int(deadline.timestamp() * 1000), "now_ms": int(now.timestamp() * 1000)}


def _category_path(category) -> str:
    names, node = [], category
    while node is not None:
        names.append(node.name)
        node = node.parent
    return " / ".join(reversed(names))


def _area_path(area) -> str:
    if area is None:
        return ""
    names = dict(Area.objects.filter(code__in=area.ancestor_codes()).values_list("code", "name"))
    return " / ".join(names.get(code, code) for code in area.ancestor_codes())


def _limit(amount, unit) -> str:
    return f"{amount.normalize():f} {LIMIT_UNIT_LABELS.get(unit, unit)}"


def _rule(ticket) -> dict:
    rule = ticket.rule
    (sign_amount, sign_unit), (handle_amount, handle_unit) = time_limits(ticket)
    own = (_limit(rule.sign_limit, rule.sign_limit_unit), _limit(rule.handle_limit, rule.handle_limit_unit))
    applied = (_limit(sign_amount, sign_unit), _limit(handle_amount, handle_unit))
    channel = [f"{label}不超过{_limit(*limit)}" for label, limit in zip(("签收", "办理"), channel_limits(ticket)) if limit]
    return {"rule": rule, "department": rule.department.name if rule.department_id else "", "limits": own,
            "applied": applied if applied != own else None,
            "channel_limits": f"{ticket.channel.name}：{'，'.join(channel)}" if channel else ""}


def _action_entries(allowed: list[dict], case) -> list[dict]:
    """Give each allowed action its DOM id suffix, button label and the object it acts on."""
    assignments = {a.pk: a for a in case.assignments}
    extensions = {e.pk: e for e in case.extensions}
    investigations = {i.pk: i for i in case.investigations}
    entries = []
    for a in allowed:
        target_id = a["assignment_id"] or a["extension_id"] or a["investigation_id"]
        entry = {**a, "dom": f"{a['verb']}-{target_id}" if target_id else a["verb"], "button": a["label"],
                 "assignment": assignments.get(a["assignment_id"]), "extension": extensions.get(a["extension_id"]),
                 "investigation": investigations.get(a["investigation_id"])}
        unit = entry["assignment"] or (entry["extension"].assignment if entry["extension"] else None)
        if unit is not None:
            entry["button"] = f"{a['label']}（{unit.unit.name}）"
        entries.append(entry)
    return entries


def _context(user, ticket_id, *, reveal: bool = False, unmask_form=None, for_print: bool = False) -> dict:
    """Everything the detail and print pages show; personal data stays masked unless `reveal` (already audited)."""
    case = load_case(ticket_id)
    t, now = case.ticket, clock.now()
    visible = access.visible_to(user)
    children = list(visible.filter(parent=t).order_by("id").values("id", "number"))
    parent_visible = bool(t.parent_id) and visible.filter(pk=t.parent_id).exists()
    may_reveal = not for_print and access.can_view_pii(user, t)
    reveal = reveal and may_reveal
    units = {u.pk: u.name for u in Unit.objects.filter(pk__in=list(t.suggested_support or []))}
    ended = (AssignmentState.RETURNED, AssignmentState.WITHDRAWN)
    for a in case.assignments:
        # An assignment that ended without signing or reporting has no clock left to show.
        a.sign_info = None if a.state in ended and not a.signed_at else \
            countdown(a.dispatched_at, a.sign_deadline, now, a.signed_at, ("按时签收", "超时签收"))
        a.handle_info = None if a.state in ended and not a.reported_at else \
            countdown(a.dispatched_at, a.handle_deadline, now, a.reported_at, ("按时反馈", "超期反馈"))
        a.current = a.round == t.dispatch_round
    for e in case.extensions:
        e.unit_label = LIMIT_UNIT_LABELS.get(e.limit_unit, e.limit_unit)
    timeline = [{
        "event": ev, "actor": str(ev.actor) if ev.actor_id else "系统",
        "label": verb_label(ev.verb),
        "from": state_label(ev.from_state or None), "to": state_label(ev.to_state or None),
    } for ev in case.events]
    context = {
        "title": f"工单 {t.number}", "t": t, "case": case, "now": now, "for_print": for_print,
        "category_path": _category_path(t.category), "area_path": _area_path(t.area),
        "located_by": LOCATED_BY.get(t.located_by, t.located_by or "—"),
        "suggested_support": [units.get(pk, f"单位{pk}") for pk in t.suggested_support or []],
        "rule": _rule(t), "deadline": countdown(t.dispatched_at, t.handle_deadline, now, t.closed_at),
        "citizen": {
            "name": t.citizen_name if reveal else access.mask_name(t.citizen_name),
            "phone": t.citizen_phone if reveal else access.mask_phone(t.citizen_phone),
            "revealed": reveal, "can_reveal": may_reveal and bool(t.citizen_name or t.citizen_phone),
        },
        "unmask_form": unmask_form, "children": children, "parent_visible": parent_visible, "timeline": timeline,
        "attachments": list(t.attachments.select_related("uploaded_by")),
    }
    if not for_print:
        allowed = allowed_actions(user, case, now, has_children=t.merged_children.exists())
        context.update({
            "actions": _action_entries(allowed, case),
            "can_attach": any(access.can(user, perm, t) for perm in attachments.ATTACH_PERMISSIONS),
            "attach_accept": ",".join(attachments.ALLOWED), "attach_label": attachments.ALLOWED_LABEL,
            "attach_max_files": attachments.MAX_FILES,
            "units": list(Unit.objects.filter(active=True).order_by("kind", "code").values_list("pk", "name")),
            "handled_units": list({a.unit_id: a.unit.name for a in case.assignments if a.signed_at}.items()),
            "limit_units": list(LIMIT_UNIT_LABELS.items()), "callback_methods": Callback.Method.choices,
            "satisfactions": Callback.Satisfaction.choices, "findings": Investigation.Finding.choices,
        })
    return context


# ---------------------------------------------------------------- views


def _not_found(request):
    """The one page for a ticket that is missing and a ticket the user may not see: same status, same body."""
    return render(request, NOT_FOUND, status=404)


def visible_ticket(view):
    """Resolve the URL's ticket through the visibility filter; anything else is the not-found page."""
    @wraps(view)
    def wrapper(request, ticket_id, *args, **kwargs):
        try:
            ticket = access.get_visible(request.user, ticket_id)
        except NotFound:
            return _not_found(request)
        return view(request, ticket, *args, **kwargs)
    return login_required(wrapper)


@visible_ticket
def detail(request, ticket: Ticket):
    """The ticket page, personal data masked."""
    return render(request, "web/detail/detail.html", _context(request.user, ticket.pk))


@require_POST
@visible_ticket
def unmask(request, ticket: Ticket):
    """Show the full name and phone once, for a stated reason that is audited; refused to roles without pii.view."""
    if not access.can_view_pii(request.user, ticket):
        return render(request, "web/detail/forbidden.html", {"title": "无权查看个人信息", "t": ticket}, status=403)
    form = UnmaskForm(request.POST)
    if form.is_valid():
        audit(request.user, "pii.view", ticket, reason=form.cleaned_data["reason"])
    return render(request, "web/detail/detail.html", _context(request.user, ticket.pk, reveal=form.is_valid(), unmask_form=form))


@require_POST
@visible_ticket
def act(request, ticket: Ticket, verb: str):
    """Parse the verb's form, call its one action, and say in Chinese what happened."""
    if verb not in VERB_FORMS:
        return _not_found(request)
    form = VERB_FORMS[verb](request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_form_errors(form))
        getattr(actions, f"do_{verb}")(request.user, ticket.pk, **_action_kwargs(request.user, verb, form.cleaned_data))
    except DomainError as e:
        messages.error(request, f"{TRANSITIONS[verb].label}未成功：{e.message}")
    else:
        messages.success(request, SUCCESS[verb])
    return redirect("web:ticket", ticket_id=ticket.pk)


@require_POST
@visible_ticket
def attach(request, ticket: Ticket):
    """Upload photos and documents; all are checked before any is saved."""
    files = request.FILES.getlist("files")
    try:
        if not files:
            raise InvalidInput("请选择要上传的文件")
        saved = attachments.attach(request.user, ticket.pk, files)
    except DomainError as e:
        messages.error(request, f"上传未成功：{e.message}")
    else:
        messages.success(request, f"已上传 {len(saved)} 个附件")
    return redirect("web:ticket", ticket_id=ticket.pk)


@visible_ticket
def attachment(request, ticket: Ticket, att_id: int):
    """Serve one attachment of a visible ticket: images inline (for thumbnails), documents as downloads."""
    att = ticket.attachments.filter(pk=att_id).first()
    if att is None:
        return _not_found(request)
    try:
        handle = att.file.open("rb")
    except FileNotFoundError:
        return _not_found(request)
    response = FileResponse(handle, content_type=att.content_type, as_attachment=not att.is_image, filename=att.name)
    # Personal photos must not sit in shared caches.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@visible_ticket
def print_view(request, ticket: Ticket):
    """An A4 print of the ticket without the menu; personal data always masked."""
    return render(request, "web/detail/print.html", _context(request.user, ticket.pk, for_print=True))


urlpatterns = [
    path("tickets/<int:ticket_id>/", detail, name="ticket"),
    path("tickets/<int:ticket_id>/unmask/", unmask, name="ticket_unmask"),
    path("tickets/<int:ticket_id>/act/<slug:verb>/", act, name="ticket_act"),
    path("tickets/<int:ticket_id>/attach/", attach, name="ticket_attach"),
    path("tickets/<int:ticket_id>/attachments/<int:att_id>/", attachment, name="ticket_attachment"),
    path("tickets/<int:ticket_id>/print/", print_view, name="ticket_print"),
]
