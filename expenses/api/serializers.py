from rest_framework import serializers

from expenses.inputs import ClaimInput, LineInput
from expenses.models import Claim, ClaimLine, ExpenseCategory


class LineOutputSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = ClaimLine
        fields = [
            "id", "position", "expense_date", "category", "category_name", "amount", "tax_category", "tax_rate",
            "tax_amount", "vendor", "registration_number", "registration_status", "description", "attendee_count",
            "attendee_names", "includes_external", "project", "payment_method", "no_receipt_reason", "receipt_line",
        ]


class ClaimSummarySerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", default=None, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id", "number", "title", "status", "total_amount", "taxable_10_amount", "tax_10_amount",
            "taxable_8_amount", "tax_8_amount", "other_amount", "line_count", "department_name", "version",
            "created_at", "updated_at", "submitted_at",
        ]


class ClaimDetailSerializer(ClaimSummarySerializer):
    lines = LineOutputSerializer(many=True, read_only=True)

    class Meta(ClaimSummarySerializer.Meta):
        fields = [*ClaimSummarySerializer.Meta.fields, "purpose", "lines"]


class LineInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, allow_null=True)
    expense_date = serializers.DateField()
    category = serializers.IntegerField()
    amount = serializers.IntegerField()
    tax_category = serializers.CharField(required=False, allow_blank=True, default="")
    vendor = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    registration_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    attendee_count = serializers.IntegerField(required=False, allow_null=True, default=None)
    attendee_names = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    includes_external = serializers.BooleanField(required=False, default=False)
    project = serializers.IntegerField(required=False, allow_null=True, default=None)
    payment_method = serializers.CharField(required=False, default=ClaimLine.PaymentMethod.EMPLOYEE)
    no_receipt_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    @staticmethod
    def to_input(d: dict, key: str) -> LineInput:
        return LineInput(
            id=d.get("id"), expense_date=d["expense_date"], category_id=d["category"], amount=d["amount"],
            tax_category=d["tax_category"], vendor=d["vendor"], registration_number=d["registration_number"],
            description=d["description"], attendee_count=d["attendee_count"], attendee_names=d["attendee_names"],
            includes_external=d["includes_external"], project_id=d["project"], payment_method=d["payment_method"],
            no_receipt_reason=d["no_receipt_reason"], key=key,
        )


class ClaimInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100, allow_blank=True)
    purpose = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    lines = LineInputSerializer(many=True, required=False)
    version = serializers.IntegerField(required=False, allow_null=True)

    def to_input(self, *, partial_title: str | None = None) -> ClaimInput:
        d = self.validated_data
        lines = None
        if "lines" in d:
            lines = [LineInputSerializer.to_input(line, f"lines.{i}") for i, line in enumerate(d["lines"])]
        title = d.get("title", partial_title or "")
        return ClaimInput(title=title, purpose=d.get("purpose", ""), lines=lines)


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ExpenseCategory
        fields = ["id", "code", "name", "account_name", "kind", "default_tax_category", "receipt_required",
                  "receipt_required_from", "attendees_required", "hint"]


class ClaimSubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, allow_null=True)
