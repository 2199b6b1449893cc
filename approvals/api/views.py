"""Approvals API: the queue and every action. One APIView per operation; each calls one service or selector."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals import services
from approvals.api.serializers import (
    BulkApproveSerializer,
    BulkResultSerializer,
    CommentSerializer,
    CorrectionSerializer,
    CorrectLineSerializer,
    DelegationInputSerializer,
    DelegationSerializer,
    QueueItemSerializer,
    ReturnSerializer,
    StepSerializer,
)
from approvals.models import Delegation
from approvals.selectors import (
    SORTS,
    access_claim_for_review,
    attach_warnings,
    get_corrections,
    get_route,
    list_pending_steps_for_approver,
)
from core.api import StandardPagination
from expenses.api.serializers import ClaimSummarySerializer, LineOutputSerializer
from expenses.selectors import get_claim_lines


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ApprovalQueueApi(APIView):
    @extend_schema(responses=QueueItemSerializer(many=True))
    def get(self, request):
        params = request.query_params
        sort = params.get("sort") or "age"
        steps = list_pending_steps_for_approver(
            request.user, query=(params.get("q") or "")[:100], department_id=_int(params.get("department")),
            warning=params.get("warning") or "", accounting_only=params.get("stage") == "accounting",
            sort=sort if sort in SORTS else "age",
        )
        paginator = StandardPagination()
        page = paginator.paginate_queryset(steps, request, view=self)
        attach_warnings(page)
        return paginator.get_paginated_response(QueueItemSerializer(page, many=True).data)


def _review_payload(claim) -> dict:
    data = dict(ClaimSummarySerializer(claim).data)
    data["lines"] = LineOutputSerializer(get_claim_lines(claim), many=True).data
    data["steps"] = StepSerializer(get_route(claim), many=True).data
    data["corrections"] = CorrectionSerializer(get_corrections(claim), many=True).data
    return data


class ApprovalClaimDetailApi(APIView):
    def get(self, request, claim_id: int):
        return Response(_review_payload(access_claim_for_review(request.user, claim_id)))


def _step_action(request, step_id: int, serializer_class, service) -> Response:
    """Validate the body, call the one service for the action, answer with the step."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    step = service(step_id, acting_user=request.user, **serializer.validated_data)
    return Response(StepSerializer(step).data)


class ApprovalStepApproveApi(APIView):
    @extend_schema(request=CommentSerializer, responses=StepSerializer)
    def post(self, request, step_id: int):
        return _step_action(request, step_id, CommentSerializer, services.check_approve_step)


class ApprovalStepReturnApi(APIView):
    @extend_schema(request=ReturnSerializer, responses=StepSerializer)
    def post(self, request, step_id: int):
        return _step_action(request, step_id, ReturnSerializer, services.check_return_claim)


class ApprovalStepRejectApi(APIView):
    @extend_schema(request=CommentSerializer, responses=StepSerializer)
    def post(self, request, step_id: int):
        return _step_action(request, step_id, CommentSerializer, services.check_reject_claim)


class ApprovalLineCorrectApi(APIView):
    @extend_schema(request=CorrectLineSerializer, responses=LineOutputSerializer)
    def post(self, request, step_id: int, line_id: int):
        serializer = CorrectLineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = services.check_correct_line(step_id, line_id, acting_user=request.user, **serializer.validated_data)
        return Response(LineOutputSerializer(line).data)


class ApprovalBulkApproveApi(APIView):
    @extend_schema(request=BulkApproveSerializer, responses=BulkResultSerializer(many=True))
    def post(self, request):
        serializer = BulkApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        results = services.check_bulk_approve(serializer.validated_data["step_ids"], acting_user=request.user,
                                              comment=serializer.validated_data["comment"])
        return Response({"results": BulkResultSerializer(results, many=True).data})


class ClaimWithdrawApi(APIView):
    @extend_schema(request=CommentSerializer, responses=ClaimSummarySerializer)
    def post(self, request, claim_id: int):
        serializer = CommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = services.check_withdraw_claim(claim_id, acting_user=request.user, **serializer.validated_data)
        return Response(ClaimSummarySerializer(claim).data)


class DelegationListCreateApi(APIView):
    @extend_schema(responses=DelegationSerializer(many=True))
    def get(self, request):
        rows = (Delegation.objects.filter(approver=request.user, valid_to__gte=timezone.localdate())
                .select_related("approver", "delegate"))
        return Response(DelegationSerializer(rows, many=True).data)

    @extend_schema(request=DelegationInputSerializer, responses={201: DelegationSerializer})
    def post(self, request):
        serializer = DelegationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        delegation = services.check_set_delegation(acting_user=request.user, **serializer.validated_data)
        return Response(DelegationSerializer(delegation).data, status=status.HTTP_201_CREATED)
