from django.contrib import admin

from gridgov.areas.models import Area, StreetGroup


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "key_grid", "population"]
    list_filter = ["level", "kind", "key_grid"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    list_per_page = 50


@admin.register(StreetGroup)
class StreetGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "sort"]
    filter_horizontal = ["streets"]
