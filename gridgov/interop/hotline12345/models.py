"""The 12345 adapter's data: category mapping, received orders, the outbox and the sync cursors."""

import uuid

from django.db import models


class CategoryMapping(models.Model):
    """One city category code and the local leaf category its orders are filed under."""

    FALLBACK = "*"

    city_code = models.CharField("市平台分类编码", max_length=50, unique=True, help_text="填 * 表示未对照分类的兜底分类")
    city_name = models.CharField("市平台分类名称", max_length=100, blank=True)
    category = models.ForeignKey("units.Category", verbose_name="本区事项分类", on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "12345分类对照"
        verbose_name_plural = "12345分类对照"
        ordering = ["city_code"]

    def __str__(self):
        return f"{self.city_code} → {self.category}"


class InboundOrder(models.Model):
    """A city order that became a ticket: what the city sent, including what the ticket has no field for."""

    class Source(models.TextChoices):
        PUSH = "push", "市平台推送"
        PULL = "pull", "定时拉取"

    external_id = models.CharField("市平台工单编号", max_length=64, unique=True)
    ticket = models.OneToOneField("tickets.Ticket", verbose_name="工单", on_delete=models.CASCADE, related_name="hotline12345_order")
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    city_category = models.CharField("市平台分类", max_length=100, blank=True)
    city_deadline = models.DateTimeField("市平台办理时限", null=True, blank=True)
    accepted_at = models.DateTimeField("市平台受理时间", null=True, blank=True)
    payload = models.JSONField("原始报文", default=dict)
    received_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = "12345来单"
        verbose_name_plural = "12345来单"
        ordering = ["-received_at"]

    def __str__(self):
        return self.external_id


class RejectedOrder(models.Model):
    """A pulled order the adapter could not accept, kept so staff can fix the mapping and see what was missed."""

    external_id = models.CharField("市平台工单编号", max_length=64, blank=True)
    payload = models.JSONField("原始报文", default=dict)
    code = models.CharField("错误码", max_length=30)
    message = models.CharField("错误信息", max_length=300)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "12345拒收来单"
        verbose_name_plural = "12345拒收来单"
        ordering = ["-at"]


class OutboxMessage(models.Model):
    """A status change waiting to be (or already) sent to the city; one per timeline event."""

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败待重试"
        DEAD = "dead", "已放弃"

    message_id = models.UUIDField("消息编号", default=uuid.uuid4, unique=True, editable=False)
    ticket = models.ForeignKey("tickets.Ticket", verbose_name="工单", on_delete=models.CASCADE, related_name="+")
    # One message per event: re-collecting the same timeline rows can never enqueue twice.
    source_event = models.OneToOneField("tickets.TimelineEvent", verbose_name="办理记录", on_delete=models.CASCADE, related_name="+")
    event = models.CharField("事件", max_length=30)
    payload = models.JSONField("报文")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送时间")
    claimed_until = models.DateTimeField("占用至", null=True, blank=True)
    claimed_by = models.CharField("占用进程", max_length=100, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("生成时间")
    sent_at = models.DateTimeField("发送成功时间", null=True, blank=True)

    class Meta:
        verbose_name = "12345回传消息"
        verbose_name_plural = "12345回传消息"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(state__in=["failed", "pending"]), name="h12345_outbox_due"),
            models.Index(fields=["ticket", "id"], name="h12345_outbox_ticket"),
        ]

    def __str__(self):
        return f"{self.message_id} {self.event}"


class SyncCursor(models.Model):
    """Where a periodic job left off, kept in the database so it survives restarts."""

    name = models.CharField("名称", max_length=30, primary_key=True)
    value = models.CharField("位置", max_length=200, blank=True)
    # collect: a candidate position, promoted once every transaction that could precede it has finished.
    pending_value = models.CharField("待确认位置", max_length=200, blank=True)
    pending_since = models.DateTimeField("待确认时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "12345同步位置"
        verbose_name_plural = "12345同步位置"
