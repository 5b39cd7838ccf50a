"""Admin views of self-evaluations: browse and correct; the history of actual values is read-only."""

from django.contrib import admin

from gridgov.selfeval.models import ActualChange, Evaluation, FundLine, Indicator


class FundLineInline(admin.TabularInline):
    model = FundLine
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ("sort", "level1", "level2", "name", "comparator", "target", "unit", "actual", "actual_unit", "weight",
              "score", "metric", "overridden")


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "year", "kind", "unit_name", "project_name", "parent", "updated_at")
    list_filter = ("year", "kind")
    search_fields = ("unit_name", "project_name")
    inlines = [FundLineInline, IndicatorInline]


@admin.register(ActualChange)
class ActualChangeAdmin(admin.ModelAdmin):
    list_display = ("indicator", "source", "old_value", "new_value", "reason", "actor", "at")
    list_filter = ("source",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
