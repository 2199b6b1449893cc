"""Masters are editable (chart, vendor mappings, deduction schedules); journals and batches are read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounting.models import (
    Account,
    DeductionScheduleRow,
    ExportBatch,
    JournalEntry,
    JournalLine,
    PaymentBatch,
    PaymentItem,
    TaxCategoryMapping,
)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_active")
    search_fields = ("code", "name")


@admin.register(TaxCategoryMapping)
class TaxCategoryMappingAdmin(admin.ModelAdmin):
    list_display = ("vendor", "table", "key", "value")
    list_filter = ("vendor", "table")
    list_editable = ("value",)
    search_fields = ("key", "value")


@admin.register(DeductionScheduleRow)
class DeductionScheduleRowAdmin(admin.ModelAdmin):
    list_display = ("schedule", "valid_from", "valid_to", "ratio")
    list_filter = ("schedule",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class JournalLineInline(admin.TabularInline):
    model = JournalLine
    extra = 0
    can_delete = False
    fields = ("position", "side", "account_name", "sub_account", "department", "tax_code", "amount", "tax_amount",
              "memo", "special_case_note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "claim", "entry_date", "debit_total", "export_batch", "created_at")
    list_filter = ("kind", "entry_date")
    search_fields = ("claim__number", "description")
    list_select_related = ("claim", "export_item")
    inlines = [JournalLineInline]

    @admin.display(description=_("エクスポート"))
    def export_batch(self, entry: JournalEntry):
        item = getattr(entry, "export_item", None)
        return item.batch_id if item else "—"


@admin.register(ExportBatch)
class ExportBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "format", "period_from", "period_to", "status", "entry_count", "created_at")
    list_filter = ("format", "status")


class PaymentItemInline(admin.TabularInline):
    model = PaymentItem
    extra = 0
    can_delete = False
    readonly_fields = ("claim", "payee", "amount", "bank_code", "branch_code", "account_number", "holder_kana")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PaymentBatch)
class PaymentBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "transfer_date", "status", "item_count", "total_amount", "created_at")
    exclude = ("content",)
    inlines = [PaymentItemInline]
