"""Accounting API: confirmation (posting), exports and payments. Non-accounting users get 404."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounting import selectors, services
from accounting.api.serializers import (
    ClaimQueueSerializer,
    ExportBatchSerializer,
    ExportInputSerializer,
    JournalEntrySerializer,
    PaymentBatchSerializer,
    PaymentInputSerializer,
    ReverseInputSerializer,
)
from accounting.downloads import export_file_response, payment_file_response
from core.api import StandardPagination


def _page(view, request, queryset, serializer_class):
    paginator = StandardPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


class ClaimsToPostListApi(APIView):
    @extend_schema(responses=ClaimQueueSerializer(many=True))
    def get(self, request):
        selectors.require_accounting(request.user)
        return _page(self, request, selectors.list_claims_to_post(), ClaimQueueSerializer)


class ClaimPostApi(APIView):
    @extend_schema(request=None, responses={201: JournalEntrySerializer})
    def post(self, request, claim_id: int):
        entry = services.check_post_claim(claim_id, acting_user=request.user)
        return Response(JournalEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class ClaimReverseApi(APIView):
    @extend_schema(request=ReverseInputSerializer, responses={201: JournalEntrySerializer})
    def post(self, request, claim_id: int):
        data = ReverseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.check_reverse_claim(claim_id, acting_user=request.user, **data.validated_data)
        return Response(JournalEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class ExportListCreateApi(APIView):
    @extend_schema(responses=ExportBatchSerializer(many=True))
    def get(self, request):
        selectors.require_accounting(request.user)
        return _page(self, request, selectors.list_export_batches(), ExportBatchSerializer)

    @extend_schema(request=ExportInputSerializer, responses={201: ExportBatchSerializer})
    def post(self, request):
        selectors.require_accounting(request.user)
        data = ExportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.check_export_journal(fmt=data.validated_data["format"], acting_user=request.user,
                                              period_from=data.validated_data["period_from"],
                                              period_to=data.validated_data["period_to"])
        return Response(ExportBatchSerializer(batch).data, status=status.HTTP_201_CREATED)


class ExportDetailApi(APIView):
    @extend_schema(responses=ExportBatchSerializer)
    def get(self, request, batch_id: int):
        return Response(ExportBatchSerializer(selectors.access_export_batch(request.user, batch_id)).data)


class ExportFileApi(APIView):
    @extend_schema(responses={(200, "text/csv"): bytes})
    def get(self, request, batch_id: int):
        return export_file_response(selectors.access_export_batch(request.user, batch_id))


class ExportCancelApi(APIView):
    @extend_schema(request=None, responses=ExportBatchSerializer)
    def post(self, request, batch_id: int):
        return Response(ExportBatchSerializer(services.check_cancel_export(batch_id, acting_user=request.user)).data)


class PayableClaimsListApi(APIView):
    @extend_schema(responses=ClaimQueueSerializer(many=True))
    def get(self, request):
        selectors.require_accounting(request.user)
        return _page(self, request, selectors.list_payable_claims(), ClaimQueueSerializer)


class PaymentListCreateApi(APIView):
    @extend_schema(responses=PaymentBatchSerializer(many=True))
    def get(self, request):
        selectors.require_accounting(request.user)
        return _page(self, request, selectors.list_payment_batches(), PaymentBatchSerializer)

    @extend_schema(request=PaymentInputSerializer, responses={201: PaymentBatchSerializer})
    def post(self, request):
        selectors.require_accounting(request.user)
        data = PaymentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.check_create_payment_batch(claim_ids=data.validated_data["claim_ids"],
                                                    transfer_date=data.validated_data["transfer_date"],
                                                    acting_user=request.user)
        return Response(PaymentBatchSerializer(batch).data, status=status.HTTP_201_CREATED)


class PaymentDetailApi(APIView):
    @extend_schema(responses=PaymentBatchSerializer)
    def get(self, request, batch_id: int):
        return Response(PaymentBatchSerializer(selectors.access_payment_batch(request.user, batch_id)).data)


class PaymentFileApi(APIView):
    @extend_schema(responses={(200, "text/plain"): bytes})
    def get(self, request, batch_id: int):
        return payment_file_response(selectors.access_payment_batch(request.user, batch_id))


class PaymentMarkPaidApi(APIView):
    @extend_schema(request=None, responses=PaymentBatchSerializer)
    def post(self, request, batch_id: int):
        return Response(PaymentBatchSerializer(services.check_mark_batch_paid(batch_id, acting_user=request.user)).data)
