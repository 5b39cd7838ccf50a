"""The notification centre: my messages (unread first), mark one or all read, open the ticket, my outbound settings.

Every query is filtered by the logged-in user, so another user's message looks exactly like a missing one.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gridgov.core import clock
from gridgov.notifications.backends import configured
from gridgov.notifications.models import KINDS, Notification, Preference

PAGE_SIZE = 30


def _mine(request):
    return Notification.objects.filter(user=request.user)


def _own(request, notification_id) -> Notification:
    found = _mine(request).filter(pk=notification_id).first()
    if found is None:
        raise Http404("消息不存在")
    return found


@login_required
def centre(request):
    """My notifications, unread first, newest first within each, paged."""
    qs = _mine(request).select_related("ticket")
    only_unread = request.GET.get("show") == "unread"
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    qs = qs.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/centre.html", {
        "title": "消息中心", "page": page, "only_unread": only_unread,
        "unread": _mine(request).filter(read_at__isnull=True).count(),
    })


@login_required
@require_POST
def mark_read(request, notification_id: int):
    """Mark one of my notifications read."""
    _mine(request).filter(pk=_own(request, notification_id).pk, read_at__isnull=True).update(read_at=clock.now())
    return redirect(_back(request))


@login_required
@require_POST
def open_ticket(request, notification_id: int):
    """Mark read and go to the ticket's own page, which decides whether the user may still see it."""
    n = _own(request, notification_id)
    if n.read_at is None:
        _mine(request).filter(pk=n.pk, read_at__isnull=True).update(read_at=clock.now())
    if n.ticket_id is None:
        return redirect("notifications:centre")
    return redirect("web:ticket", n.ticket_id)


@login_required
@require_POST
def mark_all_read(request):
    """Mark all my unread notifications read."""
    done = _mine(request).filter(read_at__isnull=True).update(read_at=clock.now())
    messages.success(request, f"已将 {done} 条消息标为已读")
    return redirect(_back(request))


def _back(request) -> str:
    page = request.POST.get("page", "")
    return reverse("notifications:centre") + (f"?page={page}" if page.isdigit() else "")


class PreferenceForm(forms.ModelForm):
    """Which channels and kinds go out, and the quiet hours."""

    backends = forms.MultipleChoiceField(label="外发渠道", required=False, widget=forms.CheckboxSelectMultiple)
    kinds = forms.MultipleChoiceField(label="外发的消息类型（不选表示全部）", required=False, widget=forms.CheckboxSelectMultiple,
                                      choices=list(KINDS.items()))

    class Meta:
        model = Preference
        fields = ["backends", "kinds", "quiet_start", "quiet_end"]
        widgets = {"quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                   "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["backends"].choices = [(code, b.label) for code, b in configured().items()]

    def clean(self):
        data = super().clean()
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            raise forms.ValidationError("免打扰开始和结束时间须同时填写")
        return data


@login_required
def preferences(request):
    """My outbound settings; without a saved row every configured channel is used for every kind."""
    pref = Preference.objects.filter(user=request.user).first()
    initial = None if pref else {"backends": list(configured())}
    form = PreferenceForm(request.POST or None, instance=pref or Preference(user=request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "消息接收设置已保存")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"title": "消息接收设置", "form": form})
