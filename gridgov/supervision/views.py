"""催办 and 督办 from the ticket page: views parse, check visibility, call one action and say in Chinese what happened."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gridgov.api.schemas import MAX_ID
from gridgov.core import clock
from gridgov.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from gridgov.supervision import actions
from gridgov.supervision.models import Supervision, Urge
from gridgov.tickets import access
from gridgov.tickets.states import DONE_STATES, OPEN_ASSIGNMENT_STATES

NOT_FOUND = "web/detail/not_found.html"


class UrgeForm(forms.Form):
    assignment_id = forms.IntegerField(label="交办记录", min_value=1, max_value=MAX_ID, required=False)
    message = forms.CharField(label="催办意见", max_length=actions.MAX_TEXT, required=False)


class SuperviseForm(forms.Form):
    note = forms.CharField(label="督办意见", max_length=actions.MAX_TEXT, required=False)
    due_date = forms.DateField(label="要求办结日期", required=False)


class EndForm(forms.Form):
    note = forms.CharField(label="结束说明", max_length=actions.MAX_TEXT, required=False)


def _errors(form) -> str:
    return "；".join(f"{form.fields[n].label}：{e}" if n in form.fields else str(e) for n, errs in form.errors.items() for e in errs)


def ticket_section(user, ticket) -> dict:
    """What the ticket page shows of its urges and supervisions, with the forms the user may use now."""
    urges = list(Urge.objects.filter(ticket=ticket).select_related("unit", "by").order_by("at", "pk"))
    sups = list(Supervision.objects.filter(ticket=ticket).select_related("by", "ended_by").order_by("at", "pk"))
    current = next((s for s in sups if s.is_open), None)
    is_open = ticket.state not in DONE_STATES
    may_urge = is_open and access.can(user, actions.URGE, ticket)
    may_supervise = access.can(user, actions.SUPERVISE, ticket)
    urgeable = []
    if may_urge:
        urgeable = [(a.pk, f"{a.unit.name}（{a.get_role_display()}，{a.get_state_display()}）")
                    for a in ticket.assignments.select_related("unit").filter(round=ticket.dispatch_round,
                                                                               state__in=OPEN_ASSIGNMENT_STATES).order_by("pk")]
    return {"t": ticket, "urges": urges, "supervisions": sups, "current": current, "urgeable": urgeable,
            "may_supervise": may_supervise and is_open and current is None, "may_end": may_supervise and current is not None,
            "today": clock.local_date(clock.now()).isoformat()}


def _post(action, label: str, success: str, form_class, kwargs=lambda d: d):
    """A POST on one ticket: NotFound for a ticket the user cannot see, else the action's outcome as a message."""
    @require_POST
    @login_required
    def view(request, ticket_id: int):
        try:
            ticket = access.get_visible(request.user, ticket_id)
        except NotFound:
            return render(request, NOT_FOUND, status=404)
        form = form_class(request.POST)
        try:
            if not form.is_valid():
                raise InvalidInput(_errors(form))
            action(request.user, ticket.pk, **kwargs(form.cleaned_data))
        except Forbidden as e:
            return render(request, "supervision/forbidden.html", {"title": "无权操作", "t": ticket, "message": e.message}, status=403)
        except DomainError as e:
            messages.error(request, f"{label}未成功：{e.message}")
        else:
            messages.success(request, success)
        return redirect("web:ticket", ticket_id=ticket.pk)
    view.__name__ = action.__name__
    return view


urge = _post(actions.do_urge, "催办", "已催办", UrgeForm, lambda d: {"assignment_id": d["assignment_id"], "message": d["message"]})
supervise = _post(actions.do_supervise, "督办", "已列为领导督办", SuperviseForm,
                  lambda d: {"note": d["note"], "due_date": d["due_date"]})
end = _post(actions.do_end_supervision, "结束督办", "已结束督办", EndForm)
