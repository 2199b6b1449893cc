from django.urls import path

from people import views

app_name = "people"
urlpatterns = [
    path("bank-account/", views.bank_account, name="bank-account"),
    path("bank-account/lookup/", views.bank_lookup, name="bank-lookup"),
]
