"""Claims API for the signed-in employee. One APIView per operation; each calls one service or selector."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import StandardPagination
from expenses.api.serializers import (
    CategorySerializer,
    ClaimDetailSerializer,
    ClaimInputSerializer,
    ClaimSubmitSerializer,
    ClaimSummarySerializer,
    LineOutputSerializer,
)
from expenses.models import ExpenseCategory
from expenses.selectors import access_claim, get_claim_lines, list_claims_for_user
from expenses.services.claims import check_create_claim, check_submit_claim, check_update_claim


def _detail(claim) -> dict:
    data = dict(ClaimSummarySerializer(claim).data)
    data["purpose"] = claim.purpose
    data["lines"] = LineOutputSerializer(get_claim_lines(claim), many=True).data
    return data


class ClaimListCreateApi(APIView):
    @extend_schema(responses=ClaimSummarySerializer(many=True))
    def get(self, request):
        claims = list_claims_for_user(request.user, status=request.query_params.get("status") or None,
                                      query=request.query_params.get("q") or None)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(claims, request, view=self)
        return paginator.get_paginated_response(ClaimSummarySerializer(page, many=True).data)

    @extend_schema(request=ClaimInputSerializer, responses={201: ClaimDetailSerializer})
    def post(self, request):
        serializer = ClaimInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = check_create_claim(acting_user=request.user, data=serializer.to_input())
        return Response(_detail(claim), status=status.HTTP_201_CREATED)


class ClaimDetailApi(APIView):
    @extend_schema(responses=ClaimDetailSerializer)
    def get(self, request, claim_id: int):
        return Response(_detail(access_claim(request.user, claim_id)))

    @extend_schema(request=ClaimInputSerializer, responses=ClaimDetailSerializer)
    def put(self, request, claim_id: int):
        return self._update(request, claim_id, partial=False)

    @extend_schema(request=ClaimInputSerializer, responses=ClaimDetailSerializer)
    def patch(self, request, claim_id: int):
        return self._update(request, claim_id, partial=True)

    def _update(self, request, claim_id: int, *, partial: bool):
        claim = access_claim(request.user, claim_id)
        serializer = ClaimInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.to_input(partial_title=claim.title)
        if partial and "purpose" not in serializer.validated_data:
            data.purpose = claim.purpose
        claim = check_update_claim(claim.pk, acting_user=request.user, data=data,
                                   expected_version=serializer.validated_data.get("version"))
        return Response(_detail(claim))


class ClaimSubmitApi(APIView):
    @extend_schema(request=ClaimSubmitSerializer, responses=ClaimDetailSerializer)
    def post(self, request, claim_id: int):
        serializer = ClaimSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = check_submit_claim(claim_id, acting_user=request.user,
                                   expected_version=serializer.validated_data.get("version"))
        return Response(_detail(claim))


class CategoryListApi(APIView):
    @extend_schema(responses=CategorySerializer(many=True))
    def get(self, request):
        return Response(CategorySerializer(ExpenseCategory.objects.filter(is_active=True), many=True).data)
