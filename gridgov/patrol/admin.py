from django.contrib import admin

from gridgov.patrol.models import Visit


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["visited_at", "area", "worker", "address", "household", "people_count", "situation"]
    list_filter = ["situation", "area__level"]
    search_fields = ["area__code", "area__name", "address", "household", "worker__display_name", "worker__username"]
    raw_id_fields = ["area"]
    readonly_fields = ["worker", "created_at"]
    date_hierarchy = "visited_at"
    list_per_page = 50

    def has_add_permission(self, request):
        # Visits are recorded through patrol.actions.do_record_visit, which checks the worker's grid scope.
        return False
