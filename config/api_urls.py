from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("", include("expenses.api.urls")),
    path("approvals/", include("approvals.api.urls")),
    path("accounting/", include("accounting.api.urls")),
]
