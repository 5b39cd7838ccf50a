from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from gridgov.accounts.models import ApiToken, RoleGrant, User


class GrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 1
    raw_id_fields = ["area", "unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "phone", "is_active", "is_staff"]
    search_fields = ["username", "display_name", "phone"]
    fieldsets = BaseUserAdmin.fieldsets + (("平台信息", {"fields": ["display_name", "phone"]}),)
    inlines = [GrantInline]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "area", "unit", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__display_name"]
    raw_id_fields = ["user", "area", "unit"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "created_at", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    readonly_fields = ["user", "name", "digest", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # tokens are issued with `gridgov token create`, which shows the secret once
