"""Pure assessment scoring: a rule spec and each object's metric values give scores, ranks, classes and awards.

No database here: runs.py collects the inputs, this module turns them into results, and the same
inputs always give the same results (Decimal arithmetic, one total order over objects).

A spec (RuleSet.spec, JSON) looks like this; see defaults.py for the five rule sets of the seeds:

    {"period_kind": "month",                       # optional: month | quarter | year
     "scope": {"unit_group": "经济管理"},           # optional, departments only
     "terms": [                                    # score = Σ(sub-score × weight) / Σ weight − deductions
        {"metric": "satisfaction_rate", "transform": "rate", "weight": 1, "missing": "full"},
        {"metric": "unsatisfied", "transform": "linear", "lo": 10, "hi": 0, "weight": 1},
        {"metric": "avg_handle_hours", "transform": "inverse", "target": 24, "weight": 1},
        {"metric": "received", "transform": "per_thousand", "target": 2, "weight": 1},
        {"metric": "deduction", "transform": "deduct", "factor": 1, "cap": 20}],
     "tie_break": [{"metric": "unsatisfied", "order": "asc"}],   # then the object key, always
     "classing": {"method": "percentage", "bands": [{"klass": "一类", "share": 30}, ...]}
              |  {"method": "quota", "quota": 355, "klass": "优秀", "min_score": 80,
                  "bands": [{"klass": "合格", "min": 80}], "default": "基本合格"}
              |  {"method": "thresholds", "bands": [{"klass": "合格", "min": 60}], "default": "不合格"},
     "awards": [{"name": "零投诉奖励",
                 "when": [{"metric": "received", "channel": "h12345", "op": "==", "value": 0}],
                 "amount": {"urban": "5000.00", "default": "3000.00"}}]}

A metric with "channel" is counted over that channel only; conditions may also test
{"on": "score", "op": ">=", "value": 90} or {"klass": "优秀"}.
"""

import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from gridgov.core.errors import InvalidInput
from gridgov.metrics.definitions import METRICS

OBJECT_KINDS = {
    "grid_leader": "网格长", "community": "社区/村", "street": "街道/镇",
    "department": "区直部门", "grid3": "三级网格", "grid4": "四级网格",
}
PERIOD_KINDS = {"month": "月度", "quarter": "季度", "year": "年度"}

# Names of the metric codes in the metrics contract; kept here so this module stays importable without Django.
# The metric catalogue is plain Python (no Django), so pure scoring can read its names.
METRIC_NAMES = {code: metric.name for code, metric in METRICS.items()}
TRANSFORMS = {
    "rate": "比率×100", "linear": "线性换算到0–100", "inverse": "越少越好（目标值/实际值×100）",
    "per_thousand": "按每千人折算后越少越好", "deduct": "直接扣分",
}
MISSING = {"full": "按满分计", "zero": "按0分计"}
OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def q2(value: Decimal) -> Decimal:
    """Round to 2 decimals, half up (the rounding every figure in a 通报 uses)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(value, what: str = "数值") -> Decimal | None:
    """Read an int, str or Decimal (floats via their shortest repr) as Decimal; None stays None."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise InvalidInput(f"{what}必须是数字")
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{what}必须是数字：{value!r}") from None


@dataclass(frozen=True)
class MetricRef:
    """A metric code, optionally counted over one channel only (e.g. received over 12345)."""

    code: str
    channel: str | None = None

    @property
    def key(self) -> str:
        """The name this value has in a run's inputs."""
        return f"{self.code}@{self.channel}" if self.channel else self.code

    @property
    def label(self) -> str:
        name = METRIC_NAMES.get(self.code, self.code)
        return f"{name}（{self.channel}渠道）" if self.channel else name

    @classmethod
    def parse(cls, raw: Mapping, where: str) -> "MetricRef":
        code = raw.get("metric")
        if code not in METRIC_NAMES:
            raise InvalidInput(f"{where}：未知的指标编码 {code!r}")
        channel = raw.get("channel", raw.get("scope_channel"))
        return cls(code, str(channel) if channel else None)


@dataclass(frozen=True)
class Term:
    """One scored metric: its transformation to a 0–100 sub-score and its weight, or a deduction."""

    ref: MetricRef
    transform: str
    weight: Decimal = Decimal(0)
    lo: Decimal | None = None
    hi: Decimal | None = None
    target: Decimal | None = None
    factor: Decimal = Decimal(1)
    cap: Decimal | None = None
    missing: str = "full"

    def sub_score(self, value: Decimal | None, population: int | None) -> Decimal:
        """Return the 0–100 sub-score of a weighted term."""
        if self.transform == "per_thousand" and value is not None:
            value = value * 1000 / population if population else None
        if value is None:
            return HUNDRED if self.missing == "full" else Decimal(0)
        if self.transform == "rate":
            raw = value * HUNDRED
        elif self.transform == "linear":
            raw = (value - self.lo) / (self.hi - self.lo) * HUNDRED
        else:  # inverse, per_thousand: fewer is better, full marks at or below the target
            raw = HUNDRED if value <= self.target else self.target / value * HUNDRED
        return min(max(raw, Decimal(0)), HUNDRED)

    def deduction(self, value: Decimal | None) -> Decimal:
        """Return the points a deduct term takes off (a missing value deducts nothing)."""
        if value is None or value <= 0:
            return Decimal(0)
        points = value * self.factor
        return min(points, self.cap) if self.cap is not None else points

    def describe(self) -> str:
        if self.transform == "deduct":
            cap = f"，最多扣{self.cap}分" if self.cap is not None else ""
            return f"{self.ref.label}：每1计扣{self.factor}分{cap}"
        extra = {"linear": f"（{self.lo}→0分，{self.hi}→100分）",
                 "inverse": f"（目标值{self.target}）", "per_thousand": f"（目标值每千人{self.target}）"}.get(self.transform, "")
        return f"{self.ref.label}：权重{self.weight}，{TRANSFORMS[self.transform]}{extra}，无数据时{MISSING[self.missing]}"


@dataclass(frozen=True)
class Band:
    """A class and what puts an object in it: a share of objects (percentage) or a minimum score (thresholds)."""

    klass: str
    share: Decimal | None = None
    min: Decimal | None = None


@dataclass(frozen=True)
class Classing:
    """How ranked objects are classed: percentage bands, a quota for the first class, thresholds, or none."""

    method: str = "none"
    bands: tuple[Band, ...] = ()
    quota: int | None = None
    klass: str = ""
    min_score: Decimal | None = None
    default: str = ""

    def describe(self) -> str:
        if self.method == "percentage":
            shares = "/".join(str(b.share) for b in self.bands)
            names = "/".join(b.klass for b in self.bands)
            return (f"按比例分档 {shares}% → {names}：第i档截至名次 = 四舍五入(累计比例×参评数)，末档取其余；"
                    "分界处同分者按排序规则决定档次")
        thresholds = "；".join(f"{b.klass}：得分≥{b.min}" for b in self.bands)
        tail = f"；其余为{self.default}" if self.default else ""
        if self.method == "quota":
            floor = f"且得分≥{self.min_score}" if self.min_score is not None else ""
            rest = f"；其余按分数：{thresholds}" if self.bands else ""
            return (f"按名额评定：排名前{self.quota}名{floor}为{self.klass}（参评数不足名额时，全部符合条件者均可评为{self.klass}）"
                    f"{rest}{tail}；名额分界处同分者按排序规则决定")
        if self.method == "thresholds":
            return f"按分数线评定：{thresholds}{tail}"
        return "不分档"

    def assign(self, ordered: list["ObjectResult"]) -> None:
        """Set `klass` on results already in rank order."""
        n = len(ordered)
        if self.method == "percentage":
            cumulative, start = Decimal(0), 0
            for i, band in enumerate(self.bands):
                cumulative += band.share
                end = n if i == len(self.bands) - 1 else min(n, int(q_int(cumulative * n / HUNDRED)))
                for r in ordered[start:end]:
                    r.klass = band.klass
                start = max(start, end)
            return
        remaining = ordered
        if self.method == "quota":
            winners = [r for r in ordered if self.min_score is None or r.score >= self.min_score][: self.quota]
            for r in winners:
                r.klass = self.klass
            remaining = ordered[len(winners):]
        for r in remaining:
            r.klass = next((b.klass for b in self.bands if r.score >= b.min), self.default)


def q_int(value: Decimal) -> Decimal:
    """Round to a whole number, half up (counts of objects per band)."""
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TieKey:
    """A metric that orders objects with equal scores."""

    ref: MetricRef
    descending: bool = False

    def describe(self) -> str:
        return f"{self.ref.label}{'多' if self.descending else '少'}者在前"


@dataclass(frozen=True)
class Condition:
    """One test in an award rule: on a metric value, the score, or the class."""

    op: str
    value: Decimal | str
    ref: MetricRef | None = None
    on: str = "metric"  # metric, score, klass

    def holds(self, result: "ObjectResult", values: Mapping[str, Decimal | None]) -> bool:
        """Tell whether the condition holds; a missing metric value never satisfies it."""
        if self.on == "klass":
            return OPS[self.op](result.klass, self.value)
        actual = result.score if self.on == "score" else values.get(self.ref.key)
        return actual is not None and OPS[self.op](actual, self.value)

    def describe(self) -> str:
        subject = {"score": "得分", "klass": "档次"}.get(self.on) or self.ref.label
        return f"{subject}{self.op}{self.value}"


@dataclass(frozen=True)
class Award:
    """A sum paid to every object meeting all conditions, by object kind (urban/rural/...) with a default."""

    name: str
    conditions: tuple[Condition, ...]
    amounts: tuple[tuple[str, Decimal], ...]

    def amount_for(self, kind: str) -> Decimal:
        table = dict(self.amounts)
        return table.get(kind or "default", table["default"])

    def describe(self) -> str:
        labels = {"urban": "城市社区", "rural": "农村", "default": "其他"}
        # The default amount reads last ("城市社区5000元，其他3000元").
        ordered = sorted(self.amounts, key=lambda kv: kv[0] == "default")
        money = "，".join(f"{labels.get(k, k)}{v}元" for k, v in ordered)
        return f"{self.name}：{' 且 '.join(c.describe() for c in self.conditions)} 时奖励 {money}（无数据视为不满足）"


@dataclass(frozen=True)
class RuleSpec:
    """A validated rule set: terms, tie-break order, classing and awards."""

    terms: tuple[Term, ...]
    classing: Classing
    tie_break: tuple[TieKey, ...] = ()
    awards: tuple[Award, ...] = ()
    period_kind: str | None = None
    unit_group: str | None = None

    def metric_refs(self) -> list[MetricRef]:
        """Every metric value the rule reads, in a stable order."""
        refs = {t.ref for t in self.terms} | {k.ref for k in self.tie_break}
        refs |= {c.ref for a in self.awards for c in a.conditions if c.ref is not None}
        return sorted(refs, key=lambda r: r.key)

    def explain(self) -> list[str]:
        """The rule in Chinese sentences, printed with every run so a result can be explained later."""
        weighted = [t for t in self.terms if t.transform != "deduct"]
        lines = []
        if weighted:
            lines.append("得分 = Σ(分项得分×权重)/Σ权重 − 扣分，保留两位小数（四舍五入）")
        else:
            lines.append("本规则不计加权得分（得分 = 0 − 扣分）")
        lines += [t.describe() for t in self.terms]
        ties = "，".join([k.describe() for k in self.tie_break] + ["再按对象编码升序"])
        lines.append(f"排序：得分高者在前；得分相同时{ties}；名次按此顺序逐一编排（不并列）")
        lines.append(self.classing.describe())
        lines += [a.describe() for a in self.awards]
        return lines


def _decimal_field(raw: Mapping, name: str, where: str, required: bool = False) -> Decimal | None:
    value = raw.get(name)
    if value is None:
        if required:
            raise InvalidInput(f"{where}：缺少 {name}")
        return None
    return to_decimal(value, f"{where}的 {name}")


def _parse_term(raw: Mapping, i: int) -> Term:
    where = f"第{i + 1}个计分项"
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{where}格式不正确")
    ref = MetricRef.parse(raw, where)
    transform = raw.get("transform", "rate")
    if transform not in TRANSFORMS:
        raise InvalidInput(f"{where}：未知的换算方式 {transform!r}（可选：{'、'.join(TRANSFORMS)}）")
    missing = raw.get("missing", "full")
    if missing not in MISSING:
        raise InvalidInput(f"{where}：缺失值规则只能是 full 或 zero")
    if transform == "deduct":
        factor = _decimal_field(raw, "factor", where) or Decimal(1)
        cap = _decimal_field(raw, "cap", where)
        if factor < 0 or (cap is not None and cap < 0):
            raise InvalidInput(f"{where}：扣分系数和上限不能为负")
        return Term(ref, transform, factor=factor, cap=cap, missing=missing)
    weight = _decimal_field(raw, "weight", where, required=True)
    if weight <= 0:
        raise InvalidInput(f"{where}：权重必须大于0")
    lo = hi = target = None
    if transform == "linear":
        lo, hi = _decimal_field(raw, "lo", where, True), _decimal_field(raw, "hi", where, True)
        if lo == hi:
            raise InvalidInput(f"{where}：线性换算的 lo 与 hi 不能相等")
    if transform in ("inverse", "per_thousand"):
        target = _decimal_field(raw, "target", where, True)
        if target < 0:
            raise InvalidInput(f"{where}：目标值不能为负")
    return Term(ref, transform, weight=weight, lo=lo, hi=hi, target=target, missing=missing)


def _parse_bands(raw_bands, key: str, where: str) -> tuple[Band, ...]:
    if not isinstance(raw_bands, list) or not raw_bands:
        raise InvalidInput(f"{where}：bands 必须是非空列表")
    bands = []
    for b in raw_bands:
        if not isinstance(b, Mapping) or not str(b.get("klass") or "").strip():
            raise InvalidInput(f"{where}：每一档都要有名称 klass")
        value = _decimal_field(b, key, f"{where}“{b['klass']}”", required=True)
        bands.append(Band(str(b["klass"]).strip(), **{key: value}))
    return tuple(bands)


def _parse_classing(raw) -> Classing:
    if raw is None:
        return Classing()
    if not isinstance(raw, Mapping):
        raise InvalidInput("分档规则格式不正确")
    method = raw.get("method", "none")
    where = "分档规则"
    if method == "none":
        return Classing()
    if method == "percentage":
        bands = _parse_bands(raw.get("bands"), "share", where)
        if any(b.share < 0 for b in bands) or sum(b.share for b in bands) != HUNDRED:
            raise InvalidInput(f"{where}：各档比例必须非负且合计为100")
        return Classing("percentage", bands)
    bands = ()
    if raw.get("bands"):
        bands = tuple(sorted(_parse_bands(raw["bands"], "min", where), key=lambda b: b.min, reverse=True))
    default = str(raw.get("default") or "").strip()
    if method == "thresholds":
        if not bands:
            raise InvalidInput(f"{where}：按分数线评定需要 bands")
        if not default:
            raise InvalidInput(f"{where}：按分数线评定需要 default（低于所有分数线时的档次）")
        return Classing("thresholds", bands, default=default)
    if method == "quota":
        quota = raw.get("quota")
        if not isinstance(quota, int) or isinstance(quota, bool) or quota < 0:
            raise InvalidInput(f"{where}：名额 quota 必须是非负整数")
        klass = str(raw.get("klass") or "").strip()
        if not klass or not (bands or default):
            raise InvalidInput(f"{where}：按名额评定需要 klass（名额内档次），以及 bands 或 default（其余档次）")
        return Classing("quota", bands, quota=quota, klass=klass, min_score=_decimal_field(raw, "min_score", where),
                        default=default)
    raise InvalidInput(f"{where}：未知的分档方式 {method!r}（可选：percentage、quota、thresholds、none）")


def _parse_award(raw: Mapping, i: int) -> Award:
    where = f"第{i + 1}项奖励"
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{where}格式不正确")
    when = raw.get("when")
    when = [when] if isinstance(when, Mapping) else when
    if not when:
        raise InvalidInput(f"{where}：缺少条件 when")
    conditions = []
    for c in when:
        op = c.get("op", "==")
        if op not in OPS:
            raise InvalidInput(f"{where}：未知的比较符 {op!r}")
        if not isinstance(c, Mapping):
            raise InvalidInput(f"{where}：条件格式不正确")
        if "klass" in c:
            if op not in ("==", "!="):
                raise InvalidInput(f"{where}：档次条件只能用 == 或 !=")
            conditions.append(Condition(op, str(c["klass"]), on="klass"))
        elif c.get("on") == "score":
            conditions.append(Condition(op, _decimal_field(c, "value", where, True), on="score"))
        else:
            conditions.append(Condition(op, _decimal_field(c, "value", where, True), ref=MetricRef.parse(c, where)))
    amount = raw.get("amount")
    if isinstance(amount, (str, int, Decimal)):
        amount = {"default": amount}
    if not isinstance(amount, Mapping) or "default" not in amount:
        raise InvalidInput(f"{where}：金额 amount 必须给出 default（其他类型对象的金额）")
    amounts = tuple(sorted((str(k), q2(to_decimal(v, f"{where}的金额"))) for k, v in amount.items()))
    if any(v < 0 for _k, v in amounts):
        raise InvalidInput(f"{where}：金额不能为负")
    return Award(str(raw.get("name") or f"奖励{i + 1}"), tuple(conditions), amounts)


def parse_spec(raw) -> RuleSpec:
    """Validate a rule-set spec (the JSON an administrator edits); raise InvalidInput in Chinese."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("规则内容必须是JSON对象")
    unknown = set(raw) - {"terms", "classing", "tie_break", "awards", "period_kind", "scope", "note"}
    if unknown:
        raise InvalidInput(f"规则中有未知的项：{'、'.join(sorted(unknown))}")
    terms = tuple(_parse_term(t, i) for i, t in enumerate(raw.get("terms") or []))
    ties = []
    for t in raw.get("tie_break") or []:
        order = t.get("order", "asc") if isinstance(t, Mapping) else None
        if order not in ("asc", "desc"):
            raise InvalidInput("同分排序项 order 只能是 asc 或 desc")
        ties.append(TieKey(MetricRef.parse(t, "同分排序"), order == "desc"))
    period_kind = raw.get("period_kind")
    if period_kind is not None and period_kind not in PERIOD_KINDS:
        raise InvalidInput(f"考核周期只能是 {'、'.join(PERIOD_KINDS)}")
    scope = raw.get("scope") or {}
    if not isinstance(scope, Mapping) or set(scope) - {"unit_group"}:
        raise InvalidInput("scope 只支持 unit_group")
    awards = tuple(_parse_award(a, i) for i, a in enumerate(raw.get("awards") or []))
    classing = _parse_classing(raw.get("classing"))
    if not terms and not awards and classing.method == "none":
        raise InvalidInput("规则至少要有一个计分项、分档规则或奖励")
    return RuleSpec(terms, classing, tuple(ties), awards, period_kind, scope.get("unit_group") or None)


@dataclass(frozen=True)
class Subject:
    """One assessed object with its attributes and the metric values collected for it."""

    key: str
    label: str
    values: Mapping[str, Decimal | None]
    kind: str = ""
    population: int | None = None


@dataclass
class ObjectResult:
    """The outcome for one object."""

    key: str
    label: str
    kind: str
    score: Decimal
    deduction: Decimal
    parts: list[dict]
    rank: int = 0
    klass: str = ""
    award: Decimal = Decimal("0.00")
    award_items: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        """A JSON-ready copy (Decimals as strings)."""
        return {"key": self.key, "label": self.label, "kind": self.kind, "rank": self.rank, "score": str(self.score),
                "klass": self.klass, "award": str(self.award), "deduction": str(self.deduction),
                "award_items": self.award_items, "parts": self.parts}


@dataclass(frozen=True)
class Outcome:
    """All results in rank order, with the rule text and class counts."""

    results: tuple[ObjectResult, ...]
    rules: tuple[str, ...]

    @property
    def class_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.results:
            counts[r.klass] = counts.get(r.klass, 0) + 1
        return counts

    @property
    def total_award(self) -> Decimal:
        return sum((r.award for r in self.results), Decimal("0.00"))


def normalise_values(values: Mapping) -> dict[str, Decimal | None]:
    """Read stored input values (ints, strings, Decimals, None) as Decimal."""
    return {str(k): to_decimal(v, f"输入值 {k}") for k, v in values.items()}


def _score_one(spec: RuleSpec, s: Subject) -> ObjectResult:
    values = normalise_values(s.values)
    weighted = [t for t in spec.terms if t.transform != "deduct"]
    parts, total, weights, deduction = [], Decimal(0), Decimal(0), Decimal(0)
    for t in spec.terms:
        value = values.get(t.ref.key)
        if t.transform == "deduct":
            points = t.deduction(value)
            deduction += points
            parts.append({"metric": t.ref.key, "value": _s(value), "deduct": str(q2(points))})
            continue
        sub = t.sub_score(value, s.population)
        total += sub * t.weight
        weights += t.weight
        parts.append({"metric": t.ref.key, "value": _s(value), "sub": str(q2(sub)), "weight": str(t.weight)})
    base = total / weights if weighted else Decimal(0)
    return ObjectResult(s.key, s.label, s.kind, q2(base - deduction), q2(deduction), parts)


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _order_key(spec: RuleSpec, values: Mapping[str, Decimal | None]):
    def key(r: ObjectResult):
        ties = []
        for t in spec.tie_break:
            v = values[r.key].get(t.ref.key)
            # Objects without a value go after those with one, whatever the direction.
            ties.append((1, Decimal(0)) if v is None else (0, -v if t.descending else v))
        return (-r.score, *ties, r.key)
    return key


def score(spec: RuleSpec, subjects: Iterable[Subject], channel_names: Mapping[str, str] | None = None) -> Outcome:
    """Score, rank, class and award every subject; identical inputs give identical outcomes.

    `channel_names` only makes the rule text readable ("12345热线" instead of the channel code).
    """
    subjects = list(subjects)
    keys = [s.key for s in subjects]
    if len(set(keys)) != len(keys):
        raise InvalidInput("参评对象编码重复")
    with localcontext() as ctx:
        ctx.prec = 28
        ctx.rounding = ROUND_HALF_UP
        results = [_score_one(spec, s) for s in subjects]
        values = {s.key: normalise_values(s.values) for s in subjects}
        results.sort(key=_order_key(spec, values))
        for i, r in enumerate(results, start=1):
            r.rank = i
        spec.classing.assign(results)
        for r in results:
            for a in spec.awards:
                if all(c.holds(r, values[r.key]) for c in a.conditions):
                    amount = a.amount_for(r.kind)
                    r.award_items.append({"name": a.name, "amount": str(amount)})
                    r.award += amount
            r.award = q2(r.award)
    rules = spec.explain()
    for code, name in sorted((channel_names or {}).items()):
        rules = [line.replace(f"（{code}渠道）", f"（{name}）") for line in rules]
    return Outcome(tuple(results), tuple(rules))


DIFF_FIELDS = {"score": "得分", "klass": "档次", "award": "奖励", "deduction": "扣分"}


def _as_map(results) -> dict[str, Mapping]:
    if isinstance(results, Mapping):
        return dict(results)
    return {(r["key"] if isinstance(r, Mapping) else r.key): (r if isinstance(r, Mapping) else r.as_dict()) for r in results}


def _norm(name: str, value):
    return "" if value is None and name == "klass" else (q2(to_decimal(value)) if name != "klass" and value is not None else value)


def diff(old_results, new_results) -> list[dict]:
    """List the objects whose score, class, award or deduction differ, or that appear or vanish, by key."""
    old, new = _as_map(old_results), _as_map(new_results)
    changes = []
    for key in sorted(set(old) | set(new)):
        o, n = old.get(key), new.get(key)
        if o is None or n is None:
            row = n or o
            changes.append({"key": key, "label": row.get("label", ""), "change": "added" if o is None else "removed",
                            "old_rank": o and o.get("rank"), "new_rank": n and n.get("rank"),
                            "fields": {f: [None if o is None else _str(o.get(f)), None if n is None else _str(n.get(f))]
                                       for f in DIFF_FIELDS}})
            continue
        fields = {f: [_str(o.get(f)), _str(n.get(f))] for f in DIFF_FIELDS if _norm(f, o.get(f)) != _norm(f, n.get(f))}
        if fields:
            changes.append({"key": key, "label": n.get("label", ""), "change": "changed",
                            "old_rank": o.get("rank"), "new_rank": n.get("rank"), "fields": fields})
    return changes


def _str(value):
    return None if value is None else str(value)
