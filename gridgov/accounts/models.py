"""Users, their role grants scoped to an area subtree or a unit, and API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from gridgov.accounts.permissions import ROLE_CHOICES, UNIT_ROLES


class User(AbstractUser):
    """A member of staff."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username


class RoleGrant(models.Model):
    """A role given to a user within an area subtree (area roles) or for one unit (unit roles)."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="grants")
    role = models.CharField("角色", max_length=30, choices=ROLE_CHOICES)
    area = models.ForeignKey("areas.Area", verbose_name="区域范围", null=True, blank=True, on_delete=models.PROTECT)
    unit = models.ForeignKey("units.Unit", verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField("授权时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(area__isnull=False, unit__isnull=True) | models.Q(area__isnull=True, unit__isnull=False)),
                name="grant_scoped_to_area_or_unit",
            ),
            models.UniqueConstraint(fields=["user", "role", "area", "unit"], name="grant_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.area or self.unit}"

    def clean(self):
        if self.role in UNIT_ROLES and not self.unit_id:
            raise ValidationError({"unit": "单位角色必须指定所属单位"})
        if self.role not in UNIT_ROLES and not self.area_id:
            raise ValidationError({"area": "该角色必须指定区域范围"})
        if self.area_id and self.unit_id:
            raise ValidationError("区域范围与所属单位只能选其一")


def hash_token(raw: str) -> str:
    """Return the stored digest of a raw API token."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for a system calling the API on a user's behalf; only its hash is kept."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100, blank=True)
    digest = models.CharField("摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked = models.BooleanField("已吊销", default=False)

    class Meta:
        verbose_name = "API令牌"
        verbose_name_plural = "API令牌"

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple["ApiToken", str]:
        """Create a token and return it with the raw secret (shown once)."""
        raw = "gg_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, digest=hash_token(raw)), raw
