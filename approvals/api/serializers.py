from rest_framework import serializers

from approvals.models import ApprovalStep, LineCorrection


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class QueueItemSerializer(serializers.ModelSerializer):
    claim_id = serializers.IntegerField()
    number = serializers.CharField(source="claim.number")
    title = serializers.CharField(source="claim.title")
    applicant = UserBriefSerializer(source="claim.applicant")
    department = serializers.CharField(source="claim.department.name", default="")
    total_amount = serializers.IntegerField(source="claim.total_amount")
    submitted_at = serializers.DateTimeField(source="claim.submitted_at")
    approver = UserBriefSerializer(allow_null=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalStep
        fields = ["id", "claim_id", "number", "title", "applicant", "department", "total_amount", "submitted_at",
                  "name", "approver", "is_accounting_check", "activated_at", "reminder_count", "warnings"]

    def get_warnings(self, step) -> list[str]:
        names = {"warn_missing_receipt": "missing_receipt", "warn_duplicate": "duplicate",
                 "warn_entertainment": "entertainment_over_limit", "warn_commuter_pass": "commuter_pass_overlap"}
        return [label for attr, label in names.items() if getattr(step, attr, False)]


class StepSerializer(serializers.ModelSerializer):
    approver = UserBriefSerializer(allow_null=True)
    approver_group = serializers.CharField(source="approver_group.name", default=None)
    acted_by = UserBriefSerializer(allow_null=True)
    acted_for = UserBriefSerializer(allow_null=True)

    class Meta:
        model = ApprovalStep
        fields = ["id", "round", "order", "name", "status", "approver", "approver_group", "is_accounting_check",
                  "activated_at", "acted_by", "acted_for", "acted_at", "comment", "note", "reminder_count"]


class CorrectionSerializer(serializers.ModelSerializer):
    corrected_by = UserBriefSerializer()
    corrected_for = UserBriefSerializer(allow_null=True)

    class Meta:
        model = LineCorrection
        fields = ["id", "line_id", "field", "from_label", "to_label", "corrected_by", "corrected_for", "comment",
                  "created_at"]


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    to_step_id = serializers.IntegerField(required=False, allow_null=True, default=None)


class CorrectLineSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    approved_amount = serializers.IntegerField(required=False, allow_null=True, default=None)
    approved_category_id = serializers.IntegerField(required=False, allow_null=True, default=None)


class BulkApproveSerializer(serializers.Serializer):
    step_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, max_length=200)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class BulkResultSerializer(serializers.Serializer):
    step_id = serializers.IntegerField()
    claim_id = serializers.IntegerField(allow_null=True)
    number = serializers.CharField()
    ok = serializers.BooleanField()
    message = serializers.CharField()


class DelegationInputSerializer(serializers.Serializer):
    delegate_id = serializers.IntegerField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()


class DelegationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    approver = UserBriefSerializer()
    delegate = UserBriefSerializer()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
