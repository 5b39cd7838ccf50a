"""Import jobs: what was read from which file, how far it got, and the rows it refused."""

from django.db import models


class ImportJob(models.Model):
    """One run (and its resumptions) of a bulk import of one file with one mapping."""

    class State(models.TextChoices):
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("导入类型", max_length=20, default="tickets")
    file_name = models.CharField("文件", max_length=500)
    file_sha256 = models.CharField("文件摘要", max_length=64, db_index=True)
    mapping = models.JSONField("列映射")
    mapping_sha256 = models.CharField("映射摘要", max_length=64)
    channel = models.CharField("指定渠道", max_length=30, blank=True)
    batch_size = models.PositiveIntegerField("批大小")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.RUNNING)
    rows_total = models.PositiveIntegerField("数据行数", null=True, blank=True)
    # Data rows handled by committed batches: a resumed run starts after them.
    rows_done = models.PositiveIntegerField("已处理行数", default=0)
    imported = models.PositiveIntegerField("已导入", default=0)
    skipped = models.PositiveIntegerField("已存在跳过", default=0)
    failed = models.PositiveIntegerField("错误行数", default=0)
    batches = models.PositiveIntegerField("已提交批次", default=0)
    # First days ("2025-03-01") of the months of the rows in committed batches: recounted when a run ends.
    months = models.JSONField("涉及月份", default=list, blank=True)
    message = models.TextField("说明", blank=True)
    started_at = models.DateTimeField("开始时间")
    updated_at = models.DateTimeField("更新时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-id"]

    def __str__(self):
        return f"导入任务 {self.pk} {self.file_name}"


class ImportRowError(models.Model):
    """One refused value of one row, written in the same transaction as its batch."""

    job = models.ForeignKey(ImportJob, verbose_name="导入任务", on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField("行号")
    column = models.CharField("列", max_length=100, blank=True)
    message = models.CharField("错误", max_length=300)
    value = models.CharField("原值", max_length=200, blank=True)

    class Meta:
        verbose_name = "导入错误"
        verbose_name_plural = "导入错误"
        ordering = ["job_id", "row", "id"]
        indexes = [models.Index(fields=["job", "row"])]
