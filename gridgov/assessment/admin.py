"""Admin for rule sets (spec frozen once published), runs and results (read-only), and the awards ledger."""

from django.contrib import admin

from gridgov.assessment import ledger
from gridgov.assessment.models import AwardBudget, AwardPayment, Run, RunResult, RuleSet


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "name", "object_kind", "effective_from", "active")
    list_filter = ("object_kind", "active")
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        # A published result must stay explainable by the rule it used: change it through a new version.
        if obj is not None and obj.used_by_published_run():
            return ("code", "version", "object_kind", "spec")
        return ()

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.runs.exists())


class ReadOnlyAdmin(admin.ModelAdmin):
    """Runs are written only by gridgov.assessment.runs, never by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RunResultInline(admin.TabularInline):
    model = RunResult
    fields = ("rank", "object_key", "label", "score", "klass", "award", "deduction")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "rule_set", "period_slug", "state", "computed_at", "computed_by", "published_at")
    list_filter = ("state", "rule_code", "period_kind")
    inlines = [RunResultInline]


@admin.register(RunResult)
class RunResultAdmin(ReadOnlyAdmin):
    list_display = ("run", "rank", "object_key", "label", "score", "klass", "award")
    list_filter = ("run__rule_code", "klass")
    search_fields = ("object_key", "label")


class ReadOnlyPayments:
    """Payments are recorded only through the ledger actions, which check the budget and audit them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AwardPaymentInline(ReadOnlyPayments, admin.TabularInline):
    model = AwardPayment
    fields = ("paid_on", "payee", "amount", "run", "note")
    raw_id_fields = ("run",)
    extra = 0


@admin.register(AwardBudget)
class AwardBudgetAdmin(admin.ModelAdmin):
    list_display = ("year", "name", "amount", "paid_display", "rate_display")
    inlines = [AwardPaymentInline]

    @admin.display(description="已拨付(元)")
    def paid_display(self, obj):
        return obj.paid

    @admin.display(description="执行率")
    def rate_display(self, obj):
        return ledger.percent_display(ledger.execution_rate(obj.paid, obj.amount))


@admin.register(AwardPayment)
class AwardPaymentAdmin(ReadOnlyPayments, admin.ModelAdmin):
    list_display = ("paid_on", "budget", "payee", "amount", "run")
    list_filter = ("budget",)
    search_fields = ("payee", "note")
    raw_id_fields = ("run", "result")
    readonly_fields = ("created_by", "created_at")
