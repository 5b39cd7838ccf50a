from django.contrib import admin

from gridgov.interop.open311.models import Client, ServiceAttribute


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ["category", "order", "code", "description", "datatype", "required", "variable"]
    list_filter = ["datatype", "required"]
    search_fields = ["code", "description", "category__name", "category__code"]
    autocomplete_fields = ["category"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    # Keys are issued only by `gridgov open311 key create`, which shows the raw key once; here they can only be revoked.
    list_display = ["name", "user", "revoked", "created_at", "last_used_at"]
    list_editable = ["revoked"]
    readonly_fields = ["name", "user", "digest", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
