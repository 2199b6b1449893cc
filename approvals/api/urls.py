from django.urls import path

from approvals.api import views

urlpatterns = [
    path("queue/", views.ApprovalQueueApi.as_view(), name="api-approval-queue"),
    path("bulk-approve/", views.ApprovalBulkApproveApi.as_view(), name="api-approval-bulk-approve"),
    path("claims/<int:claim_id>/", views.ApprovalClaimDetailApi.as_view(), name="api-approval-claim"),
    path("claims/<int:claim_id>/withdraw/", views.ClaimWithdrawApi.as_view(), name="api-claim-withdraw"),
    path("steps/<int:step_id>/approve/", views.ApprovalStepApproveApi.as_view(), name="api-step-approve"),
    path("steps/<int:step_id>/return/", views.ApprovalStepReturnApi.as_view(), name="api-step-return"),
    path("steps/<int:step_id>/reject/", views.ApprovalStepRejectApi.as_view(), name="api-step-reject"),
    path("steps/<int:step_id>/lines/<int:line_id>/correct/", views.ApprovalLineCorrectApi.as_view(),
         name="api-line-correct"),
    path("delegations/", views.DelegationListCreateApi.as_view(), name="api-delegations"),
]
