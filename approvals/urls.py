from django.urls import path

from approvals import views

app_name = "approvals"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk-approve/", views.bulk_approve, name="bulk-approve"),
    path("claims/<int:claim_id>/", views.claim_review, name="claim-review"),
    path("claims/<int:claim_id>/withdraw/", views.claim_withdraw, name="claim-withdraw"),
    path("steps/<int:step_id>/approve/", views.step_approve, name="step-approve"),
    path("steps/<int:step_id>/return/", views.step_return, name="step-return"),
    path("steps/<int:step_id>/reject/", views.step_reject, name="step-reject"),
    path("steps/<int:step_id>/lines/<int:line_id>/correct/", views.line_correct, name="line-correct"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:delegation_id>/end/", views.delegation_end, name="delegation-end"),
]
