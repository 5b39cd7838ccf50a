"""催办 (urging a unit on one assignment) and 督办 (leadership supervision of a ticket), with the daily digest's runs."""

from django.conf import settings
from django.db import models


class Urge(models.Model):
    """One urge sent to the unit holding an open assignment: by the centre's hand, or by the deadline scan."""

    class Source(models.TextChoices):
        MANUAL = "manual", "人工催办"
        AUTO = "auto", "自动催办"

    ticket = models.ForeignKey("tickets.Ticket", verbose_name="工单", on_delete=models.CASCADE, related_name="urges")
    assignment = models.ForeignKey("tickets.Assignment", verbose_name="交办记录", on_delete=models.CASCADE, related_name="urges")
    # The assignment's unit, kept on the row so the per-unit figure groups on it without a join.
    unit = models.ForeignKey("units.Unit", verbose_name="被催办单位", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="催办人", null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField("催办时间")
    message = models.TextField("催办意见")
    source = models.CharField("方式", max_length=10, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        verbose_name = "催办记录"
        verbose_name_plural = "催办记录"
        ordering = ["ticket_id", "at", "id"]
        indexes = [models.Index(fields=["unit", "at"])]

    def __str__(self):
        return f"催办 {self.unit_id}（工单 {self.ticket_id}）"


class Supervision(models.Model):
    """领导督办 of a ticket with a due date, open until ended; a ticket has at most one open supervision."""

    ticket = models.ForeignKey("tickets.Ticket", verbose_name="工单", on_delete=models.CASCADE, related_name="supervisions")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="督办人", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("督办时间")
    note = models.TextField("督办意见")
    due_date = models.DateField("要求办结日期")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="结束人", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    end_note = models.TextField("结束说明", blank=True)

    class Meta:
        verbose_name = "领导督办"
        verbose_name_plural = "领导督办"
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["ticket"], condition=models.Q(ended_at__isnull=True),
                                               name="supervision_one_open_per_ticket")]

    def __str__(self):
        return f"督办 #{self.pk}（工单 {self.ticket_id}）"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class DigestRun(models.Model):
    """The daily 督办 digest sent to one user on one (Asia/Shanghai) day: its row makes a second run that day a no-op."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日期")
    sent_at = models.DateTimeField("发送时间")
    tickets = models.JSONField("督办工单", default=list)

    class Meta:
        verbose_name = "督办日报记录"
        verbose_name_plural = "督办日报记录"
        ordering = ["-day", "user_id"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_run_once_per_user_day")]
