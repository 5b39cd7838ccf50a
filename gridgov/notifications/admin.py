from django.contrib import admin

from gridgov.notifications.models import Delivery, Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "title", "urgent", "read_at"]
    list_filter = ["kind", "urgent"]
    raw_id_fields = ["user", "ticket"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "notification", "backend", "state", "attempts", "next_attempt_at", "sent_at", "last_error"]
    list_filter = ["backend", "state"]
    raw_id_fields = ["notification"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "backends", "kinds", "quiet_start", "quiet_end"]
    raw_id_fields = ["user"]
