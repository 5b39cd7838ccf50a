"""Units that handle tickets and the responsibility list (责任清单) that says who handles what."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from gridgov.tickets.deadlines import LIMIT_UNIT_LABELS


class Unit(models.Model):
    """A handling unit: district department, territorial unit (street/community) or the centre."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", "区直部门"
        TERRITORIAL = "territorial", "属地单位"
        CENTER = "center", "网格化中心"

    class Group(models.TextChoices):
        PARTY = "党群政务", "党群政务"
        ECONOMY = "经济管理", "经济管理"
        SOCIETY = "社会发展", "社会发展"
        VERTICAL = "垂直管理", "垂直管理"

    code = models.CharField("单位编码", max_length=30, unique=True)
    name = models.CharField("单位名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    group = models.CharField("单位分组", max_length=10, choices=Group.choices, blank=True)
    area = models.ForeignKey("areas.Area", verbose_name="属地区域", null=True, blank=True, on_delete=models.PROTECT, related_name="units")
    active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["kind", "code"]

    def __str__(self):
        return self.name


class Category(models.Model):
    """A node of the event-type tree; leaves are the items of the responsibility list."""

    code = models.CharField("分类编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey("self", verbose_name="上级分类", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    level = models.PositiveSmallIntegerField("层级", default=1)
    public = models.BooleanField("对外公开(Open311)", default=False)
    keywords = models.JSONField("关键词", default=list, blank=True)
    weight = models.FloatField("演示频率权重", default=1.0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "事项分类"
        verbose_name_plural = "事项分类"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    def ancestor_ids(self) -> list[int]:
        """Return this category's id and its ancestors' ids, nearest first."""
        ids, node = [], self
        while node is not None:
            ids.append(node.pk)
            node = node.parent
        return ids


LIMIT_UNIT_CHOICES = list(LIMIT_UNIT_LABELS.items())


class Urgency(models.TextChoices):
    """How urgent a ticket is; a rule gives the default, the operator may raise it."""

    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class ResponsibilityRule(models.Model):
    """One version of a responsibility-list row; the version in force at receipt applies."""

    class Handler(models.TextChoices):
        TERRITORIAL = "territorial", "属地管理"
        DEPARTMENT = "department", "部门管理"
        BOTH = "both", "部门主办、属地协办"

    category = models.ForeignKey(Category, verbose_name="事项分类", on_delete=models.PROTECT, related_name="rules")
    effective_from = models.DateTimeField("生效时间")
    handler = models.CharField("责任主体", max_length=20, choices=Handler.choices)
    department = models.ForeignKey(Unit, verbose_name="责任部门", null=True, blank=True, on_delete=models.PROTECT, limit_choices_to={"kind": "department"})
    sign_limit = models.DecimalField("签收时限", max_digits=6, decimal_places=2)
    sign_limit_unit = models.CharField("签收时限单位", max_length=12, choices=LIMIT_UNIT_CHOICES)
    handle_limit = models.DecimalField("办理时限", max_digits=6, decimal_places=2)
    handle_limit_unit = models.CharField("办理时限单位", max_length=12, choices=LIMIT_UNIT_CHOICES)
    urgency = models.CharField("默认紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "责任清单版本"
        verbose_name_plural = "责任清单"
        ordering = ["category__code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["category", "effective_from"], name="rule_unique_version"),
            models.CheckConstraint(
                condition=models.Q(handler="territorial") | models.Q(department__isnull=False),
                name="rule_department_required",
            ),
        ]

    def __str__(self):
        return f"{self.category.name} 自{timezone.localtime(self.effective_from):%Y-%m-%d %H:%M}起"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.handler != self.Handler.TERRITORIAL and not self.department_id:
            raise ValidationError({"department": "部门管理或部门主办的事项必须指定责任部门"})
