from django.contrib import admin

from gridgov.tickets.models import Ticket
from gridgov.units.models import Category, ResponsibilityRule, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "group", "area", "active"]
    list_filter = ["kind", "group", "active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["area"]


class RuleInline(admin.TabularInline):
    model = ResponsibilityRule
    extra = 0
    fields = ["effective_from", "handler", "department", "sign_limit", "sign_limit_unit", "handle_limit", "handle_limit_unit", "urgency", "note"]
    show_change_link = True

    def has_change_permission(self, request, obj=None):
        return False  # versions are added, not edited: see ResponsibilityRuleAdmin


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "public", "active"]
    list_filter = ["level", "public", "active"]
    search_fields = ["code", "name", "keywords"]
    raw_id_fields = ["parent"]
    inlines = [RuleInline]


@admin.register(ResponsibilityRule)
class ResponsibilityRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "effective_from", "handler", "department", "sign_limit", "sign_limit_unit", "handle_limit", "handle_limit_unit", "urgency"]
    list_filter = ["handler", "urgency", "department"]
    search_fields = ["category__name", "category__code"]
    raw_id_fields = ["category"]
    date_hierarchy = "effective_from"

    def get_readonly_fields(self, request, obj=None):
        # A version that tickets already used is history: change the list by adding a later version.
        if obj is not None and Ticket.objects.filter(rule=obj).exists():
            return [f.name for f in self.model._meta.fields]
        return ["created_by", "created_at"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not Ticket.objects.filter(rule=obj).exists()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
