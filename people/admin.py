from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from people.models import BankAccount, Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "head", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent", "head")


class BankAccountInline(admin.StackedInline):
    model = BankAccount
    extra = 0
    readonly_fields = ("bank_name", "branch_name")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("employee_code", "username", "name", "department", "manager", "is_active")
    list_filter = ("is_active", "groups", "department")
    search_fields = ("employee_code", "username", "name", "name_kana", "email")
    autocomplete_fields = ("department", "manager")
    inlines = [BankAccountInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("社員情報"), {"fields": ("employee_code", "name", "name_kana", "department", "manager")}),
    )


@admin.register(BankAccount)
class BankAccountAdmin(admin.ModelAdmin):
    list_display = ("user", "bank_name", "branch_name", "account_type", "account_number", "holder_kana")
    search_fields = ("user__name", "user__employee_code", "holder_kana")
    readonly_fields = ("bank_name", "branch_name")
    autocomplete_fields = ("user",)
