from django.urls import include, path

from expenses.api import receipts, views

urlpatterns = [
    path("claims/", views.ClaimListCreateApi.as_view(), name="api-claim-list"),
    path("claims/<int:claim_id>/", views.ClaimDetailApi.as_view(), name="api-claim-detail"),
    path("claims/<int:claim_id>/submit/", views.ClaimSubmitApi.as_view(), name="api-claim-submit"),
    path("claims/<int:claim_id>/receipts/", receipts.ClaimReceiptUploadApi.as_view(), name="api-claim-receipts"),
    path("receipts/<int:receipt_id>/", receipts.ReceiptDetailApi.as_view(), name="api-receipt-detail"),
    path("receipts/<int:receipt_id>/reread/", receipts.ReceiptRereadApi.as_view(), name="api-receipt-reread"),
    path("receipts/<int:receipt_id>/file/", receipts.ReceiptFileApi.as_view(), name="api-receipt-file"),
    path("categories/", views.CategoryListApi.as_view(), name="api-category-list"),
    path("", include("expenses.api.transit")),
]
