"""Self-evaluation pages (绩效自评): list and create, the edit page, live figures, checks, files and import.

Views only parse, check rights and call actions.*: every evaluation comes through access.get_visible (missing and
invisible are the same 404 page), every write through actions.editable (read-only viewers get a 403 page).
"""

import io
import tempfile
import zipfile
from functools import wraps
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from gridgov.core import clock
from gridgov.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from gridgov.selfeval import access, actions, checks, files, live, scoring, starter, store, xlsx_import
from gridgov.selfeval.document import DEPARTMENT, KINDS, LEVEL1, PROJECT, SECTIONS
from gridgov.selfeval.forms import (
    AMOUNT_COLUMNS, CopyForm, CreateForm, ImportForm, OverrideForm, errors_text, mark_errors, parse, values_from_post,
    values_of,
)
from gridgov.selfeval.models import Evaluation

FORMAT_LABELS = {"xlsx": "Excel 自评表", "docx": "Word 自评报告", "pdf": "PDF"}
NOT_FOUND = "web/detail/not_found.html"  # the same page as a missing ticket, naming what is missing


# ---------------------------------------------------------------- access


def _not_found(request):
    """The one page for an evaluation that is missing and one the user may not see."""
    return render(request, NOT_FOUND, {"what": "绩效自评"}, status=404)


def _forbidden(request, message: str = "您可以查看该绩效自评，但无权编制或修改。"):
    return render(request, "selfeval/forbidden.html", {"title": "无权操作", "message": message}, status=403)


def visible(view):
    """Resolve the URL's evaluation through access.get_visible; anything else is the not-found page."""
    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        try:
            evaluation = access.get_visible(request.user, pk)
        except NotFound:
            return _not_found(request)
        return view(request, evaluation, *args, **kwargs)
    return login_required(wrapper)


def editable(view):
    """A write: POST only, the evaluation visible (else 404) and editable by the user (else 403)."""
    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        try:
            evaluation = actions.editable(request.user, pk)
        except NotFound:
            return _not_found(request)
        except Forbidden:
            return _forbidden(request)
        return view(request, evaluation, *args, **kwargs)
    return login_required(require_POST(wrapper))


def _detail_url(evaluation, anchor: str = "") -> str:
    return reverse("selfeval:detail", args=[evaluation.pk]) + (f"#{anchor}" if anchor else "")


# ---------------------------------------------------------------- list, create, copy, delete


def _list_context(request, create_form=None) -> dict:
    user = request.user
    qs = access.visible_to(user).select_related("parent", "unit", "created_by")
    years = sorted(set(qs.values_list("year", flat=True)), reverse=True)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    evaluations = list(qs.order_by("-year", "unit_name", "kind", "project_name"))
    editable_ids = set(access.visible_to(user, perm=access.EDIT).values_list("pk", flat=True))
    shown = {e.pk for e in evaluations}
    groups = []
    for e in evaluations:
        if e.parent_id in shown:
            continue
        e.can_edit = e.pk in editable_ids
        kids = [c for c in evaluations if c.parent_id == e.pk]
        for c in kids:
            c.can_edit = c.pk in editable_ids
        groups.append({"evaluation": e, "children": kids})
    departments = [e for e in evaluations if e.kind == DEPARTMENT and e.pk in editable_ids]
    return {
        "title": "绩效自评", "groups": groups, "years": years, "year": year, "may_create": access.may_create(user),
        "form": create_form or CreateForm(initial={"year": _this_year() - 1, "template": "grid_centre"}),
        "kinds": KINDS, "templates": [(k, v[0]) for k, v in starter.TEMPLATES.items()], "departments": departments,
    }


def _this_year() -> int:
    return clock.local_date(clock.now()).year


@login_required
@require_GET
def evaluation_list(request):
    """The evaluations the user may see, by year, with the create form and a copy button per evaluation."""
    if not access.may_view_any(request.user):
        return _not_found(request)
    return render(request, "selfeval/list.html", _list_context(request))


@login_required
@require_POST
def create(request):
    """Start an evaluation from a template; under a department's evaluation when `parent` is given."""
    if not access.may_view_any(request.user):
        return _not_found(request)
    if not access.may_create(request.user):
        return _forbidden(request, "您没有编制绩效自评的权限。")
    form = CreateForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput("；".join(errors_text(form)))
        c = form.cleaned_data
        if c.get("parent"):
            try:
                parent = actions.editable(request.user, c["parent"])
            except (NotFound, Forbidden):
                raise InvalidInput("所属部门整体自评不存在或无权编制") from None
            evaluation = actions.do_create_project(request.user, parent, c["project_name"], c["template"])
        else:
            unit = access.home_unit(request.user)
            # A unit's officer evaluates their own unit, under its name: no other unit's name can be taken or probed.
            evaluation = actions.do_create(request.user, unit.name if unit else c["unit_name"], c["year"], c["kind"],
                                           c["project_name"], c["template"], unit=unit)
    except DomainError as e:
        messages.error(request, f"新建未成功：{e.message}")
        return render(request, "selfeval/list.html", _list_context(request, form))
    messages.success(request, f"已新建：{evaluation}")
    return redirect(_detail_url(evaluation))


@editable
def copy(request, evaluation: Evaluation):
    """This year's draft from an earlier evaluation: tree, goal and projects kept, figures cleared."""
    form = CopyForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput("；".join(errors_text(form)))
        new = actions.do_copy(request.user, evaluation, form.cleaned_data["year"])
    except DomainError as e:
        messages.error(request, f"复制未成功：{e.message}")
        return redirect("selfeval:list")
    messages.success(request, f"已复制为 {new}，请填写本年度数据")
    return redirect(_detail_url(new))


@editable
def delete(request, evaluation: Evaluation):
    """Delete an evaluation and its project evaluations."""
    title = str(evaluation)
    parent = evaluation.parent
    try:
        actions.do_delete(request.user, evaluation)
    except DomainError as e:
        messages.error(request, f"删除未成功：{e.message}")
        return redirect(_detail_url(evaluation))
    messages.success(request, f"已删除：{title}")
    return redirect(_detail_url(parent) if parent else reverse("selfeval:list"))


# ---------------------------------------------------------------- the edit page


def _detail_context(request, evaluation: Evaluation, values=None, errors=(), error_cells=()) -> dict:
    data = store.document_of(evaluation)
    fresh = values is None
    if fresh:
        values = values_of(data)
    mark_errors(values, set(error_cells))
    total = data.amounts("total")
    computed_total = scoring.total_score(data)
    sums = scoring.weight_sums(data)
    weights = [{"name": name, "rule": w, "sum": sums.get(name), "ok": sums.get(name) == w}
               for name, (w, _l2) in LEVEL1.items()]
    bound = [row for row in evaluation.indicators.all() if row.metric]
    return {
        "title": str(evaluation), "evaluation": evaluation, "data": data, "v": values, "fresh": fresh,
        "errors": list(errors), "error_cells": set(error_cells), "can_edit": access.can_edit(request.user, evaluation),
        "kinds": KINDS, "is_project": evaluation.kind == PROJECT, "level1": LEVEL1,
        "bindable": [(code, live.label(code)) for code in live.BINDABLE], "amount_columns": AMOUNT_COLUMNS,
        "computed": {
            "rate": scoring.execution_rate(total.executed, total.budget),
            "execution_score": scoring.execution_score(data), "total": computed_total,
            "grade": scoring.grade(computed_total),
            "control_rate": scoring.control_rate(data.basic.staff_quota, data.basic.staff_actual),
        },
        "weights": weights, "bound_count": len(bound), "children": list(evaluation.children.order_by("project_name")),
        "templates": [(k, v[0]) for k, v in starter.TEMPLATES.items()], "formats": _formats(),
        "section_labels": dict(SECTIONS[evaluation.kind]),
    }


@visible
@require_GET
def detail(request, evaluation: Evaluation):
    """One evaluation in sections; editable for those who may edit it, read-only otherwise."""
    return render(request, "selfeval/detail.html", _detail_context(request, evaluation))


@editable
def save(request, evaluation: Evaluation):
    """Parse the whole edit form into one document and save it once; on any bad cell nothing is saved."""
    values = values_from_post(request.POST, evaluation.kind)
    data, errors, cells = parse(values, store.document_of(evaluation))
    if not errors:
        try:
            actions.do_save(request.user, evaluation, data)
        except DomainError as e:
            errors = [e.message]
        else:
            messages.success(request, "已保存")
            return redirect(_detail_url(evaluation))
    evaluation.refresh_from_db()
    context = _detail_context(request, evaluation, values, errors, cells)
    return render(request, "selfeval/detail.html", context, status=422)


@editable
def refresh(request, evaluation: Evaluation):
    """Recompute every bound, not overridden indicator's actual value from the platform."""
    try:
        changed = actions.do_refresh_live(request.user, evaluation)
    except DomainError as e:
        messages.error(request, f"刷新未成功：{e.message}")
    else:
        messages.success(request, f"已刷新平台数据：{changed} 项实际完成值有变化" if changed
                         else "已刷新平台数据：实际完成值均无变化")
    return redirect(_detail_url(evaluation, "live-section"))


@editable
def draft(request, evaluation: Evaluation):
    """Fill the report's sections from the saved data: the empty ones, or (confirmed) all of them."""
    overwrite = request.POST.get("mode") == "all"
    try:
        filled = actions.do_draft_sections(request.user, evaluation, overwrite=overwrite)
    except DomainError as e:
        messages.error(request, f"起草未成功：{e.message}")
    else:
        messages.success(request, f"已按数据起草 {len(filled)} 节：{'、'.join(filled)}" if filled
                         else "没有需要起草的空白章节（如需全部重写，请用“全部重新起草”）")
    return redirect(_detail_url(evaluation, "sections"))


# ---------------------------------------------------------------- live figures and overrides


@visible
@require_GET
def live_panel(request, evaluation: Evaluation):
    """The bound indicators: live value with basis and link, the value in the table, overrides and history."""
    rows = []
    for row in evaluation.indicators.exclude(metric="").prefetch_related("changes__actor"):
        try:
            value = live.value_of(row.metric, evaluation.year, live.scope_of(evaluation))
            failure = ""
        except DomainError as e:
            value, failure = None, e.message
        rows.append({"row": row, "live": value, "failure": failure, "label": live.label(row.metric),
                     "stored": store.indicator_of(row).actual_display,
                     "changes": list(row.changes.all())})
    return render(request, "selfeval/_live.html", {
        "evaluation": evaluation, "rows": rows, "can_edit": access.can_edit(request.user, evaluation),
        "scope": evaluation.area.name if evaluation.area_id else "全区",
    })


def _indicator_row(evaluation: Evaluation, row_pk: int):
    row = evaluation.indicators.filter(pk=row_pk).first()
    if row is None:
        raise NotFound("指标不存在")
    return row


@editable
def override(request, evaluation: Evaluation, row_pk: int):
    """Set a bound indicator's actual value by hand; a reason is required and kept in the history."""
    try:
        row = _indicator_row(evaluation, row_pk)
        if not row.metric:
            raise InvalidInput("该指标未绑定平台指标，请直接在指标表中填写实际完成值")
        form = OverrideForm(request.POST)
        if not form.is_valid():
            raise InvalidInput("；".join(errors_text(form)))
        actions.do_override_actual(request.user, row, form.cleaned_data["value"], form.cleaned_data["reason"])
    except NotFound:
        return _not_found(request)
    except DomainError as e:
        messages.error(request, f"修正未成功：{e.message}")
    else:
        messages.success(request, f"已修正“{row.name}”的实际完成值，理由已记录")
    return redirect(_detail_url(evaluation, "live-section"))


@editable
def restore(request, evaluation: Evaluation, row_pk: int):
    """Drop an override: the actual value follows the platform again."""
    try:
        row = actions.do_restore_live(request.user, _indicator_row(evaluation, row_pk))
    except NotFound:
        return _not_found(request)
    except DomainError as e:
        messages.error(request, f"恢复未成功：{e.message}")
    else:
        messages.success(request, f"“{row.name}”已恢复按平台数据计算")
    return redirect(_detail_url(evaluation, "live-section"))


# ---------------------------------------------------------------- checks


@visible
@require_GET
def check(request, evaluation: Evaluation):
    """Every problem a finance bureau would reject, with its place; errors first in red."""
    problems = checks.check(store.document_of(evaluation))
    errors = [p for p in problems if p.severity == "error"]
    return render(request, "selfeval/check.html", {
        "title": f"{evaluation} · 检查", "evaluation": evaluation, "problems": problems,
        "error_count": len(errors), "warning_count": len(problems) - len(errors),
        "can_edit": access.can_edit(request.user, evaluation), "formats": _formats(),
    })


# ---------------------------------------------------------------- files


def _formats() -> list[tuple[str, str, str]]:
    """The download buttons this machine can serve: (format, part or "", label)."""

    out = []
    for fmt in files.available_formats():
        if fmt == "pdf":
            out += [("pdf", "tables", "PDF 自评表"), ("pdf", "report", "PDF 自评报告")]
        else:
            out.append((fmt, "", FORMAT_LABELS.get(fmt, fmt)))
    return out


@visible
@require_GET
def export(request, evaluation: Evaluation, fmt: str):
    """Download the evaluation as .xlsx, .docx or .pdf (?part=tables|report), written afresh into a temporary directory."""
    if fmt not in files.FORMATS or fmt not in files.CONTENT_TYPES:
        return _not_found(request)
    part = request.GET.get("part", "")
    with tempfile.TemporaryDirectory(prefix="selfeval-") as tmp:
        try:
            paths = [Path(p) for p in files.write(evaluation, formats=(fmt,), out_dir=Path(tmp))]
        except DomainError as e:
            messages.error(request, f"导出未成功：{e.message}")
            return redirect(_detail_url(evaluation))
        paths = [p for p in paths if p.suffix.lower() == f".{fmt}"]
        if part:
            paths = [p for p in paths if p.stem.endswith(f"-{part}")] or paths
        if not paths:
            messages.error(request, "导出未成功：没有生成文件")
            return redirect(_detail_url(evaluation))
        if len(paths) == 1:
            body, content_type, name = paths[0].read_bytes(), files.CONTENT_TYPES[fmt], paths[0].name
        else:  # several files of one format: one zip
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for p in paths:
                    archive.write(p, p.name)
            body, content_type = buffer.getvalue(), "application/zip"
            name = f"selfeval-{evaluation.year}-{evaluation.pk}-{fmt}.zip"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Content-Length"] = str(len(body))
    return response


def _import_context(evaluation: Evaluation, form, errors=(), cell_errors=()) -> dict:
    return {"title": f"{evaluation} · 导入", "evaluation": evaluation, "form": form, "errors": list(errors),
            "cell_errors": list(cell_errors), "can_edit": True, "formats": _formats()}


@visible
@require_GET
def import_form(request, evaluation: Evaluation):
    """The upload form; only for those who may edit the evaluation (others get the 403 page)."""
    if not access.can_edit(request.user, evaluation):
        return _forbidden(request)
    return render(request, "selfeval/import.html", _import_context(evaluation, ImportForm()))


@editable
def import_xlsx(request, evaluation: Evaluation):
    """Read a filled-in .xlsx back into the evaluation; on any bad cell nothing changes and the cells are listed."""
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "selfeval/import.html", _import_context(evaluation, form, errors_text(form)), status=422)
    try:
        xlsx_import.import_into(request.user, evaluation, form.cleaned_data["file"])
    except DomainError as e:
        context = _import_context(evaluation, form, [e.message], (e.details or {}).get("errors") or [])
        return render(request, "selfeval/import.html", context, status=422)
    messages.success(request, "已导入，表中数据已替换为文件内容")
    return redirect(_detail_url(evaluation))
