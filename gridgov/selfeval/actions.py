"""State changes of self-evaluations, each atomic and audited: create, copy, save, refresh live values, override."""

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q

from gridgov.audit.log import audit
from gridgov.core import clock
from gridgov.core.errors import InvalidInput, InvalidState
from gridgov.selfeval import access, live, narrative, starter, store, validation
from gridgov.selfeval.document import DEPARTMENT, PROJECT, SECTIONS, EvaluationData
from gridgov.selfeval.models import ActualChange, Evaluation, Indicator
from gridgov.selfeval.scoring import indicator_score

def _year(text) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise InvalidInput(f"年度格式不正确：{text}") from None


def _write(evaluation: Evaluation, data: EvaluationData) -> Evaluation:
    """Store the document if it can be stored at all; every reason it cannot is listed, nothing is written."""
    errors = validation.errors_of(data, children_allowed=evaluation.parent_id is None)
    if errors:
        raise InvalidInput("；".join(f"{e['place']}：{e['message']}" for e in errors[:5]), {"errors": errors})
    try:
        with transaction.atomic():
            store.write_document(evaluation, data)
    except IntegrityError:
        raise InvalidState(f"{data.title}已存在") from None
    return evaluation


@transaction.atomic
def do_create(actor, unit_name: str, year, kind: str = "department", project_name: str = "",
              template: str = "grid_centre", unit=None, area=None, parent: Evaluation | None = None) -> Evaluation:
    """Start an evaluation from a template."""
    if template not in starter.TEMPLATES:
        raise InvalidInput(f"未知的模板：{template}（可选：{'、'.join(starter.TEMPLATES)}）")
    data = starter.from_template(template, (unit_name or "").strip(), _year(year), kind, (project_name or "").strip())
    evaluation = _write(Evaluation(unit=unit, area=area, parent=parent, created_by=_user(actor)), data)
    audit(actor, "selfeval.create", evaluation, template=template)
    return evaluation


@transaction.atomic
def do_create_project(actor, parent: Evaluation, project_name: str, template: str = "grid_centre") -> Evaluation:
    """A project evaluation under a department's: same unit, area and year."""
    if parent.kind != DEPARTMENT:
        raise InvalidInput("项目支出自评只能建在部门整体支出自评之下")
    return do_create(actor, parent.unit_name, parent.year, PROJECT, project_name, template, unit=parent.unit,
                     area=parent.area, parent=parent)


@transaction.atomic
def do_copy(actor, source: Evaluation, year) -> Evaluation:
    """This year's draft from an earlier evaluation: tree, goal and projects kept, figures cleared."""
    data = starter.next_year(store.document_of(source), _year(year))
    evaluation = Evaluation(unit=source.unit, area=source.area, copied_from=source, created_by=_user(actor))
    _write(evaluation, data)
    audit(actor, "selfeval.copy", evaluation, source=source.pk)
    return evaluation


@transaction.atomic
def do_save(actor, evaluation: Evaluation, data: EvaluationData, action: str = "selfeval.save") -> Evaluation:
    """Replace the evaluation's contents (the edit form and the .xlsx import both end here)."""
    _write(evaluation, data)
    audit(actor, action, evaluation)
    return evaluation


@transaction.atomic
def do_delete(actor, evaluation: Evaluation) -> None:
    """Delete an evaluation and its project evaluations."""
    audit(actor, "selfeval.delete", evaluation, title=str(evaluation))
    evaluation.delete()


@transaction.atomic
def do_refresh_live(actor, evaluation: Evaluation, now=None) -> int:
    """Recompute the bound, not overridden actual values of the evaluation and its projects; returns how many changed."""
    changed = 0
    rows = Indicator.objects.filter(Q(evaluation=evaluation) | Q(evaluation__parent=evaluation))
    for row in rows.exclude(metric="").filter(overridden=False).select_related("evaluation"):
        result = live.value_of(row.metric, row.evaluation.year, live.scope_of(row.evaluation), now=now)
        if row.actual == result.value and row.actual_unit == result.unit:
            continue
        ActualChange.objects.create(indicator=row, source=ActualChange.Source.METRIC, old_value=row.actual,
                                    new_value=result.value, detail={"basis": result.basis, "link": result.link},
                                    actor=_user(actor), at=clock.now())
        _set_actual(row, result.value, result.unit)
        changed += 1
    if changed:
        audit(actor, "selfeval.refresh", evaluation, changed=changed)
    return changed


@transaction.atomic
def do_override_actual(actor, indicator: Indicator, value, reason: str) -> Indicator:
    """Set a bound indicator's actual value by hand; the reason is required and kept with the history."""
    if not (reason or "").strip():
        raise InvalidInput("人工修正实际完成值须填写理由")
    try:
        new = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"实际完成值应为数字：{value}") from None
    old = indicator.actual
    ActualChange.objects.create(indicator=indicator, source=ActualChange.Source.OVERRIDE, old_value=old,
                                new_value=new, reason=reason.strip(), actor=_user(actor), at=clock.now())
    indicator.overridden = True
    _set_actual(indicator, new, indicator.actual_unit or indicator.unit)
    audit(actor, "selfeval.override", indicator.evaluation, reason=reason.strip(), indicator=indicator.pk,
          old=None if old is None else str(old), new=str(new))
    return indicator


@transaction.atomic
def do_restore_live(actor, indicator: Indicator, now=None) -> Indicator:
    """Drop an override: the actual value follows the platform again."""
    if not indicator.metric:
        raise InvalidState("该指标未绑定平台指标")
    result = live.value_of(indicator.metric, indicator.evaluation.year, live.scope_of(indicator.evaluation), now=now)
    ActualChange.objects.create(indicator=indicator, source=ActualChange.Source.RESTORE, old_value=indicator.actual,
                                new_value=result.value, detail={"basis": result.basis, "link": result.link},
                                actor=_user(actor), at=clock.now())
    indicator.overridden = False
    _set_actual(indicator, result.value, result.unit)
    audit(actor, "selfeval.restore", indicator.evaluation, indicator=indicator.pk)
    return indicator


@transaction.atomic
def do_draft_sections(actor, evaluation: Evaluation, overwrite: bool = False, now=None) -> list[str]:
    """Fill the report's sections with text drafted from the data (only empty ones unless overwrite); returns titles."""
    drafted = narrative.draft(evaluation, evaluation.year, now=now)
    sections = dict(evaluation.sections or {})
    titles = dict(SECTIONS[evaluation.kind])
    filled = [key for key, text in drafted.items() if text and (overwrite or not (sections.get(key) or "").strip())]
    for key in filled:
        sections[key] = drafted[key]
    if filled:
        evaluation.sections = sections
        evaluation.save(update_fields=["sections", "updated_at"])
        audit(actor, "selfeval.draft", evaluation, sections=filled)
    return [titles.get(key, key) for key in filled]


def _set_actual(row: Indicator, value, unit: str) -> None:
    row.actual, row.actual_unit, row.actual_text = value, unit, ""
    formula = indicator_score(store.indicator_of(row))
    if formula is not None:
        row.score = formula
    row.save(update_fields=["actual", "actual_unit", "actual_text", "score", "overridden"])


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def editable(user, pk) -> Evaluation:
    """The evaluation if the user may edit it (NotFound when invisible, Forbidden when read-only)."""
    evaluation = access.get_visible(user, pk)
    access.require_edit(user, evaluation)
    return evaluation
