"""Door-to-door visits (入户走访) recorded by grid workers in their grids."""

from django.conf import settings
from django.db import models


class Visit(models.Model):
    """One visit to a household; the household name is personal data (masked for roles without pii.view)."""

    class Situation(models.TextChoices):
        NORMAL = "normal", "正常"
        HARDSHIP = "hardship", "困难帮扶"
        DISPUTE = "dispute", "矛盾纠纷"
        HAZARD = "hazard", "安全隐患"
        OTHER = "other", "其他"

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="走访人", on_delete=models.PROTECT, related_name="visits")
    area = models.ForeignKey("areas.Area", verbose_name="所属网格", on_delete=models.PROTECT, related_name="visits")
    visited_at = models.DateTimeField("走访时间")
    address = models.CharField("走访地址", max_length=200)
    household = models.CharField("户主/住户", max_length=50)
    people_count = models.PositiveSmallIntegerField("在户人数")
    situation = models.CharField("走访情况", max_length=10, choices=Situation.choices, default=Situation.NORMAL)
    note = models.TextField("走访记录", blank=True)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "入户走访"
        verbose_name_plural = "入户走访"
        ordering = ["-visited_at", "-id"]
        indexes = [
            models.Index(fields=["worker", "visited_at"]),
            models.Index(fields=["area", "visited_at"]),
        ]

    def __str__(self):
        return f"{self.area_id} {self.visited_at:%Y-%m-%d} {self.get_situation_display()}"
