from django.urls import path

from expenses.api import views

urlpatterns = [
    path("claims/", views.ClaimListCreateApi.as_view(), name="api-claim-list"),
    path("claims/<int:claim_id>/", views.ClaimDetailApi.as_view(), name="api-claim-detail"),
    path("claims/<int:claim_id>/submit/", views.ClaimSubmitApi.as_view(), name="api-claim-submit"),
    path("categories/", views.CategoryListApi.as_view(), name="api-category-list"),
]
