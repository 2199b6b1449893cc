from django.urls import path

from expenses import views

app_name = "expenses"
urlpatterns = [
    path("", views.claim_list, name="claim-list"),
    path("new/", views.claim_new, name="claim-new"),
    path("<int:claim_id>/", views.claim_detail, name="claim-detail"),
    path("<int:claim_id>/edit/", views.claim_edit, name="claim-edit"),
    path("<int:claim_id>/submit/", views.claim_submit, name="claim-submit"),
]
