from django.contrib import admin

from core.models import CompanySettings


@admin.register(CompanySettings)
class CompanySettingsAdmin(admin.ModelAdmin):
    list_display = ("name", "tax_rounding", "tax_accounting", "updated_at")

    def has_add_permission(self, request) -> bool:
        return not CompanySettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
