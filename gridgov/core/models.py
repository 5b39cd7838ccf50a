"""Base tables: the holiday overrides behind the working-day calendar."""

from django.db import models


class Holiday(models.Model):
    """An admin-entered day that overrides the built-in Chinese holiday calendar."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日", help_text="勾选表示调休上班日；不勾选表示放假")
    name = models.CharField("说明", max_length=50, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日/调休"
        verbose_name_plural = "节假日/调休"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_workday else '放假'} {self.name}"
