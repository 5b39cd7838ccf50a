"""Between the database and the plain document: read an evaluation whole, or replace its contents with a document."""

from django.db import transaction

from gridgov.selfeval.document import (
    BASIC_LINES, FUND_LINES, PROJECT, Amounts, BasicData, BasicRow, EvaluationData, Indicator, ProjectLine,
)
from gridgov.selfeval.models import BasicFigure, Evaluation, FundLine
from gridgov.selfeval.models import Indicator as IndicatorRow

INDICATOR_FIELDS = ("level1", "level2", "name", "weight", "score", "comparator", "target", "unit", "target_text",
                    "actual", "actual_unit", "actual_text", "deviation", "metric")
HEAD_FIELDS = ("unit_name", "year", "kind", "project_name", "department_name", "goal", "outcome", "execution_weight",
               "stated_execution_score", "execution_reason", "stated_total", "stated_grade")
BOUND_FIELDS = ("actual", "actual_unit", "actual_text")
BASIC_FIELDS = ("staff_quota", "staff_actual", "stated_control_rate", "savings_measures")


def indicator_of(row: IndicatorRow) -> Indicator:
    """One indicator row as plain data."""
    return Indicator(**{f: getattr(row, f) for f in INDICATOR_FIELDS}, key=row.pk)


def document_of(evaluation: Evaluation, with_children: bool = True) -> EvaluationData:
    """The evaluation (and its project evaluations) as plain data."""
    data = EvaluationData(**{f: getattr(evaluation, f) for f in HEAD_FIELDS})
    data.sections = dict(evaluation.sections or {})
    for line in evaluation.fund_lines.all():
        amounts = Amounts(line.initial, line.budget, line.executed, line.stated_rate)
        if line.key == "item":
            data.projects.append(ProjectLine(line.name, amounts))
        else:
            data.funds[line.key] = amounts
    data.basic = BasicData(**{f: getattr(evaluation, f) for f in BASIC_FIELDS})
    data.basic.rows = {row.key: BasicRow(row.last_final, row.budget, row.final) for row in evaluation.basic_figures.all()}
    data.indicators = [indicator_of(row) for row in evaluation.indicators.all()]
    if with_children:
        data.children = [document_of(child, False) for child in evaluation.children.order_by("project_name")]
    return data


@transaction.atomic
def write_document(evaluation: Evaluation, data: EvaluationData) -> Evaluation:
    """Replace the evaluation's contents with the document's; project evaluations are matched by project name."""
    for f in HEAD_FIELDS:
        setattr(evaluation, f, getattr(data, f))
    for f in BASIC_FIELDS:
        setattr(evaluation, f, getattr(data.basic, f))
    evaluation.sections = dict(data.sections)
    evaluation.save()
    _write_rows(evaluation, data)
    if evaluation.kind != PROJECT:
        _write_children(evaluation, data.children)
    return evaluation


def _write_rows(evaluation: Evaluation, data: EvaluationData) -> None:
    evaluation.fund_lines.all().delete()
    order = [key for key, _label, _parent in FUND_LINES]
    lines = [FundLine(evaluation=evaluation, key=key, sort=order.index(key) if key in order else 90, initial=a.initial,
                      budget=a.budget, executed=a.executed, stated_rate=a.stated_rate)
             for key, a in data.funds.items()]
    lines += [FundLine(evaluation=evaluation, key="item", name=p.name, sort=100 + n, initial=p.amounts.initial,
                       budget=p.amounts.budget, executed=p.amounts.executed, stated_rate=p.amounts.stated_rate)
              for n, p in enumerate(data.projects)]
    FundLine.objects.bulk_create(sorted(lines, key=lambda line: line.sort))
    evaluation.basic_figures.all().delete()
    known = [key for key, _label, _parent in BASIC_LINES]
    BasicFigure.objects.bulk_create(
        BasicFigure(evaluation=evaluation, key=key, last_final=row.last_final, budget=row.budget, final=row.final)
        for key, row in sorted(data.basic.rows.items(), key=lambda kv: known.index(kv[0]) if kv[0] in known else 99))
    _write_indicators(evaluation, data.indicators)


def _write_indicators(evaluation: Evaluation, indicators: list[Indicator]) -> None:
    """Update rows in place — matched by stored row, else by place in the tree — so a row keeps history and override."""
    rows = {row.pk: row for row in evaluation.indicators.order_by("sort")}
    by_place: dict[tuple, list[IndicatorRow]] = {}
    for row in rows.values():
        by_place.setdefault((row.level1, row.level2, row.name), []).append(row)
    for n, i in enumerate(indicators):
        row = rows.pop(i.key, None)
        if row is None:
            matches = [r for r in by_place.get((i.level1, i.level2, i.name), []) if r.pk in rows]
            row = rows.pop(matches[0].pk) if matches else IndicatorRow(evaluation=evaluation)
        kept = BOUND_FIELDS if row.pk and row.metric and row.metric == i.metric else ()
        row.sort = n
        for f in INDICATOR_FIELDS:
            if f not in kept:  # a bound actual changes only through refresh or an override with its reason
                setattr(row, f, getattr(i, f))
        if not row.metric:
            row.overridden = False
        row.save()
    IndicatorRow.objects.filter(pk__in=list(rows)).delete()


def _write_children(evaluation: Evaluation, children: list[EvaluationData]) -> None:
    existing = {child.project_name: child for child in evaluation.children.all()}
    wanted = {child.project_name for child in children}
    for name, child in existing.items():
        if name not in wanted:
            child.delete()
    for child_data in children:
        child = existing.get(child_data.project_name) or Evaluation(
            parent=evaluation, unit=evaluation.unit, area=evaluation.area, created_by=evaluation.created_by)
        child_data.kind = PROJECT
        write_document(child, child_data)
