from django.contrib import admin

from approvals.models import ClaimEvent


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
