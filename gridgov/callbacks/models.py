"""Follow-ups with the citizen (回访) and investigations of unsatisfied tickets (调查)."""

from django.conf import settings
from django.db import models


class Callback(models.Model):
    """One follow-up with the citizen after closing."""

    class Method(models.TextChoices):
        PHONE = "phone", "电话"
        SMS = "sms", "短信"
        VISIT = "visit", "上门"
        ONLINE = "online", "网上"

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASIC = "basic", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    ticket = models.ForeignKey("tickets.Ticket", verbose_name="工单", on_delete=models.CASCADE, related_name="callbacks")
    at = models.DateTimeField("回访时间")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回访人", null=True, on_delete=models.PROTECT, related_name="+")
    method = models.CharField("方式", max_length=10, choices=Method.choices)
    answered = models.BooleanField("接通/有效回访", default=True)
    satisfaction = models.CharField("满意度", max_length=12, choices=Satisfaction.choices, blank=True)
    resolved = models.BooleanField("是否解决", null=True, blank=True)
    note = models.TextField("回访记录", blank=True)

    class Meta:
        verbose_name = "回访"
        verbose_name_plural = "回访"
        ordering = ["ticket_id", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answered=False, satisfaction="") | models.Q(answered=True) & ~models.Q(satisfaction=""),
                name="callback_answered_has_satisfaction",
            ),
        ]


class Investigation(models.Model):
    """The investigators' inquiry into an unsatisfied ticket and its finding."""

    class State(models.TextChoices):
        OPEN = "open", "调查中"
        CONCLUDED = "concluded", "已认定"

    class Finding(models.TextChoices):
        RESPONSIBLE = "responsible", "有责"
        NOT_RESPONSIBLE = "not_responsible", "无责"

    ticket = models.ForeignKey("tickets.Ticket", verbose_name="工单", on_delete=models.CASCADE, related_name="investigations")
    callback = models.ForeignKey(Callback, verbose_name="触发回访", null=True, blank=True, on_delete=models.PROTECT)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField("发起时间")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, on_delete=models.PROTECT, related_name="+")
    finding = models.CharField("认定结果", max_length=20, choices=Finding.choices, blank=True)
    responsible_unit = models.ForeignKey("units.Unit", verbose_name="责任单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    deduction_points = models.DecimalField("扣分", max_digits=6, decimal_places=2, default=0)
    concluded_at = models.DateTimeField("认定时间", null=True, blank=True)
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="认定人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField("调查情况", blank=True)

    class Meta:
        verbose_name = "不满意工单调查"
        verbose_name_plural = "不满意工单调查"
        ordering = ["opened_at", "id"]
