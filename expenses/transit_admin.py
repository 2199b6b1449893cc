"""Admin for the transit masters: route master (with CSV import), stations, travel policy, passes."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import ApplicationError
from expenses.services.transit_masters import do_import_route_master, do_import_stations
from expenses.transit_models import (
    BusinessTrip,
    CommuterPass,
    EmployeeGrade,
    FavouriteRoute,
    ImportedIcTrip,
    RouteMaster,
    Station,
    TransitDetail,
    TravelAllowanceRate,
)


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSVファイル"))


class CsvImportMixin:
    """Adds an 「CSV取込」 page to a changelist; `import_function(bytes) -> MasterImportResult`."""

    import_function = None
    change_list_template = "expenses/transit/admin_changelist.html"

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [path("import-csv/", self.admin_site.admin_view(self.import_csv), name="{}_{}_import".format(*info)),
                *super().get_urls()]

    def import_csv(self, request):
        form = CsvUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = type(self).import_function(form.cleaned_data["file"].read())
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("取込みました: 新規 %(c)d 件、更新 %(u)d 件。") % {
                    "c": result.created, "u": result.updated})
                for error in result.errors[:50]:
                    messages.warning(request, error)
                return redirect("..")
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": _("CSV取込")}
        return render(request, "expenses/transit/admin_import.html", context)


@admin.register(RouteMaster)
class RouteMasterAdmin(CsvImportMixin, admin.ModelAdmin):
    import_function = staticmethod(do_import_route_master)
    list_display = ("from_station", "to_station", "via", "mode", "fare_ic", "fare_ticket", "charges", "is_active")
    list_filter = ("mode", "is_active")
    list_editable = ("fare_ic", "fare_ticket", "is_active")
    search_fields = ("from_station", "to_station", "via", "note")


@admin.register(Station)
class StationAdmin(CsvImportMixin, admin.ModelAdmin):
    import_function = staticmethod(do_import_stations)
    list_display = ("name", "code", "line_code", "prefecture_code", "is_operating")
    list_filter = ("is_operating", "prefecture_code")
    search_fields = ("name", "code")


@admin.register(TravelAllowanceRate)
class TravelAllowanceRateAdmin(admin.ModelAdmin):
    list_display = ("region", "kind", "grade", "amount", "valid_from", "valid_to")
    list_filter = ("region", "kind", "grade")


@admin.register(EmployeeGrade)
class EmployeeGradeAdmin(admin.ModelAdmin):
    list_display = ("user", "grade")
    list_filter = ("grade",)
    search_fields = ("user__username", "user__name")


@admin.register(CommuterPass)
class CommuterPassAdmin(admin.ModelAdmin):
    list_display = ("user", "from_station", "to_station", "valid_from", "valid_until")
    search_fields = ("user__username", "from_station", "to_station")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written only by the services (they keep the claim totals and audit trail right)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TransitDetail)
class TransitDetailAdmin(ReadOnlyAdmin):
    list_display = ("line", "from_station", "to_station", "mode", "round_trip", "fare_oneway", "pass_deduction",
                    "special_case_note")
    list_filter = ("mode", "pass_deduction", "fare_source")


@admin.register(ImportedIcTrip)
class ImportedIcTripAdmin(ReadOnlyAdmin):
    list_display = ("trip_date", "entry_station", "exit_station", "fare", "user", "source")


@admin.register(BusinessTrip)
class BusinessTripAdmin(ReadOnlyAdmin):
    list_display = ("destination", "start_date", "end_date", "nights", "grade", "per_diem_rate", "lodging_rate")


@admin.register(FavouriteRoute)
class FavouriteRouteAdmin(ReadOnlyAdmin):
    list_display = ("user", "name", "from_station", "to_station", "fare_oneway")
