from django.urls import path

from accounting.api import views

urlpatterns = [
    path("claims/to-post/", views.ClaimsToPostListApi.as_view(), name="api-accounting-claims-to-post"),
    path("claims/<int:claim_id>/post/", views.ClaimPostApi.as_view(), name="api-accounting-claim-post"),
    path("claims/<int:claim_id>/reverse/", views.ClaimReverseApi.as_view(), name="api-accounting-claim-reverse"),
    path("exports/", views.ExportListCreateApi.as_view(), name="api-accounting-exports"),
    path("exports/<int:batch_id>/", views.ExportDetailApi.as_view(), name="api-accounting-export"),
    path("exports/<int:batch_id>/file/", views.ExportFileApi.as_view(), name="api-accounting-export-file"),
    path("exports/<int:batch_id>/cancel/", views.ExportCancelApi.as_view(), name="api-accounting-export-cancel"),
    path("payments/payable/", views.PayableClaimsListApi.as_view(), name="api-accounting-payable"),
    path("payments/", views.PaymentListCreateApi.as_view(), name="api-accounting-payments"),
    path("payments/<int:batch_id>/", views.PaymentDetailApi.as_view(), name="api-accounting-payment"),
    path("payments/<int:batch_id>/file/", views.PaymentFileApi.as_view(), name="api-accounting-payment-file"),
    path("payments/<int:batch_id>/paid/", views.PaymentMarkPaidApi.as_view(), name="api-accounting-payment-paid"),
]
