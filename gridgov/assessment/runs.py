"""Assessment runs: collect inputs through the metrics API, score them, store, diff, publish, pay — atomic and audited."""

import hashlib
import json
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction

from gridgov.accounts.models import RoleGrant
from gridgov.assessment import scoring
from gridgov.assessment.models import AwardBudget, AwardPayment, Run, RunResult, RuleSet
from gridgov.audit.log import audit
from gridgov.core import clock
from gridgov.core.errors import Forbidden, InvalidInput, InvalidState, NotFound
from gridgov.metrics.compute import BREAKDOWN_OF_LEVEL, Scope, breakdown, figures
from gridgov.metrics.periods import Period
from gridgov.tickets import access
from gridgov.tickets.models import Channel
from gridgov.units.models import Unit

# The metrics breakdown that lists each kind of assessed object.
BREAKDOWN_BY = {"grid3": "grid3", "grid4": "grid4", "community": "community", "street": "street", "department": "unit"}
# A grid leader is assessed on the figures of the area they lead, whatever its level.
PERIOD_EXAMPLES = {"month": "2026-05", "quarter": "2026-Q2", "year": "2026"}


def can(user, perm: str) -> bool:
    """Assessment is district business: only a district-wide grant carrying `perm` allows it."""
    return access.can(user, perm, area_code=None)


def _require(actor, perm: str) -> None:
    # actor None is the console (`gridgov assess`): whoever runs it already has the database.
    if actor is not None and not can(actor, perm):
        raise Forbidden()


def resolve_rule_set(code: str, period: Period) -> RuleSet:
    """The active version of a rule in force at the start of the period (the highest such version)."""
    found = (RuleSet.objects.filter(code=code, active=True, effective_from__lte=period.start)
             .order_by("-version").first())
    if found is None:
        if RuleSet.objects.filter(code=code).exists():
            raise InvalidInput(f"考核规则“{code}”在{period.label}没有已启用的版本")
        raise NotFound(f"考核规则不存在：{code}（用 gridgov assess --list 查看可用规则）")
    return found


def parse_period(text) -> Period:
    """Read a period given as text or Period."""
    return text if isinstance(text, Period) else Period.parse(text)


def _value(v):
    """A metric value as it is stored in a run's inputs: int stays int, Decimal becomes its string, None stays."""
    if v is None or isinstance(v, int):
        return v
    return str(v)


def _channel_groups(spec: scoring.RuleSpec) -> dict:
    groups: dict = {}
    for ref in spec.metric_refs():
        groups.setdefault(ref.channel, []).append(ref.code)
    return groups


def _scope(channel=None, **kw) -> Scope:
    return Scope(channel=channel, **kw)


def _collect_rows(by: str, period: Period, groups: dict, **scope) -> dict:
    """Rows of one breakdown per channel group, merged per key into {key: {label, extra, values}}."""
    merged: dict = {}
    for channel, codes in groups.items():
        for row in breakdown(period, by, scope=_scope(channel, **scope), codes=sorted(set(codes))):
            entry = merged.setdefault(str(row.key), {"label": row.label, "extra": dict(row.extra or {}), "values": {}})
            for code in codes:
                fig = row.figures.get(code)
                entry["values"][scoring.MetricRef(code, channel).key] = _value(fig.value if fig else None)
    return merged


def _figures_values(period: Period, groups: dict, **scope) -> dict:
    values = {}
    for channel, codes in groups.items():
        figs = figures(period, scope=_scope(channel, **scope), codes=sorted(set(codes)))
        for code in codes:
            values[scoring.MetricRef(code, channel).key] = _value(figs[code].value if code in figs else None)
    return values


def _object(key, label, values, kind="", population=None) -> dict:
    return {"key": key, "label": label, "kind": kind or "", "population": population, "values": values}


def collect(object_kind: str, spec: scoring.RuleSpec, period: Period) -> list[dict]:
    """Every object of the kind with the metric values the rule reads, sorted by key."""
    groups = _channel_groups(spec) or {None: ["received"]}  # awards-only rules still need the object list
    if object_kind == "grid_leader":
        objects = _grid_leaders(period, groups)
    elif object_kind == "department":
        objects = _departments(period, groups, spec.unit_group)
    else:
        rows = _collect_rows(BREAKDOWN_BY[object_kind], period, groups)
        objects = [_object(k, r["label"], r["values"], r["extra"].get("kind", ""), r["extra"].get("population"))
                   for k, r in rows.items()]
    return sorted(objects, key=lambda o: o["key"])


def _departments(period: Period, groups: dict, unit_group: str | None) -> list[dict]:
    scope = {"unit_group": unit_group} if unit_group else {}
    rows = _collect_rows("unit", period, groups, **scope)
    units = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, active=True)
    if unit_group:
        units = units.filter(group=unit_group)
    objects = []
    for u in units.order_by("code"):
        row = rows.get(str(u.pk)) or rows.get(u.code)
        # A department without tickets in the period is still assessed, on its (empty) figures.
        values = row["values"] if row else _figures_values(period, groups, unit=u.pk)
        objects.append(_object(u.code, u.name, values, u.group))
    return objects


def _grid_leaders(period: Period, groups: dict) -> list[dict]:
    grants = list(RoleGrant.objects.filter(role="grid_leader", user__is_active=True, area__isnull=False)
                  .select_related("user", "area"))
    by_level: dict = {}
    for level in sorted({g.area.level for g in grants}):
        if level in BREAKDOWN_OF_LEVEL:
            by_level[level] = _collect_rows(BREAKDOWN_OF_LEVEL[level], period, groups)
    objects = []
    for g in grants:
        area, user = g.area, g.user
        row = by_level.get(area.level, {}).get(area.code)
        values = row["values"] if row else _figures_values(period, groups, area=area.code)
        name = user.display_name or user.username
        population = row["extra"].get("population") if row else area.population
        objects.append(_object(f"{user.username}@{area.code}", f"{name}（{area.name}）", values, area.kind, population))
    return objects


def canonical(data) -> str:
    """Stable JSON text for digests."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(data) -> str:
    return hashlib.sha256(canonical(data).encode()).hexdigest()


def score_inputs(inputs: dict) -> scoring.Outcome:
    """Score a run's stored inputs; the same inputs always give the same outcome."""
    spec = scoring.parse_spec(inputs["rule"]["spec"])
    subjects = [scoring.Subject(o["key"], o["label"], o["values"], o.get("kind") or "", o.get("population"))
                for o in inputs["objects"]]
    return scoring.score(spec, subjects, inputs.get("channels"))


def results_of(outcome: scoring.Outcome) -> list[dict]:
    return [r.as_dict() for r in outcome.results]


def build_inputs(rule_set: RuleSet, period: Period) -> dict:
    """The rule snapshot, the period and each object's metric values: everything a result depends on."""
    spec = rule_set.parsed()
    if spec.period_kind and period.kind != spec.period_kind:
        kind = scoring.PERIOD_KINDS[spec.period_kind]
        raise InvalidInput(f"“{rule_set.name}”是{kind}考核，统计期应写成如 {PERIOD_EXAMPLES[spec.period_kind]}，"
                           f"而不是 {period.slug}")
    return {
        "rule": {"id": rule_set.pk, "code": rule_set.code, "version": rule_set.version, "name": rule_set.name,
                 "object_kind": rule_set.object_kind, "spec": rule_set.spec},
        "period": {"slug": period.slug, "kind": period.kind, "start": period.start.isoformat(),
                   "end": period.end.isoformat(), "label": period.label},
        "objects": collect(rule_set.object_kind, spec, period),
        "channels": dict(Channel.objects.filter(code__in={r.channel for r in spec.metric_refs() if r.channel})
                         .values_list("code", "name")),
    }


def do_assess(actor, rule_set, period, *, publish: bool = False) -> Run:
    """Compute a rule set for a period as a new draft run, superseding the current draft; optionally publish it."""
    _require(actor, "assessment.run")
    if publish:
        _require(actor, "assessment.publish")
    period = parse_period(period)
    if isinstance(rule_set, str):
        rule_set = resolve_rule_set(rule_set, period)
    current = _current_run(rule_set.code, period.slug)
    if current is not None and current.is_published:
        raise InvalidState(f"{rule_set.name}{period.label}的考核结果已发布，不能重新计算")
    inputs = build_inputs(rule_set, period)
    outcome = score_inputs(inputs)
    results = results_of(outcome)
    try:
        with transaction.atomic():
            run = _store(actor, rule_set, period, inputs, outcome, results)
            if publish:
                _publish(actor, run)
    except IntegrityError:
        raise InvalidState("同一规则同一统计期的考核正在由他人计算，请稍后重试") from None
    return run


def _current_run(code: str, slug: str, lock: bool = False) -> Run | None:
    qs = Run.objects.filter(rule_code=code, period_slug=slug).exclude(state=Run.State.SUPERSEDED)
    return (qs.select_for_update() if lock else qs).first()


def _store(actor, rule_set, period, inputs, outcome, results) -> Run:
    current = _current_run(rule_set.code, period.slug, lock=True)
    if current is not None and current.is_published:
        raise InvalidState(f"{rule_set.name}{period.label}的考核结果已发布，不能重新计算")
    changes = []
    if current is not None:
        changes = scoring.diff([r.as_dict() for r in current.results.all()], results)
        current.state = Run.State.SUPERSEDED
        current.save(update_fields=["state"])
    run = Run.objects.create(
        rule_set=rule_set, rule_code=rule_set.code, period_slug=period.slug, period_kind=period.kind,
        period_start=period.start, period_end=period.end, computed_at=clock.now(),
        computed_by=actor if getattr(actor, "pk", None) else None,
        inputs=inputs, inputs_digest=digest(inputs), results_digest=digest(results),
        summary={"rules": list(outcome.rules), "class_counts": outcome.class_counts,
                 "total_award": str(outcome.total_award), "objects": len(results)},
        diff=changes, supersedes=current,
    )
    _insert_results([
        RunResult(run=run, object_key=r["key"], label=r["label"][:200], kind=r["kind"], rank=r["rank"],
                  score=Decimal(r["score"]), klass=r["klass"], award=Decimal(r["award"]),
                  deduction=Decimal(r["deduction"]),
                  detail={"parts": r["parts"], "award_items": r["award_items"]})
        for r in results
    ])
    audit(actor, "assessment.compute", run, rule=rule_set.code, version=rule_set.version, period=period.slug,
          inputs_digest=run.inputs_digest, results_digest=run.results_digest,
          supersedes=current.pk if current else None, changed=len(changes))
    return run


RESULT_COLUMNS = ("run_id", "object_key", "label", "kind", "rank", "score", "klass", "award", "deduction", "detail")


def _insert_results(rows: list[RunResult]) -> None:
    """Insert a run's results; on PostgreSQL with COPY, as a level-4 grid run has thousands of them."""
    if connection.vendor != "postgresql":
        RunResult.objects.bulk_create(rows)
        return
    sql = f"COPY {RunResult._meta.db_table} ({', '.join(RESULT_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.connection.cursor().copy(sql) as copy:
        for r in rows:
            copy.write_row([r.run_id, r.object_key, r.label, r.kind, r.rank, r.score, r.klass, r.award, r.deduction,
                            json.dumps(r.detail, ensure_ascii=False)])


def verify(run: Run) -> bool:
    """Tell whether re-scoring the run's stored inputs reproduces its stored results exactly."""
    return digest(results_of(score_inputs(run.inputs))) == run.results_digest


def do_publish(actor, run: Run) -> Run:
    """Publish a draft run: from now on it is frozen."""
    _require(actor, "assessment.publish")
    with transaction.atomic():
        run = Run.objects.select_for_update().get(pk=run.pk)
        _publish(actor, run)
    return run


def _publish(actor, run: Run) -> None:
    if run.state == Run.State.PUBLISHED:
        raise InvalidState("该考核结果已发布")
    if run.state == Run.State.SUPERSEDED:
        raise InvalidState("该计算已被重新计算取代，只能发布最新的计算")
    if run.rule_set.spec != run.inputs["rule"]["spec"]:
        raise InvalidState("计算后考核规则已修改，请重新计算后再发布")
    run.state = Run.State.PUBLISHED
    run.published_at = clock.now()
    run.published_by = actor if getattr(actor, "pk", None) else None
    run.save(update_fields=["state", "published_at", "published_by"])
    audit(actor, "assessment.publish", run, rule=run.rule_code, period=run.period_slug,
          results_digest=run.results_digest)


def do_record_payment(actor, budget: AwardBudget, *, payee: str, amount, paid_on: date, note: str = "") -> AwardPayment:
    """Record one payment against a budget (e.g. year-end special awards), refusing to overspend it."""
    _require(actor, "assessment.pay")
    try:
        amount = Decimal(str(amount).strip())
    except InvalidOperation:
        raise InvalidInput("拨付金额不是有效数字") from None
    # Money is whole fen: refuse what would be rounded silently (0.001, 100.005) or is not a number at all.
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput("拨付金额必须是最多两位小数的数字")
    if amount <= 0:
        raise InvalidInput("拨付金额必须大于0")
    if not payee.strip():
        raise InvalidInput("请填写收款对象")
    with transaction.atomic():
        budget = AwardBudget.objects.select_for_update().get(pk=budget.pk)
        _check_balance(budget, amount)
        payment = AwardPayment.objects.create(budget=budget, payee=payee.strip(), amount=amount, paid_on=paid_on,
                                              note=note, created_by=actor if getattr(actor, "pk", None) else None)
        audit(actor, "assessment.pay", payment, amount=str(amount), budget=budget.pk)
    return payment


def _check_balance(budget: AwardBudget, amount: Decimal) -> None:
    balance = budget.amount - budget.paid
    if amount > balance:
        raise InvalidState(f"超出预算余额：本次拨付{amount}元，预算“{budget}”余额{balance}元")


def do_pay_awards(actor, run: Run, budget: AwardBudget, *, paid_on: date, note: str = "") -> list[AwardPayment]:
    """Pay every award of a published run from a budget, once per result; safe to run twice."""
    _require(actor, "assessment.pay")
    with transaction.atomic():
        budget = AwardBudget.objects.select_for_update().get(pk=budget.pk)
        run = Run.objects.get(pk=run.pk)
        if not run.is_published:
            raise InvalidState("只有已发布的考核结果才能拨付奖励")
        due = list(run.results.filter(award__gt=0, payment__isnull=True).order_by("rank"))
        total = sum((r.award for r in due), Decimal("0.00"))
        if not due:
            return []
        _check_balance(budget, total)
        payments = [AwardPayment.objects.create(budget=budget, run=run, result=r, payee=r.label, amount=r.award,
                                                paid_on=paid_on, note=note or f"{run.rule_set.name} {run.period_slug}",
                                                created_by=actor if getattr(actor, "pk", None) else None)
                    for r in due]
        audit(actor, "assessment.pay_awards", run, budget=budget.pk, count=len(payments), total=str(total))
    return payments
