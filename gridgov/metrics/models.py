"""Pre-aggregated counts per month, kept equal to the counters over tickets in the same transaction."""

from django.db import models

from gridgov.metrics.definitions import STORED_COUNTERS


class MonthlyCounts(models.Model):
    """The stored counters of one cell; the month is the tickets' month of receipt (Asia/Shanghai)."""

    month = models.DateField("受理月份")
    received = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    merged = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_on_time = models.IntegerField(default=0)
    handle_seconds = models.BigIntegerField(default=0)
    called = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    unsatisfied = models.IntegerField(default=0)
    investigated = models.IntegerField(default=0)
    responsible = models.IntegerField(default=0)
    deduction = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    assigned = models.IntegerField(default=0)
    signed = models.IntegerField(default=0)
    signed_on_time = models.IntegerField(default=0)

    KEY: tuple[str, ...] = ()
    AREA_LENGTH = 0  # how much of the ticket's area code the key keeps

    class Meta:
        abstract = True

    def counts(self) -> dict:
        return {name: getattr(self, name) for name in STORED_COUNTERS}


class AreaCategoryCounts(MonthlyCounts):
    """Counts by the ticket's area cut to one level, category and channel."""

    area_key = models.CharField("区域编码", max_length=18)
    category_id = models.IntegerField("事项分类")
    channel_id = models.CharField("渠道", max_length=30)

    KEY = ("month", "area_key", "category_id", "channel_id")

    class Meta:
        abstract = True


class StreetMonthCount(AreaCategoryCounts):
    """By street (or the district, if located no deeper): the district's monthly figures."""

    AREA_LENGTH = 9

    class Meta:
        verbose_name = "月度工单统计（街道×分类×渠道）"
        constraints = [models.UniqueConstraint(fields=["month", "area_key", "category_id", "channel_id"], name="streetmonth_key")]


class AreaMonthCount(AreaCategoryCounts):
    """By community (or the shallower area the ticket was located in)."""

    AREA_LENGTH = 12

    class Meta:
        verbose_name = "月度工单统计（社区×分类×渠道）"
        constraints = [models.UniqueConstraint(fields=["month", "area_key", "category_id", "channel_id"], name="areamonth_key")]


class GridMonthCount(MonthlyCounts):
    """Tickets by the grid they were located in and channel: the input of grid assessments."""

    area_key = models.CharField("网格编码", max_length=18)
    channel_id = models.CharField("渠道", max_length=30)

    KEY = ("month", "area_key", "channel_id")
    AREA_LENGTH = 18

    class Meta:
        verbose_name = "月度工单统计（网格×渠道）"
        constraints = [models.UniqueConstraint(fields=["month", "area_key", "channel_id"], name="gridmonth_key")]


class UnitMonthCount(MonthlyCounts):
    """Unit-attributed counts: each unit's assignments and the tickets it signed, by category and channel."""

    unit_id = models.IntegerField("单位")
    category_id = models.IntegerField("事项分类")
    channel_id = models.CharField("渠道", max_length=30)

    KEY = ("month", "unit_id", "category_id", "channel_id")

    class Meta:
        verbose_name = "月度单位统计（单位×分类×渠道）"
        constraints = [models.UniqueConstraint(fields=["month", "unit_id", "category_id", "channel_id"], name="unitmonth_key")]


CUBES = (StreetMonthCount, AreaMonthCount, GridMonthCount, UnitMonthCount)
