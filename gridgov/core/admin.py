from django.contrib import admin

from gridgov.core.models import Holiday


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
