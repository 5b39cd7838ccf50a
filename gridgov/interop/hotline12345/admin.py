"""Admin pages: the category mapping is edited here; orders, rejections and the outbox are read, and dead messages requeued."""

from django.contrib import admin

from gridgov.core import clock
from gridgov.interop.hotline12345.models import CategoryMapping, InboundOrder, OutboxMessage, RejectedOrder


@admin.register(CategoryMapping)
class CategoryMappingAdmin(admin.ModelAdmin):
    list_display = ("city_code", "city_name", "category", "active")
    list_editable = ("active",)
    search_fields = ("city_code", "city_name", "category__name")
    raw_id_fields = ("category",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InboundOrder)
class InboundOrderAdmin(ReadOnlyAdmin):
    list_display = ("external_id", "ticket", "source", "city_category", "city_deadline", "received_at")
    list_filter = ("source",)
    search_fields = ("external_id",)


@admin.register(RejectedOrder)
class RejectedOrderAdmin(ReadOnlyAdmin):
    list_display = ("external_id", "code", "message", "at")
    search_fields = ("external_id",)


@admin.action(description="重新发送所选消息")
def requeue(modeladmin, request, queryset):
    queryset.filter(state=OutboxMessage.State.DEAD).update(state=OutboxMessage.State.FAILED, next_attempt_at=clock.now(), attempts=0)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("message_id", "ticket", "event", "state", "attempts", "next_attempt_at", "sent_at", "last_error")
    list_filter = ("state", "event")
    search_fields = ("message_id",)
    actions = [requeue]
