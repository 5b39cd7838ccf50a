"""Open311 client applications with hashed keys, per-service attributes, and the Open311 side of tickets."""

import secrets

from django.conf import settings
from django.db import models


class Client(models.Model):
    """An application allowed to POST service requests; it acts through its own system user.

    Its key is kept like an API token's: only `gridgov.accounts.models.hash_token(raw)` is stored.
    """

    name = models.CharField("应用名称", max_length=100, unique=True)
    digest = models.CharField("密钥摘要", max_length=64, unique=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="系统用户", on_delete=models.PROTECT,
                                related_name="open311_client")
    revoked = models.BooleanField("已吊销", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "Open311 接入应用"
        verbose_name_plural = "Open311 接入应用"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @staticmethod
    def new_key() -> str:
        """Return a fresh raw api_key (shown once, stored only as its hash_token digest).

        Drawn as ApiToken.issue draws its secret; only the prefix differs, so a leaked key says what it opens.
        """
        return "o311_" + secrets.token_urlsafe(32)


class ServiceAttribute(models.Model):
    """One extra form field of a public category (a GeoReport service definition attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", "单行文本"
        NUMBER = "number", "数字"
        DATETIME = "datetime", "日期时间"
        TEXT = "text", "多行文本"
        SINGLE = "singlevaluelist", "单选"
        MULTI = "multivaluelist", "多选"

    category = models.ForeignKey("units.Category", verbose_name="事项分类", on_delete=models.CASCADE,
                                 related_name="open311_attributes")
    code = models.SlugField("属性编码", max_length=50)
    datatype = models.CharField("类型", max_length=20, choices=Datatype.choices, default=Datatype.STRING)
    variable = models.BooleanField("需要填写", default=True, help_text="不勾选表示只向群众展示说明，不收集输入")
    required = models.BooleanField("必填", default=False)
    description = models.CharField("说明", max_length=300)
    datatype_description = models.CharField("填写提示", max_length=300, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=1)
    values = models.JSONField("可选值", default=list, blank=True, help_text='单选/多选的选项：[{"key": "1", "name": "名称"}, …]')
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "Open311 服务属性"
        verbose_name_plural = "Open311 服务属性"
        ordering = ["category_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_code_unique"),
            models.UniqueConstraint(fields=["category", "order"], name="open311_attribute_order_unique"),
        ]

    def __str__(self):
        return f"{self.category_id}:{self.code}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.datatype in (self.Datatype.SINGLE, self.Datatype.MULTI):
            ok = isinstance(self.values, list) and self.values and all(
                isinstance(v, dict) and str(v.get("key", "")).strip() and str(v.get("name", "")).strip() for v in self.values)
            if not ok:
                raise ValidationError({"values": "单选/多选属性必须列出选项，每项包含 key 和 name"})


class ServiceRequestRecord(models.Model):
    """What an Open311 POST carried beyond the ticket itself: client, token, attributes, media and contact ids."""

    ticket = models.OneToOneField("tickets.Ticket", verbose_name="工单", on_delete=models.CASCADE, related_name="open311_request")
    client = models.ForeignKey(Client, verbose_name="接入应用", on_delete=models.PROTECT, related_name="requests")
    token = models.CharField("令牌", max_length=40, unique=True)
    attributes = models.JSONField("属性值", default=dict, blank=True)
    media_url = models.URLField("媒体链接", max_length=500, blank=True)
    # Contact data of the reporter: POST-only in Open311, never returned by a GET.
    email = models.EmailField("电子邮箱", blank=True)
    device_id = models.CharField("设备标识", max_length=100, blank=True)
    account_id = models.CharField("账户标识", max_length=100, blank=True)
    created_at = models.DateTimeField("提交时间")

    class Meta:
        verbose_name = "Open311 诉求"
        verbose_name_plural = "Open311 诉求"
        ordering = ["-created_at", "-id"]
