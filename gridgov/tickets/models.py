"""Tickets, their assignments to units, extensions and the append-only timeline."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from gridgov.audit.models import AppendOnlyModel
from gridgov.tickets.numbering import DEFAULT_NUMBER_FORMAT, check_format
from gridgov.tickets.states import NOT_DONE, OPEN_ASSIGNMENTS, AssignmentState, TicketState
from gridgov.units.models import LIMIT_UNIT_CHOICES, Urgency


class Channel(models.Model):
    """A source of tickets (12345 热线, 网格巡查, …) with its numbering and, where it has them, its own time limits."""

    code = models.SlugField("渠道编码", max_length=30, primary_key=True)
    name = models.CharField("渠道名称", max_length=50)
    prefix = models.CharField("编号前缀", max_length=6, unique=True, help_text="工单编号的前缀，如 RX；各渠道不能重复")
    number_format = models.CharField(
        "编号格式", max_length=60, default=DEFAULT_NUMBER_FORMAT,
        help_text="可用 {prefix}（前缀）、{date:%Y%m%d}（受理日期）、{seq:05d}（当日序号，必须有）；如 {prefix}{date:%Y%m%d}{seq:05d}")
    sign_limit = models.DecimalField("渠道签收时限", max_digits=6, decimal_places=2, null=True, blank=True,
                                     help_text="为空时按责任清单；填写时取两者中先到期者")
    sign_limit_unit = models.CharField("签收时限单位", max_length=12, choices=LIMIT_UNIT_CHOICES, blank=True)
    handle_limit = models.DecimalField("渠道办理时限", max_digits=6, decimal_places=2, null=True, blank=True,
                                       help_text="为空时按责任清单；填写时取两者中先到期者（如市长信箱15个工作日内答复）")
    handle_limit_unit = models.CharField("办理时限单位", max_length=12, choices=LIMIT_UNIT_CHOICES, blank=True)
    description = models.CharField("说明", max_length=200, blank=True)
    active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "渠道"
        verbose_name_plural = "渠道"
        ordering = ["sort", "code"]

    def __str__(self):
        return self.name

    def clean(self):
        try:
            check_format(self.number_format)
        except ValueError as e:
            raise ValidationError({"number_format": str(e)}) from None
        for amount, unit, label in ((self.sign_limit, self.sign_limit_unit, "签收"), (self.handle_limit, self.handle_limit_unit, "办理")):
            if (amount is None) != (not unit):
                raise ValidationError(f"{label}时限与其单位须同时填写或同时为空")
            if amount is not None and amount <= 0:
                raise ValidationError(f"{label}时限必须大于0")


class NumberSequence(models.Model):
    """The last number used per channel and day, so ticket numbers are gap-tolerant but unique."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "day"], name="numberseq_unique")]


class Ticket(models.Model):
    """One citizen request or reported event."""

    number = models.CharField("工单编号", max_length=30, unique=True)
    channel = models.ForeignKey(Channel, verbose_name="渠道", on_delete=models.PROTECT)
    external_id = models.CharField("外部编号", max_length=64, null=True, blank=True)
    # No single-column index: (category, received_at) below answers every lookup by category.
    category = models.ForeignKey("units.Category", verbose_name="事项分类", on_delete=models.PROTECT, db_index=False)
    rule = models.ForeignKey("units.ResponsibilityRule", verbose_name="适用责任清单版本", on_delete=models.PROTECT)
    title = models.CharField("标题", max_length=200)
    description = models.TextField("诉求内容")
    address = models.CharField("地址", max_length=200, blank=True)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    # No single-column index (nor its _like twin): (area, received_at) and ticket_area_prefix below cover it.
    area = models.ForeignKey("areas.Area", verbose_name="所属网格", null=True, blank=True, on_delete=models.PROTECT,
                             db_index=False)
    located_by = models.CharField("定位方式", max_length=10, blank=True)
    routing_reason = models.CharField("派单建议理由", max_length=300, blank=True)
    suggested_lead = models.ForeignKey("units.Unit", verbose_name="建议主办单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    suggested_support = models.JSONField("建议协办单位", default=list, blank=True)
    citizen_name = models.CharField("诉求人", max_length=50, blank=True)
    citizen_phone = models.CharField("联系电话", max_length=20, blank=True, db_index=True)
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    state = models.CharField("状态", max_length=12, choices=TicketState.choices, default=TicketState.RECEIVED, db_index=True)
    parent = models.ForeignKey("self", verbose_name="并入主单", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_children")
    received_at = models.DateTimeField("受理时间", db_index=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    handle_deadline = models.DateTimeField("办理时限", null=True, blank=True, db_index=True)
    dispatch_round = models.PositiveSmallIntegerField("派单轮次", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "工单"
        verbose_name_plural = "工单"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], condition=models.Q(external_id__isnull=False), name="ticket_external_id_per_channel"
            ),
        ]
        indexes = [
            models.Index(fields=["area", "received_at"]),
            models.Index(fields=["category", "received_at"]),
            # Subtree filters are prefix LIKEs on the area code; PostgreSQL needs the pattern opclass to use an index.
            models.Index(fields=["area"], name="ticket_area_prefix", opclasses=["varchar_pattern_ops"]),
            # Overdue work is counted live from the few open tickets: PostgreSQL answers from this index alone.
            models.Index(fields=["received_at"], include=["id", "area", "category", "channel", "handle_deadline"],
                         condition=models.Q(state__in=NOT_DONE), name="ticket_open_by_receipt"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"


class Assignment(models.Model):
    """A ticket handed to one unit as lead (主办) or support (协办)."""

    class Role(models.TextChoices):
        LEAD = "lead", "主办"
        SUPPORT = "support", "协办"

    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("units.Unit", verbose_name="承办单位", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField("角色", max_length=10, choices=Role.choices)
    round = models.PositiveSmallIntegerField("派单轮次", default=1, help_text="回退或重新启用后再次派单时递增")
    state = models.CharField("状态", max_length=10, choices=AssignmentState.choices, default=AssignmentState.PENDING)
    dispatched_at = models.DateTimeField("交办时间")
    sign_deadline = models.DateTimeField("签收时限")
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    handle_deadline = models.DateTimeField("办理时限")
    reported_at = models.DateTimeField("反馈时间", null=True, blank=True)
    returned_at = models.DateTimeField("回退时间", null=True, blank=True)
    result = models.TextField("办理结果", blank=True)
    return_reason = models.CharField("回退理由", max_length=300, blank=True)
    rework_count = models.PositiveSmallIntegerField("重办次数", default=0)

    class Meta:
        verbose_name = "交办记录"
        verbose_name_plural = "交办记录"
        ordering = ["ticket_id", "id"]
        indexes = [
            models.Index(fields=["unit", "state"]), models.Index(fields=["unit", "dispatched_at"]),
            models.Index(fields=["handle_deadline"], include=["unit", "ticket"], condition=models.Q(state__in=OPEN_ASSIGNMENTS),
                         name="assignment_open_deadline"),
        ]

    def __str__(self):
        return f"{self.ticket_id} → {self.unit_id} ({self.get_role_display()})"


class Extension(models.Model):
    """A unit's request for more time on an assignment, decided by the centre."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已批准"
        DENIED = "denied", "未批准"
        LAPSED = "lapsed", "已失效"

    assignment = models.ForeignKey(Assignment, verbose_name="交办记录", on_delete=models.CASCADE, related_name="extensions")
    requested_at = models.DateTimeField("申请时间")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("延期时长", max_digits=6, decimal_places=2)
    limit_unit = models.CharField("单位", max_length=12)
    reason = models.CharField("申请理由", max_length=300)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_note = models.CharField("审核意见", max_length=300, blank=True)
    old_deadline = models.DateTimeField("原办理时限")
    new_deadline = models.DateTimeField("延期后时限", null=True, blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["requested_at", "id"]


class TimelineEvent(AppendOnlyModel):
    """One step in a ticket's history; never changed once written."""

    # No single-column index: the unique (ticket, seq) constraint below leads with the ticket.
    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="events", db_index=False)
    seq = models.PositiveIntegerField("序号")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    verb = models.CharField("动作", max_length=30)
    from_state = models.CharField("原状态", max_length=12, blank=True)
    to_state = models.CharField("新状态", max_length=12)
    assignment = models.ForeignKey(Assignment, verbose_name="交办记录", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["ticket_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["ticket", "seq"], name="timeline_seq_unique")]


class Attachment(models.Model):
    """A photo or document attached to a ticket; type and size are checked on upload (tickets.attachments)."""

    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to="attachments/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小(字节)")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["ticket_id", "uploaded_at", "id"]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
