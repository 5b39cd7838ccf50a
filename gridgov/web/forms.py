"""The ticket list filter form: the same filters as the API, validated with Chinese messages."""

from types import SimpleNamespace

from django import forms

from gridgov.tickets.models import Channel
from gridgov.tickets.queries import ORDERINGS
from gridgov.tickets.states import TicketState
from gridgov.units.models import Unit

OVERDUE_CHOICES = [("", "全部"), ("1", "已超期"), ("0", "未超期")]


class TicketFilterForm(forms.Form):
    """Search and filters of every ticket list; an empty form means no filter."""

    q = forms.CharField(label="搜索", required=False, max_length=100, widget=forms.TextInput(attrs={"placeholder": "工单编号 / 电话 / 关键词"}))
    state = forms.MultipleChoiceField(label="状态", required=False, choices=TicketState.choices, widget=forms.CheckboxSelectMultiple)
    channel = forms.ChoiceField(label="渠道", required=False)
    category = forms.CharField(label="事项分类编码", required=False, max_length=20)
    area = forms.CharField(label="区域编码", required=False, max_length=18)
    unit = forms.TypedChoiceField(label="承办单位", required=False, coerce=int, empty_value=None)
    received_from = forms.DateField(label="受理日期起", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    received_to = forms.DateField(label="受理日期止", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    overdue = forms.ChoiceField(label="超期", required=False, choices=OVERDUE_CHOICES)
    ordering = forms.ChoiceField(label="排序", required=False, choices=[(k, k) for k in ORDERINGS])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", "全部渠道")] + list(Channel.objects.values_list("code", "name"))
        self.fields["unit"].choices = [("", "全部单位")] + list(Unit.objects.filter(active=True).values_list("pk", "name"))

    def clean(self):
        data = super().clean()
        if data.get("received_from") and data.get("received_to") and data["received_from"] > data["received_to"]:
            raise forms.ValidationError("受理日期起不能晚于受理日期止")
        return data

    def filters(self) -> SimpleNamespace:
        """Return the cleaned filters in the shape `tickets.queries.filter_tickets` takes."""
        d = self.cleaned_data
        return SimpleNamespace(
            q=d.get("q") or None, state=d.get("state") or [], channel=d.get("channel") or None,
            category=d.get("category") or None, area=d.get("area") or None, unit=d.get("unit"),
            received_from=d.get("received_from"), received_to=d.get("received_to"),
            overdue={"1": True, "0": False}.get(d.get("overdue") or ""), ordering=d.get("ordering") or "-received_at",
        )
