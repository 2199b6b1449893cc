from django.urls import path

from accounting import views

app_name = "accounting"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("receipts/", views.receipt_search, name="receipt-search"),
    path("claims/<int:claim_id>/post/", views.claim_post, name="claim-post"),
    path("claims/<int:claim_id>/pdf/", views.claim_pdf, name="claim-pdf"),
    path("exports/", views.export_list, name="exports"),
    path("exports/<int:batch_id>/", views.export_detail, name="export-detail"),
    path("exports/<int:batch_id>/download/", views.export_download, name="export-download"),
    path("exports/<int:batch_id>/cancel/", views.export_cancel, name="export-cancel"),
    path("payments/", views.payment_list, name="payments"),
    path("payments/<int:batch_id>/", views.payment_detail, name="payment-detail"),
    path("payments/<int:batch_id>/download/", views.payment_download, name="payment-download"),
    path("payments/<int:batch_id>/paid/", views.payment_mark_paid, name="payment-paid"),
]
