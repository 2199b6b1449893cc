from django.contrib import admin

from expenses.models import Claim, ClaimLine, DatedLimit, ExpenseCategory, Project, TaxRate


@admin.register(ExpenseCategory)
class ExpenseCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "account_code", "account_name", "kind", "default_tax_category",
                    "receipt_required", "receipt_required_from", "attendees_required", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
    list_filter = ("kind", "default_tax_category", "is_active")
    search_fields = ("code", "name", "account_name")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_active")
    search_fields = ("code", "name")


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ("tax_category", "percent", "valid_from", "valid_to")


@admin.register(DatedLimit)
class DatedLimitAdmin(admin.ModelAdmin):
    list_display = ("key", "amount", "valid_from", "valid_to")


class ClaimLineInline(admin.TabularInline):
    model = ClaimLine
    extra = 0
    fields = ("position", "expense_date", "category", "amount", "tax_category", "tax_rate", "tax_amount", "vendor",
              "registration_number", "registration_status")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    """Read-only: claims change only through the services, which write the audit trail."""

    list_display = ("number", "title", "applicant", "department", "status", "total_amount", "submitted_at")
    list_filter = ("status", "department")
    search_fields = ("number", "title", "applicant__name", "applicant__employee_code")
    list_select_related = ("applicant", "department")
    inlines = [ClaimLineInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Claim._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

from expenses import transit_admin  # noqa: E402, F401  (registers the transit masters)
