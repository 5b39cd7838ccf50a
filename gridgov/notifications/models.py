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


class Preference(models.Model):
    """How one user wants to be reached outside the platform; no row means every configured channel, every kind."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                                related_name="notify_preference")
    backends = models.JSONField("接收渠道", default=list, blank=True,
                                help_text="启用的外发渠道编码，如 [\"sms\", \"email\"]；留空表示不外发")
    kinds = models.JSONField("接收类型", default=list, blank=True, help_text="要外发的消息类型编码；留空表示全部类型")
    quiet_start = models.TimeField("免打扰开始", null=True, blank=True, help_text="北京时间；紧急消息不受免打扰限制")
    quiet_end = models.TimeField("免打扰结束", null=True, blank=True)

    class Meta:
        verbose_name = "消息接收设置"
        verbose_name_plural = "消息接收设置"

    def __str__(self):
        return f"{self.user} 的消息接收设置"


class Delivery(models.Model):
    """One outbound send of a notification through one backend, with its retries."""

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败待重试"
        DEAD = "dead", "放弃发送"

    notification = models.ForeignKey(Notification, verbose_name="消息", on_delete=models.CASCADE, related_name="deliveries")
    backend = models.CharField("渠道", max_length=30)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    text = models.TextField("外发内容", help_text="只含工单编号、分类、单位、时限和消息类型，不含群众个人信息")
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送时间", null=True, blank=True)
    claim = models.CharField("领取标记", max_length=32, blank=True)
    claimed_until = models.DateTimeField("领取有效期", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    history = models.JSONField("发送记录", default=list, blank=True)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "外发记录"
        verbose_name_plural = "外发记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["next_attempt_at"], condition=models.Q(state__in=["failed", "pending"]),
                                name="delivery_due")]
        constraints = [models.UniqueConstraint(fields=["notification", "backend"], name="delivery_once_per_backend")]

    def __str__(self):
        return f"{self.notification_id} → {self.backend} ({self.get_state_display()})"
