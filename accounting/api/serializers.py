from rest_framework import serializers

from accounting.models import ExportBatch, ExportFormat, JournalEntry, JournalLine, PaymentBatch


class JournalLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = JournalLine
        fields = ["position", "side", "account_code", "account_name", "sub_account", "department", "tax_code",
                  "amount", "tax_amount", "memo", "special_case", "special_case_note", "registration_number",
                  "claim_line", "receipt_id"]


class JournalEntrySerializer(serializers.ModelSerializer):
    lines = JournalLineSerializer(many=True, read_only=True)
    claim_number = serializers.CharField(source="claim.number", read_only=True)
    export_batch = serializers.SerializerMethodField()

    class Meta:
        model = JournalEntry
        fields = ["id", "kind", "claim", "claim_number", "revision", "entry_date", "description", "debit_total",
                  "credit_total", "reverses", "export_batch", "payment_batch", "created_at", "lines"]

    def get_export_batch(self, entry: JournalEntry) -> int | None:
        item = getattr(entry, "export_item", None)  # a single-entry response: one extra query at most
        return item.batch_id if item else None


class ClaimQueueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    applicant = serializers.CharField(source="applicant.display_name")
    total_amount = serializers.IntegerField()
    status = serializers.CharField()


class ExportInputSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=[*ExportFormat.values, "mf"])
    period_from = serializers.DateField()
    period_to = serializers.DateField()


class ExportBatchSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ExportBatch
        fields = ["id", "format", "period_from", "period_to", "status", "entry_count", "line_count", "progress",
                  "percent", "file_name", "file_size", "sha256", "substitutions", "error", "created_at",
                  "finished_at", "cancelled_at"]


class PaymentInputSerializer(serializers.Serializer):
    claim_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    transfer_date = serializers.DateField()


class PaymentBatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = PaymentBatch
        fields = ["id", "transfer_date", "status", "item_count", "total_amount", "file_name", "sha256",
                  "created_at", "paid_at"]


class ReverseInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    repost = serializers.BooleanField(required=False, default=True)
