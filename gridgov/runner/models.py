"""The task queue: one row per job, claimed under a lease, and one row per periodic job remembering its last run."""

from django.db import models


class Job(models.Model):
    """One call of a function by dotted path, run at least once by whichever worker claims it."""

    class State(models.TextChoices):
        QUEUED = "queued", "待执行"
        RUNNING = "running", "执行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    name = models.CharField("任务", max_length=100)
    func = models.CharField("函数", max_length=200)
    args = models.JSONField("参数", default=dict, blank=True)
    # Set for periodic runs ("name@slot"): a slot enqueued twice by racing schedulers is one job.
    unique_key = models.CharField("去重键", max_length=150, null=True, blank=True, unique=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    run_after = models.DateTimeField("计划时间")
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    max_attempts = models.PositiveIntegerField("最多尝试次数", default=5)
    claimed_by = models.CharField("执行进程", max_length=100, blank=True)
    claimed_until = models.DateTimeField("占用到期", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    result = models.JSONField("结果", null=True, blank=True)
    created_at = models.DateTimeField("创建时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["run_after", "id"]
        indexes = [models.Index(fields=["state", "run_after"], name="runner_job_due")]

    def __str__(self):
        return f"{self.name} #{self.pk} ({self.state})"


class PeriodicState(models.Model):
    """Where one periodic job stands: when it is next due and how its last run went."""

    name = models.CharField("定时任务", max_length=100, primary_key=True)
    next_run_at = models.DateTimeField("下次执行")
    last_enqueued_at = models.DateTimeField("最近排队", null=True, blank=True)
    last_run_at = models.DateTimeField("最近执行", null=True, blank=True)
    last_ok_at = models.DateTimeField("最近成功", null=True, blank=True)
    last_result = models.JSONField("最近结果", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)

    class Meta:
        verbose_name = "定时任务状态"
        verbose_name_plural = "定时任务状态"
        ordering = ["name"]

    def __str__(self):
        return self.name
