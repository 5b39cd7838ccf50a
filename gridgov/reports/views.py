"""The report download page: pick a month or period and an area, get the .docx or .xlsx."""

import tempfile
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from gridgov.areas.models import Area
from gridgov.audit.log import audit
from gridgov.core.errors import DomainError
from gridgov.reports import render as reports
from gridgov.reports.access import areas_for, may_view


class ReportForm(forms.Form):
    """What to generate: the kind, its period, the area and the file format."""

    kind = forms.ChoiceField(label="报告", choices=[("monthly", "月度工作通报"), ("analysis", "回访不满意工单分析")])
    month = forms.CharField(label="月份", required=False, help_text="月度通报：YYYY-MM，如 2026-05",
                            widget=forms.TextInput(attrs={"type": "month"}))
    period = forms.CharField(label="统计期", required=False,
                             help_text="不满意分析：2026、2026-Q2、2026-05 或 2026-01-01..2026-06-30")
    area = forms.ChoiceField(label="区域")
    format = forms.ChoiceField(label="格式", choices=[("docx", "Word（.docx）"), ("xlsx", "Excel（.xlsx）")])

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.code, a.name) for a in areas]

    def clean(self):
        data = super().clean()
        if data.get("kind") == "monthly" and not data.get("month"):
            self.add_error("month", "请填写月份")
        if data.get("kind") == "analysis" and not data.get("period"):
            self.add_error("period", "请填写统计期")
        return data


@login_required
def download(request):
    """The form; with a valid query, the file itself."""
    areas = areas_for(request.user)
    if not areas:
        return render(request, "reports/forbidden.html", status=403)
    form = ReportForm(request.GET or None, areas=areas, initial={"area": areas[0].code})
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        area = Area.objects.get(code=d["area"])
        if not may_view(request.user, area):  # the choices already hold only such areas; checked again on purpose
            return render(request, "reports/forbidden.html", status=403)
        try:
            return _file(request, d, area)
        except DomainError as e:
            form.add_error("month" if d["kind"] == "monthly" else "period", e.message)
    return render(request, "reports/download.html", {"form": form, "title": "通报与报告"})


def _file(request, d: dict, area: Area) -> HttpResponse:
    with tempfile.TemporaryDirectory() as tmp:
        if d["kind"] == "monthly":
            [path] = reports.monthly_files(d["month"], area.code, tmp, [d["format"]])
        else:
            [path] = reports.analysis_files(d["period"], area.code, tmp, [d["format"]])
        content = Path(path).read_bytes()
    # Who took which figures out of the system, as for any other export of data.
    audit(request.user, "report.download", area, file=path.name)
    response = HttpResponse(content, content_type=reports.CONTENT_TYPES[d["format"]])
    response["Content-Disposition"] = f'attachment; filename="{path.name}"'
    return response
