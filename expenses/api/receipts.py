"""Receipts API: upload, status and extracted fields, read again, and the permission-checked download."""

from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import NotFoundOrForbidden
from expenses.models import Receipt
from expenses.selectors import access_receipt
from expenses.services.receipts import check_reread_receipt, check_upload_receipts


class ReceiptSerializer(serializers.ModelSerializer):
    fields_read = serializers.SerializerMethodField()

    class Meta:
        model = Receipt
        fields = ["id", "claim", "line", "original_name", "mime", "size_bytes", "width", "height", "dpi",
                  "sha256", "kind", "ocr_status", "ocr_error", "uploaded_at", "fields_read"]

    def get_fields_read(self, receipt: Receipt) -> dict | None:
        return receipt.ocr_result if receipt.ocr_status == Receipt.OcrStatus.DONE else None


class ReceiptUploadSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False)
    line = serializers.IntegerField(required=False, allow_null=True)


class ClaimReceiptUploadApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": ReceiptUploadSerializer}, responses={201: ReceiptSerializer(many=True)})
    def post(self, request, claim_id: int):
        serializer = ReceiptUploadSerializer(data={"files": request.FILES.getlist("files"),
                                                   "line": request.data.get("line") or None})
        serializer.is_valid(raise_exception=True)
        results = check_upload_receipts(claim_id, serializer.validated_data["files"], acting_user=request.user,
                                        line_id=serializer.validated_data.get("line"))
        return Response(ReceiptSerializer([r.receipt for r in results], many=True).data,
                        status=status.HTTP_201_CREATED)


class ReceiptDetailApi(APIView):
    @extend_schema(responses=ReceiptSerializer)
    def get(self, request, receipt_id: int):
        return Response(ReceiptSerializer(access_receipt(request.user, receipt_id)).data)


class ReceiptRereadApi(APIView):
    @extend_schema(request=None, responses=ReceiptSerializer)
    def post(self, request, receipt_id: int):
        return Response(ReceiptSerializer(check_reread_receipt(receipt_id, acting_user=request.user)).data)


class ReceiptFileApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, receipt_id: int):
        try:
            receipt = access_receipt(request.user, receipt_id)
        except NotFoundOrForbidden as exc:
            raise Http404 from exc
        response = FileResponse(receipt.original.open("rb"), content_type=receipt.mime, as_attachment=True,
                                filename=receipt.original_name)
        response["Cache-Control"] = "private, no-store"
        return response
