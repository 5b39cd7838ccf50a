"""Append-only audit log: who did what to which object, including every personal-data access."""

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    """Raised on an attempt to change or delete an append-only row."""


class AppendOnlyModel(models.Model):
    """A model whose rows are written once and never changed or deleted."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} is append-only")


class AuditLog(AppendOnlyModel):
    """One audited event."""

    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT)
    action = models.CharField("动作", max_length=50, db_index=True)
    object_type = models.CharField("对象类型", max_length=50)
    object_id = models.CharField("对象", max_length=50)
    reason = models.CharField("事由", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
