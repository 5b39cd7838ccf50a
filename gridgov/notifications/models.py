"""In-app notifications: one row per user and event, read or not."""

from django.conf import settings
from django.db import models

KINDS = {
    "assigned": "新交办", "returned": "回退", "extension_decided": "延期审核结果", "reworked": "发回重办",
    "urged": "催办", "supervised": "领导督办", "warning": "即将超期", "overdue": "已超期", "escalated": "超期升级",
    "whistle": "吹哨召集", "investigation": "调查立案", "digest": "督办日报",
}


class Notification(models.Model):
    """Something a user should know about, with the ticket it concerns."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField("类型", max_length=20, choices=list(KINDS.items()))
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    ticket = models.ForeignKey("tickets.Ticket", verbose_name="工单", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    urgent = models.BooleanField("紧急", default=False)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]
