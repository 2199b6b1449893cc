from django.contrib import admin

from approvals.models import (
    ApprovalPolicy,
    ApprovalRule,
    ApprovalStep,
    ClaimEvent,
    Delegation,
    LineCorrection,
)


@admin.register(ClaimEvent)
class ClaimEventAdmin(admin.ModelAdmin):
    """Append-only audit trail: visible, never editable."""

    list_display = ("created_at", "claim", "kind", "from_status", "to_status", "actor", "on_behalf_of")
    list_filter = ("kind", "to_status")
    search_fields = ("claim__number",)
    list_select_related = ("claim", "actor", "on_behalf_of")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ApprovalRuleInline(admin.TabularInline):
    model = ApprovalRule
    extra = 0
    fields = ("order", "name", "approver_kind", "approver_user", "approver_group", "is_accounting_check", "match",
              "min_amount", "max_amount", "category", "department", "project")


@admin.register(ApprovalPolicy)
class ApprovalPolicyAdmin(admin.ModelAdmin):
    """Routes are master data. Editing one never changes running approvals (steps are snapshots)."""

    list_display = ("name", "department", "priority", "is_active", "return_policy", "reminder_after_business_days",
                    "reminder_interval_business_days", "escalate_after")
    list_filter = ("is_active",)
    inlines = [ApprovalRuleInline]


@admin.register(ApprovalStep)
class ApprovalStepAdmin(admin.ModelAdmin):
    """Read-only: the route snapshots with their reminder state (督促回数, 最終督促, エスカレーション先)."""

    list_display = ("claim", "round", "order", "name", "approver", "approver_group", "status", "activated_at",
                    "reminder_count", "last_reminded_at", "escalated_to", "acted_by", "acted_for", "acted_at")
    list_filter = ("status", "is_accounting_check")
    search_fields = ("claim__number", "approver__username", "approver__name")
    list_select_related = ("claim", "approver", "approver_group", "escalated_to", "acted_by", "acted_for")
    date_hierarchy = "activated_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("approver", "delegate", "valid_from", "valid_to", "created_at")
    list_select_related = ("approver", "delegate")
    search_fields = ("approver__username", "delegate__username")


@admin.register(LineCorrection)
class LineCorrectionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "line", "field", "from_label", "to_label", "corrected_by", "corrected_for")
    list_select_related = ("line", "corrected_by", "corrected_for")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
