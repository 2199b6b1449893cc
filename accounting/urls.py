from django.urls import path

from accounting import views

app_name = "accounting"
urlpatterns = [
    path("receipts/", views.receipt_search, name="receipt-search"),
]
