"""Self-evaluations (绩效自评): the evaluation, its fund lines, basic data, indicator tree and the history of actual values."""

from django.conf import settings
from django.db import models

from gridgov.selfeval.document import DEPARTMENT, KINDS

MONEY = {"max_digits": 16, "decimal_places": 2, "null": True, "blank": True}
FIGURE = {"max_digits": 18, "decimal_places": 6, "null": True, "blank": True}


class Evaluation(models.Model):
    """A department's whole-expenditure self-evaluation for a year, or one project's (a department's child or alone)."""

    unit = models.ForeignKey("units.Unit", verbose_name="平台单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="self_evaluations")
    area = models.ForeignKey("areas.Area", verbose_name="指标取数范围", null=True, blank=True, on_delete=models.PROTECT,
                             help_text="绑定平台指标时按此区域统计；为空时为全区")
    unit_name = models.CharField("单位名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("类型", max_length=12, choices=list(KINDS.items()), default=DEPARTMENT)
    project_name = models.CharField("项目名称", max_length=100, blank=True)
    department_name = models.CharField("主管部门", max_length=100, blank=True)
    parent = models.ForeignKey("self", verbose_name="所属部门整体自评", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")
    copied_from = models.ForeignKey("self", verbose_name="复制自", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="copies")
    goal = models.TextField("年度总体目标（预期目标）", blank=True)
    outcome = models.TextField("实际完成情况", blank=True)
    execution_weight = models.DecimalField("执行率分值", max_digits=6, decimal_places=2, default=10)
    stated_execution_score = models.DecimalField("执行率得分（表内填报）", max_digits=6, decimal_places=2, null=True, blank=True)
    execution_reason = models.TextField("执行率偏差原因", blank=True)
    staff_quota = models.PositiveIntegerField("编制数", null=True, blank=True)
    staff_actual = models.PositiveIntegerField("实际在职人数", null=True, blank=True)
    stated_control_rate = models.DecimalField("控制率（表内填报，%）", max_digits=7, decimal_places=2, null=True, blank=True)
    savings_measures = models.TextField("厉行节约保障措施", blank=True)
    stated_total = models.DecimalField("总分（表内填报）", max_digits=6, decimal_places=2, null=True, blank=True)
    stated_grade = models.CharField("等级（表内填报）", max_length=2, blank=True)
    sections = models.JSONField("自评报告正文", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "绩效自评"
        verbose_name_plural = "绩效自评"
        ordering = ["-year", "unit_name", "kind", "project_name"]
        constraints = [models.UniqueConstraint(fields=["unit_name", "year", "kind", "project_name"],
                                               name="selfeval_one_per_subject_year")]

    def __str__(self):
        subject = self.project_name if self.kind != DEPARTMENT else self.unit_name
        return f"{self.year}年度{subject}{KINDS.get(self.kind, '')}绩效自评"


class FundLine(models.Model):
    """A line of the funds table (key from document.FUND_LINES, or 'item' for one project under 项目支出)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="fund_lines")
    key = models.CharField("行", max_length=20)
    name = models.CharField("项目名称", max_length=100, blank=True)
    sort = models.PositiveSmallIntegerField(default=0)
    initial = models.DecimalField("年初预算数（元）", **MONEY)
    budget = models.DecimalField("全年预算数（元）", **MONEY)
    executed = models.DecimalField("全年执行数（元）", **MONEY)
    stated_rate = models.DecimalField("执行率（表内填报，%）", max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["evaluation", "sort"]


class BasicFigure(models.Model):
    """A money row of the basic data table (key from document.BASIC_LINES)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="basic_figures")
    key = models.CharField("行", max_length=20)
    last_final = models.DecimalField("上年决算数（元）", **MONEY)
    budget = models.DecimalField("本年预算数（元）", **MONEY)
    final = models.DecimalField("本年决算数（元）", **MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evaluation", "key"], name="selfeval_basic_row_once")]


class Indicator(models.Model):
    """A level-three indicator row of the tree."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="indicators")
    sort = models.PositiveSmallIntegerField(default=0)
    level1 = models.CharField("一级指标", max_length=20)
    level2 = models.CharField("二级指标", max_length=30)
    name = models.CharField("三级指标", max_length=300, blank=True)
    comparator = models.CharField("比较", max_length=1, blank=True)
    target = models.DecimalField("年度指标值", **FIGURE)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    target_text = models.TextField("年度指标值（定性）", blank=True)
    actual = models.DecimalField("实际完成值", **FIGURE)
    actual_unit = models.CharField("实际值单位", max_length=20, blank=True)
    actual_text = models.TextField("实际完成值（定性）", blank=True)
    weight = models.DecimalField("分值", max_digits=6, decimal_places=2)
    score = models.DecimalField("得分", max_digits=6, decimal_places=2, null=True, blank=True)
    deviation = models.TextField("偏差原因分析及改进措施", blank=True)
    metric = models.CharField("绑定平台指标", max_length=40, blank=True)
    overridden = models.BooleanField("人工修正实际值", default=False)

    class Meta:
        ordering = ["evaluation", "sort"]


class ActualChange(models.Model):
    """Every change of an indicator's actual value: computed from the platform, or overridden with a reason."""

    class Source(models.TextChoices):
        METRIC = "metric", "平台计算"
        OVERRIDE = "override", "人工修正"
        RESTORE = "restore", "恢复平台计算"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="changes")
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    old_value = models.DecimalField("原值", **FIGURE)
    new_value = models.DecimalField("新值", **FIGURE)
    reason = models.TextField("理由", blank=True)
    detail = models.JSONField("计算依据", default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("时间")

    class Meta:
        ordering = ["indicator", "at", "pk"]
