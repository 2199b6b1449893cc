"""Transit pages, mounted twice from expenses/urls.py: per claim, and per employee."""

from django.urls import path

from expenses import transit_views as views

claim_patterns = [
    path("", views.transit_new, name="transit-new"),
    path("ic/", views.ic_import, name="transit-ic-import"),
    path("trip/", views.business_trip_new, name="transit-business-trip"),
    path("repeat/", views.transit_repeat, name="transit-repeat"),
    path("favourites/<int:favourite_id>/use/", views.favourite_use, name="transit-favourite-use"),
]

urlpatterns = [
    path("passes/", views.commuter_passes, name="transit-passes"),
    path("passes/<int:pass_id>/delete/", views.commuter_pass_delete, name="transit-pass-delete"),
    path("favourites/<int:favourite_id>/delete/", views.favourite_delete, name="transit-favourite-delete"),
    path("stations/", views.stations_json, name="transit-stations"),
    path("fare/", views.fare_json, name="transit-fare"),
]
