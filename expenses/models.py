"""Expense claims (精算書), their lines, categories and the dated data the rules read."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from approvals.transitions import EDITABLE_STATUSES, ClaimStatus
from core.models import TimeStampedModel


class TaxCategory(models.TextChoices):
    STANDARD = "standard", _("課税 10%")
    REDUCED = "reduced", _("課税 8%（軽減）")
    NON_TAXABLE = "non_taxable", _("非課税")
    OUT_OF_SCOPE = "out_of_scope", _("対象外（不課税）")


TAXABLE_CATEGORIES = frozenset({TaxCategory.STANDARD, TaxCategory.REDUCED})


class TaxRate(models.Model):
    """Consumption-tax rates by date (R6.1): rates are data, not constants."""

    tax_category = models.CharField(_("税区分"), max_length=12, choices=TaxCategory.choices)
    percent = models.PositiveSmallIntegerField(_("税率（%）"))
    valid_from = models.DateField(_("適用開始日"))
    valid_to = models.DateField(_("適用終了日"), null=True, blank=True)

    class Meta:
        verbose_name = _("消費税率")
        verbose_name_plural = _("消費税率")
        ordering = ["tax_category", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="taxrate_valid_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_tax_category_display()} {self.percent}% ({self.valid_from}〜)"


class DatedLimit(models.Model):
    """A yen threshold with an effective-date range (e.g. the 交際費 ¥10,000-per-person rule, R8.1)."""

    class Key(models.TextChoices):
        ENTERTAINMENT_PER_PERSON = "entertainment_per_person", _("交際費から除かれる飲食費の1人あたり上限")

    key = models.CharField(_("項目"), max_length=40, choices=Key.choices)
    amount = models.BigIntegerField(_("金額（円）"))
    valid_from = models.DateField(_("適用開始日"))
    valid_to = models.DateField(_("適用終了日"), null=True, blank=True)

    class Meta:
        verbose_name = _("日付別の上限額")
        verbose_name_plural = _("日付別の上限額")
        ordering = ["key", "valid_from"]

    def __str__(self) -> str:
        return f"{self.get_key_display()} ¥{self.amount:,} ({self.valid_from}〜)"


class ExpenseCategory(models.Model):
    """経費科目: account, default tax, and what a line of this category must carry."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("一般")
        TRANSIT = "transit", _("交通費（電車・バス）")
        TAXI = "taxi", _("タクシー")
        TRAVEL = "travel", _("出張（宿泊・日当）")
        OVERSEAS_TRAVEL = "overseas_travel", _("海外出張")
        COMMUTING = "commuting", _("通勤費")
        MEETING = "meeting", _("会議費")
        ENTERTAINMENT = "entertainment", _("交際費")

    code = models.CharField(_("科目コード"), max_length=20, unique=True)
    name = models.CharField(_("経費科目"), max_length=50)
    account_code = models.CharField(_("勘定科目コード"), max_length=20)
    account_name = models.CharField(_("勘定科目"), max_length=50)
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices, default=Kind.GENERAL)
    default_tax_category = models.CharField(
        _("既定の税区分"), max_length=12, choices=TaxCategory.choices, default=TaxCategory.STANDARD
    )
    receipt_required = models.BooleanField(_("領収書必須"), default=True)
    receipt_required_from = models.BigIntegerField(
        _("領収書が必要になる金額（円以上）"),
        null=True,
        blank=True,
        help_text=_("空欄なら金額にかかわらず必要です。"),
    )
    attendees_required = models.BooleanField(_("参加者の入力が必要"), default=False)
    hint = models.CharField(_("入力のヒント"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("表示順"), default=100)
    is_active = models.BooleanField(_("有効"), default=True)

    class Meta:
        verbose_name = _("経費科目")
        verbose_name_plural = _("経費科目")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def needs_receipt(self, amount: int) -> bool:
        if not self.receipt_required:
            return False
        return self.receipt_required_from is None or amount >= self.receipt_required_from


class Project(models.Model):
    """A project or cost centre a line may be charged to."""

    code = models.CharField(_("コード"), max_length=20, unique=True)
    name = models.CharField(_("プロジェクト・コストセンター"), max_length=100)
    is_active = models.BooleanField(_("有効"), default=True)

    class Meta:
        verbose_name = _("プロジェクト・コストセンター")
        verbose_name_plural = _("プロジェクト・コストセンター")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ClaimNumberSequence(models.Model):
    """Per-year counter behind human claim numbers (EX-2026-000123)."""

    year = models.PositiveIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


class Claim(TimeStampedModel):
    number = models.CharField(_("申請番号"), max_length=30, unique=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申請者"), on_delete=models.PROTECT, related_name="claims"
    )
    department = models.ForeignKey(
        "people.Department",
        verbose_name=_("申請部門"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        help_text=_("提出時点の所属部門"),
    )
    title = models.CharField(_("件名"), max_length=100)
    purpose = models.TextField(_("目的・備考"), max_length=1000, blank=True)
    status = models.CharField(_("状態"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    total_amount = models.BigIntegerField(_("合計金額"), default=0)
    taxable_10_amount = models.BigIntegerField(_("10%対象"), default=0)
    tax_10_amount = models.BigIntegerField(_("うち消費税（10%）"), default=0)
    taxable_8_amount = models.BigIntegerField(_("8%対象（軽減）"), default=0)
    tax_8_amount = models.BigIntegerField(_("うち消費税（8%）"), default=0)
    other_amount = models.BigIntegerField(_("非課税・対象外"), default=0)
    line_count = models.PositiveIntegerField(_("明細数"), default=0)
    version = models.PositiveIntegerField(_("版"), default=1)
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("精算書")
        verbose_name_plural = _("精算書")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="claim_applicant_created"),
            models.Index(fields=["status"], name="claim_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="claim_total_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class ClaimLine(TimeStampedModel):
    class PaymentMethod(models.TextChoices):
        EMPLOYEE = "employee", _("立替（本人支払）")
        CORPORATE_CARD = "corporate_card", _("法人カード")
        COMPANY_INVOICE = "company_invoice", _("会社請求")

    class RegistrationStatus(models.TextChoices):
        NONE = "", _("未入力")
        OK = "ok", _("形式・チェックデジットOK")
        WARNING = "warning", _("要確認")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines", verbose_name=_("精算書"))
    position = models.PositiveIntegerField(_("行番号"), default=0)
    # Date, category and amount may be empty on a draft line created from a receipt before OCR or the
    # employee fills them; submission requires them.
    expense_date = models.DateField(_("利用日"), null=True, blank=True)
    category = models.ForeignKey(
        ExpenseCategory, verbose_name=_("経費科目"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="lines",
    )
    amount = models.BigIntegerField(_("金額（税込）"), null=True, blank=True)
    tax_category = models.CharField(_("税区分"), max_length=12, choices=TaxCategory.choices)
    tax_rate = models.PositiveSmallIntegerField(_("税率（%）"), default=0)
    tax_amount = models.BigIntegerField(_("消費税額"), default=0)
    vendor = models.CharField(_("支払先"), max_length=100, blank=True)
    registration_number = models.CharField(_("登録番号"), max_length=14, blank=True)
    registration_number_raw = models.CharField(_("登録番号（入力値）"), max_length=40, blank=True)
    registration_status = models.CharField(
        _("登録番号の確認"), max_length=10, choices=RegistrationStatus.choices, blank=True, default=""
    )
    description = models.CharField(_("内容"), max_length=500, blank=True)
    attendee_count = models.PositiveIntegerField(_("参加人数（本人含む）"), null=True, blank=True)
    attendee_names = models.TextField(_("参加者（会社名・氏名）"), max_length=2000, blank=True)
    includes_external = models.BooleanField(_("社外の参加者を含む"), default=False)
    project = models.ForeignKey(
        Project, verbose_name=_("プロジェクト"), null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    payment_method = models.CharField(
        _("支払方法"), max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.EMPLOYEE
    )
    no_receipt_reason = models.CharField(_("領収書がない理由"), max_length=200, blank=True)
    ocr_filled_fields = models.JSONField(_("OCRで入力した項目"), default=list, blank=True)
    # A receipt with both 10% and 8% items is claimed as one line per rate (R6.2, R6.5); the extra lines
    # point at the line that holds the receipt.
    receipt_line = models.ForeignKey(
        "self", verbose_name=_("領収書を共有する明細"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="rate_lines",
    )
    # Approver corrections (domain: approve-by-reduction only). The original values above stay as claimed.
    approved_amount = models.BigIntegerField(_("承認金額"), null=True, blank=True)
    approved_category = models.ForeignKey(
        ExpenseCategory,
        verbose_name=_("承認時の経費科目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("明細")
        verbose_name_plural = _("明細")
        ordering = ["claim_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0), name="line_amount_gt_0"),
            models.CheckConstraint(condition=Q(tax_amount__gte=0), name="line_tax_gte_0"),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True) | (Q(approved_amount__gte=0) & Q(approved_amount__lte=F("amount"))),
                name="line_approved_le_amount",
            ),
        ]

    def __str__(self) -> str:
        amount = f"¥{self.amount:,}" if self.amount is not None else "—"
        return f"{self.expense_date or '—'} {self.category or '—'} {amount}"

    @property
    def is_taxable(self) -> bool:
        return self.tax_category in TAXABLE_CATEGORIES

    def evidence_receipts(self) -> list:
        """Current receipts evidencing this line: its own, or those of the line its receipt is on."""
        source = self.receipt_line if self.receipt_line_id else self
        return [receipt for receipt in source.receipts.all() if receipt.is_current]

    @property
    def effective_amount(self) -> int:
        """What is reimbursed: the approver's reduced amount when there is one."""
        return (self.amount or 0) if self.approved_amount is None else self.approved_amount


def rate_for(tax_category: str, on_date: datetime.date | None, rates: list[TaxRate]) -> int:
    """The percent in force for a taxable category on a date; 0 for non-taxable lines."""
    if tax_category not in TAXABLE_CATEGORIES:
        return 0
    on_date = on_date or datetime.date.today()  # an undated draft line previews at today's rate
    for rate in rates:
        if rate.tax_category == tax_category and rate.valid_from <= on_date and (
            rate.valid_to is None or on_date <= rate.valid_to
        ):
            return rate.percent
    raise LookupError(f"no tax rate for {tax_category} on {on_date}")


from expenses.receipt_models import Receipt, ReceiptEvent  # noqa: E402  (registers the receipt models)
from expenses.transit_models import (  # noqa: E402  (registers the transit models)
    BusinessTrip,
    CommuterPass,
    EmployeeGrade,
    FavouriteRoute,
    ImportedIcTrip,
    RouteMaster,
    Station,
    TransitDetail,
    TravelAllowanceRate,
)

__all__ = [
    "BusinessTrip",
    "Claim",
    "ClaimLine",
    "ClaimNumberSequence",
    "CommuterPass",
    "DatedLimit",
    "EmployeeGrade",
    "ExpenseCategory",
    "FavouriteRoute",
    "ImportedIcTrip",
    "Project",
    "Receipt",
    "ReceiptEvent",
    "RouteMaster",
    "Station",
    "TaxCategory",
    "TaxRate",
    "TransitDetail",
    "TravelAllowanceRate",
    "rate_for",
]
