"""One row per deadline alert sent, so every level fires exactly once per assignment and deadline."""

from django.db import models

LEVELS = {"warn": "即将超期", "overdue": "已超期", "escalate_leader": "升级至单位领导", "escalate_centre": "升级至网格化中心"}
STAGES = {"sign": "签收", "handle": "办理"}


class AlertRecord(models.Model):
    """A deadline level reached by an assignment (即将超期, 已超期, escalations), with when it was acted on."""

    assignment = models.ForeignKey("tickets.Assignment", verbose_name="交办记录", on_delete=models.CASCADE,
                                   related_name="alerts")
    stage = models.CharField("时限", max_length=10, choices=list(STAGES.items()))
    level = models.CharField("级别", max_length=20, choices=list(LEVELS.items()))
    # The deadline the level refers to: an approved extension moves it, and the new deadline is warned about afresh.
    deadline = models.DateTimeField("时限")
    due_at = models.DateTimeField("应触发时间")
    created_at = models.DateTimeField("触发时间")
    notified = models.PositiveIntegerField("通知人数", default=0)

    class Meta:
        verbose_name = "超期预警记录"
        verbose_name_plural = "超期预警记录"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "stage", "level", "deadline"], name="alert_once")]

    def __str__(self):
        return f"{self.assignment_id} {self.stage} {self.level}"
