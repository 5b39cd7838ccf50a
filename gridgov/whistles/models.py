"""吹哨报到: a street or community summons departments to a matter; each department checks in by a deadline."""

from django.conf import settings
from django.db import models

from gridgov.units.models import LIMIT_UNIT_CHOICES

DEFAULT_CHECKIN_LIMIT = 2
DEFAULT_CHECKIN_UNIT = "work_hours"
DEFAULT_ONSITE_RADIUS_M = 500


class Whistle(models.Model):
    """One whistle blown on a ticket, summoning one or more departments."""

    class State(models.TextChoices):
        OPEN = "open", "进行中"
        CLOSED = "closed", "已结束"

    ticket = models.ForeignKey("tickets.Ticket", verbose_name="工单", on_delete=models.PROTECT, related_name="whistles")
    unit = models.ForeignKey("units.Unit", verbose_name="吹哨单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", help_text="以属地单位身份吹哨时的单位；按区域授权吹哨（网格长、中心）时为空")
    blown_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="吹哨人", null=True, on_delete=models.PROTECT, related_name="+")
    blown_at = models.DateTimeField("吹哨时间", db_index=True)
    reason = models.TextField("吹哨事由")
    checkin_limit = models.DecimalField("报到时限", max_digits=6, decimal_places=2, default=DEFAULT_CHECKIN_LIMIT)
    checkin_limit_unit = models.CharField("报到时限单位", max_length=12, choices=LIMIT_UNIT_CHOICES, default=DEFAULT_CHECKIN_UNIT)
    onsite_required = models.BooleanField("须现场报到", default=False)
    onsite_radius_m = models.PositiveIntegerField("现场报到范围（米）", default=DEFAULT_ONSITE_RADIUS_M)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="结束人", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    close_note = models.CharField("结束说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "吹哨"
        verbose_name_plural = "吹哨"
        ordering = ["-blown_at", "-id"]

    def __str__(self):
        return f"吹哨 #{self.pk}（工单 {self.ticket_id}）"


class WhistleSummons(models.Model):
    """One department summoned by a whistle: summoned → checked_in → done, or withdrawn when the whistle ends first."""

    class State(models.TextChoices):
        SUMMONED = "summoned", "待报到"
        CHECKED_IN = "checked_in", "已报到"
        DONE = "done", "已办结"
        WITHDRAWN = "withdrawn", "已撤回"

    whistle = models.ForeignKey(Whistle, verbose_name="吹哨", on_delete=models.CASCADE, related_name="summons")
    unit = models.ForeignKey("units.Unit", verbose_name="被召集单位", on_delete=models.PROTECT, related_name="whistle_summons")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.SUMMONED)
    deadline = models.DateTimeField("报到时限")
    checked_in_at = models.DateTimeField("报到时间", null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报到人", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    checkin_lon = models.FloatField("报到经度", null=True, blank=True)
    checkin_lat = models.FloatField("报到纬度", null=True, blank=True)
    checkin_distance_m = models.FloatField("距事发地点（米）", null=True, blank=True)
    checkin_note = models.CharField("报到说明", max_length=300, blank=True)
    done_at = models.DateTimeField("协办完成时间", null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="反馈人", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    result = models.TextField("协办情况", blank=True)
    ended_at = models.DateTimeField("撤回时间", null=True, blank=True, help_text="吹哨结束时仍未报到的召集在此时撤回")

    class Meta:
        verbose_name = "报到记录"
        verbose_name_plural = "报到记录"
        ordering = ["whistle_id", "id"]
        constraints = [models.UniqueConstraint(fields=["whistle", "unit"], name="whistle_summons_unit_unique")]
        indexes = [models.Index(fields=["unit", "state"]), models.Index(fields=["deadline"])]

    def __str__(self):
        return f"{self.unit_id} ← 吹哨 #{self.whistle_id}"
