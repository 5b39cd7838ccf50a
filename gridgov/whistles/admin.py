"""Admin: whistles and their summons, read-only (they change only through whistles.actions, which audit)."""

from django.contrib import admin

from gridgov.whistles.models import Whistle, WhistleSummons


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SummonsInline(ReadOnly, admin.TabularInline):
    model = WhistleSummons
    extra = 0
    fields = ["unit", "state", "deadline", "checked_in_at", "checked_in_by", "checkin_distance_m", "done_at", "ended_at"]


@admin.register(Whistle)
class WhistleAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "ticket", "unit", "blown_by", "blown_at", "checkin_limit", "checkin_limit_unit", "onsite_required", "state"]
    list_filter = ["state", "onsite_required"]
    search_fields = ["ticket__number", "reason"]
    raw_id_fields = ["ticket"]
    inlines = [SummonsInline]


@admin.register(WhistleSummons)
class WhistleSummonsAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "whistle", "unit", "state", "deadline", "checked_in_at", "checkin_distance_m"]
    list_filter = ["state", "unit"]
    search_fields = ["whistle__ticket__number"]
