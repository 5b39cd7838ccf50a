"""Assessment rule sets, runs with their stored inputs and results, and the awards ledger."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from gridgov.assessment import scoring
from gridgov.core.errors import InvalidInput, InvalidState

FROZEN_MESSAGE = "考核结果已发布，不能修改、重新计算或删除"


class RuleSet(models.Model):
    """One version of an assessment rule: which objects, which metrics and weights, how they are classed and awarded."""

    class ObjectKind(models.TextChoices):
        GRID_LEADER = "grid_leader", "网格长"
        COMMUNITY = "community", "社区/村"
        STREET = "street", "街道/镇"
        DEPARTMENT = "department", "区直部门"
        GRID3 = "grid3", "三级网格"
        GRID4 = "grid4", "四级网格"

    code = models.SlugField("规则编码", max_length=50)
    version = models.PositiveIntegerField("版本", default=1)
    name = models.CharField("规则名称", max_length=100)
    object_kind = models.CharField("考核对象", max_length=20, choices=ObjectKind.choices)
    effective_from = models.DateField("生效日期", default=date(2020, 1, 1), help_text="统计期开始日期不早于此日期的考核使用本版本")
    spec = models.JSONField("规则内容", help_text="计分项、同分排序、分档与奖励，见 gridgov/assessment/scoring.py")
    active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "考核规则"
        verbose_name_plural = "考核规则"
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="ruleset_unique_version")]

    def __str__(self):
        return f"{self.name}（{self.code} v{self.version}）"

    def parsed(self) -> scoring.RuleSpec:
        """The validated spec (raises InvalidInput)."""
        return scoring.parse_spec(self.spec)

    def used_by_published_run(self) -> bool:
        return bool(self.pk) and self.runs.filter(state=Run.State.PUBLISHED).exists()

    def clean(self):
        try:
            self.parsed()
        except InvalidInput as e:
            raise ValidationError({"spec": e.message}) from None

    def save(self, *args, **kwargs):
        self.parsed()
        if self.pk and self.used_by_published_run():
            stored = RuleSet.objects.filter(pk=self.pk).values("spec", "object_kind", "code", "version").first()
            if stored and (stored["spec"], stored["object_kind"], stored["code"], stored["version"]) != (
                    self.spec, self.object_kind, self.code, self.version):
                raise InvalidState("该规则已用于已发布的考核，不能修改规则内容；请新建一个版本")
        super().save(*args, **kwargs)


class FrozenQuerySet(models.QuerySet):
    """Bulk update/delete refuse rows that belong to a published run."""

    published_lookup = "state"

    def _touches_published(self) -> bool:
        return self.filter(**{self.published_lookup: Run.State.PUBLISHED}).exists()

    def update(self, **kwargs):
        if self._touches_published():
            raise InvalidState(FROZEN_MESSAGE)
        return super().update(**kwargs)

    def delete(self):
        if self._touches_published():
            raise InvalidState(FROZEN_MESSAGE)
        return super().delete()


class RunQuerySet(FrozenQuerySet):
    published_lookup = "state"


class ResultQuerySet(FrozenQuerySet):
    published_lookup = "run__state"


class Run(models.Model):
    """One computation of a rule set for a period: its inputs, results, and whether it is published (frozen)."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        SUPERSEDED = "superseded", "已被重算取代"

    rule_set = models.ForeignKey(RuleSet, verbose_name="考核规则", on_delete=models.PROTECT, related_name="runs")
    rule_code = models.SlugField("规则编码", max_length=50, help_text="冗余保存，便于同一规则不同版本的重算互相取代")
    period_slug = models.CharField("统计期", max_length=30)
    period_kind = models.CharField("统计期类型", max_length=10)
    period_start = models.DateField("统计期开始")
    period_end = models.DateField("统计期结束")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.DRAFT)
    computed_at = models.DateTimeField("计算时间")
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="计算人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    inputs = models.JSONField("输入数据", help_text="规则快照与每个对象的指标值")
    inputs_digest = models.CharField("输入摘要(SHA-256)", max_length=64)
    results_digest = models.CharField("结果摘要(SHA-256)", max_length=64)
    summary = models.JSONField("结果概要", default=dict, help_text="规则说明、各档人数、奖励合计")
    diff = models.JSONField("与上次计算的差异", default=list, blank=True)
    supersedes = models.OneToOneField("self", verbose_name="取代的计算", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="superseded_by")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    objects = RunQuerySet.as_manager()

    class Meta:
        verbose_name = "考核计算"
        verbose_name_plural = "考核计算"
        ordering = ["-computed_at", "-pk"]
        constraints = [
            # At most one current (draft or published) run per rule and period; a re-run supersedes the draft.
            models.UniqueConstraint(fields=["rule_code", "period_slug"], condition=~models.Q(state="superseded"),
                                    name="run_one_current_per_period"),
        ]

    def __str__(self):
        return f"{self.rule_set.name} · {self.period_slug} · {self.get_state_display()}"

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    def _stored_state(self) -> str | None:
        return Run.objects.filter(pk=self.pk).values_list("state", flat=True).first() if self.pk else None

    def save(self, *args, **kwargs):
        if self._stored_state() == self.State.PUBLISHED:
            raise InvalidState(FROZEN_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_state() == self.State.PUBLISHED:
            raise InvalidState(FROZEN_MESSAGE)
        return super().delete(*args, **kwargs)


class RunResult(models.Model):
    """One object's result in a run, as queryable rows."""

    run = models.ForeignKey(Run, verbose_name="考核计算", on_delete=models.CASCADE, related_name="results")
    object_key = models.CharField("对象编码", max_length=100)
    label = models.CharField("对象名称", max_length=200)
    kind = models.CharField("对象类型", max_length=20, blank=True)
    rank = models.PositiveIntegerField("名次")
    score = models.DecimalField("得分", max_digits=9, decimal_places=2)
    klass = models.CharField("档次", max_length=20, blank=True)
    award = models.DecimalField("奖励(元)", max_digits=12, decimal_places=2, default=Decimal("0.00"))
    deduction = models.DecimalField("扣分", max_digits=9, decimal_places=2, default=Decimal("0.00"))
    detail = models.JSONField("明细", default=dict, help_text="分项得分、奖励明细、输入值")

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = "考核结果"
        verbose_name_plural = "考核结果"
        ordering = ["run", "rank"]
        constraints = [models.UniqueConstraint(fields=["run", "object_key"], name="result_unique_object")]

    def __str__(self):
        return f"{self.rank}. {self.label} {self.score}"

    def as_dict(self) -> dict:
        """The fields scoring.diff compares."""
        return {"key": self.object_key, "label": self.label, "rank": self.rank, "score": str(self.score),
                "klass": self.klass, "award": str(self.award), "deduction": str(self.deduction)}

    def _frozen(self) -> bool:
        return Run.objects.filter(pk=self.run_id, state=Run.State.PUBLISHED).exists()

    def save(self, *args, **kwargs):
        if self._frozen():
            raise InvalidState(FROZEN_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._frozen():
            raise InvalidState(FROZEN_MESSAGE)
        return super().delete(*args, **kwargs)


class AwardBudget(models.Model):
    """Money set aside for assessment awards in a year (e.g. 热线+网格 专项 400 万元)."""

    name = models.CharField("预算名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    amount = models.DecimalField("预算金额(元)", max_digits=14, decimal_places=2)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "奖励预算"
        verbose_name_plural = "奖励预算"
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="budget_unique_name_year"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_amount_nonnegative"),
        ]

    def __str__(self):
        return f"{self.year}年 {self.name}"

    @property
    def paid(self) -> Decimal:
        """Total paid against this budget."""
        # SQLite's SUM drops trailing zeros; money always shows 2 decimals.
        total = self.payments.aggregate(s=models.Sum("amount"))["s"] or Decimal(0)
        return total.quantize(Decimal("0.01"))


class AwardPayment(models.Model):
    """One payment of award money against a budget, optionally for a published run's result."""

    budget = models.ForeignKey(AwardBudget, verbose_name="奖励预算", on_delete=models.PROTECT, related_name="payments")
    run = models.ForeignKey(Run, verbose_name="考核计算", null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    result = models.OneToOneField(RunResult, verbose_name="考核结果", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="payment")
    payee = models.CharField("收款对象", max_length=200)
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)
    paid_on = models.DateField("拨付日期")
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "奖励拨付"
        verbose_name_plural = "奖励拨付"
        ordering = ["budget", "paid_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self):
        return f"{self.paid_on} {self.payee} {self.amount}元"
