from django.urls import include, path

from expenses import receipt_views, transit_urls, views

app_name = "expenses"
urlpatterns = [
    path("", views.claim_list, name="claim-list"),
    path("new/", views.claim_new, name="claim-new"),
    path("<int:claim_id>/", views.claim_detail, name="claim-detail"),
    path("<int:claim_id>/edit/", views.claim_edit, name="claim-edit"),
    path("<int:claim_id>/submit/", views.claim_submit, name="claim-submit"),
    path("<int:claim_id>/receipts/", receipt_views.claim_receipts_upload, name="claim-receipts-upload"),
    path("<int:claim_id>/receipts/status/", receipt_views.claim_receipts_status, name="claim-receipts-status"),
    path("receipts/<int:receipt_id>/reread/", receipt_views.receipt_reread, name="receipt-reread"),
    path("receipts/<int:receipt_id>/replace/", receipt_views.receipt_replace, name="receipt-replace"),
    path("receipts/<int:receipt_id>/delete/", receipt_views.receipt_delete, name="receipt-delete"),
    path("receipts/<int:receipt_id>/<str:variant>/", receipt_views.receipt_file, name="receipt-file"),
    path("<int:claim_id>/transit/", include(transit_urls.claim_patterns)),
    path("transit/", include(transit_urls.urlpatterns)),
]
