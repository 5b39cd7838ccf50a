"""The area tree: district → street/town → community/village → level-3 grid → level-4 grid."""

from django.core.exceptions import ValidationError
from django.db import models

LEVEL_NAMES = {0: "区/县", 1: "街道/镇", 2: "社区/村", 3: "三级网格", 4: "四级网格"}
CODE_LENGTHS = {level: 6 + 3 * level for level in LEVEL_NAMES}


class AreaQuerySet(models.QuerySet):
    def subtree(self, code: str):
        """Return the area with this code and all its descendants (codes are hierarchical)."""
        return self.filter(code__startswith=code)


class Area(models.Model):
    """One node of the area tree; the code is the primary key and encodes the path."""

    class Kind(models.TextChoices):
        URBAN = "urban", "城市社区"
        RURAL = "rural", "农村"

    code = models.CharField("区划/网格编码", max_length=18, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("层级", choices=list(LEVEL_NAMES.items()))
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, blank=True)
    boundary = models.JSONField("边界(GeoJSON)", null=True, blank=True)
    key_grid = models.BooleanField("重点网格", default=False)
    aliases = models.JSONField("别名", default=list, blank=True)
    population = models.PositiveIntegerField("常住人口", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = "区域/网格"
        verbose_name_plural = "区域/网格"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["level", "code"]),
            models.Index(fields=["code"], name="area_code_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def clean(self):
        if len(self.code) != CODE_LENGTHS.get(self.level, -1) or not self.code.isdigit():
            raise ValidationError({"code": f"{LEVEL_NAMES.get(self.level, '')}编码应为{CODE_LENGTHS.get(self.level)}位数字"})
        if self.parent_id and not self.code.startswith(self.parent_id):
            raise ValidationError({"code": "编码必须以上级编码开头"})

    def ancestor_codes(self) -> list[str]:
        """Return the codes of this area and its ancestors, root first."""
        return [self.code[: CODE_LENGTHS[level]] for level in range(self.level + 1)]


class StreetGroup(models.Model):
    """A named group of streets used in rankings (e.g. A/B/C)."""

    name = models.CharField("分组名称", max_length=50, unique=True)
    streets = models.ManyToManyField(Area, verbose_name="街道/镇", limit_choices_to={"level": 1}, related_name="street_groups")
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "街镇分组"
        verbose_name_plural = "街镇分组"
        ordering = ["sort", "name"]

    def __str__(self):
        return self.name
