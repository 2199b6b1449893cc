"""Cross-cutting models: the timestamp base and the company's settings (domain.md §16)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.money import Rounding


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        abstract = True


class CompanySettings(models.Model):
    """One row: the company's choices that the rules need. Edited by admins, read by services."""

    class PostingStyle(models.TextChoices):
        ACCRUAL = "accrual", _("確認時に計上（計上仕訳＋支払仕訳）")
        PAYMENT_ONLY = "payment_only", _("支払時に計上（支払仕訳のみ）")

    class JournalDatePolicy(models.TextChoices):
        POSTING = "posting", _("計上日")
        TRANSACTION = "transaction", _("取引日")

    class TaxAccounting(models.TextChoices):
        INCLUSIVE = "inclusive", _("税込経理")
        EXCLUSIVE = "exclusive", _("税抜経理")

    name = models.CharField(_("会社名"), max_length=100, default="株式会社サンプル")
    tax_rounding = models.CharField(
        _("消費税の端数処理"),
        max_length=10,
        choices=[(Rounding.FLOOR, _("切捨て")), (Rounding.HALF_UP, _("四捨五入")), (Rounding.CEIL, _("切上げ"))],
        default=Rounding.FLOOR,
    )
    tax_accounting = models.CharField(
        _("経理方式"), max_length=10, choices=TaxAccounting.choices, default=TaxAccounting.INCLUSIVE
    )
    # R4.1/R4.4: 少額特例 eligibility is entered per fiscal year (comma-separated start years, e.g. "2025,2026")
    fiscal_year_start_month = models.PositiveSmallIntegerField(_("事業年度の開始月"), default=4)
    small_amount_eligible_years = models.CharField(
        _("少額特例の適用事業年度"), max_length=200, blank=True,
        help_text=_("少額特例の要件を満たす事業年度の開始年をカンマ区切りで入力します（例: 2025,2026）。"),
    )
    apply_travel_special_to_actual_cost = models.BooleanField(
        _("実費精算の出張旅費にも出張旅費等特例を適用"), default=True
    )  # R3.7
    deduction_schedule = models.CharField(
        _("経過措置の控除割合表"), max_length=40, default="current_law",
        help_text=_("current_law（現行法）または r8_reform_outline（令和8年度改正大綱）など。"),
    )  # R2.2
    deduction_schedule_from = models.DateField(
        _("控除割合表の適用開始日"), null=True, blank=True,
        help_text=_("この日より前の取引には現行法（current_law）の表を使います。"),
    )  # R2.4
    posting_style = models.CharField(
        _("仕訳の計上方法"), max_length=14, choices=PostingStyle.choices, default=PostingStyle.ACCRUAL,
        help_text=_("支払時に計上: 立替分は振込時に「費用／普通預金」で計上します。法人カード・会社請求の明細は確認時に計上します。"),
    )  # R10.1, R10.3
    journal_date_policy = models.CharField(
        _("仕訳日付"), max_length=12, choices=JournalDatePolicy.choices, default=JournalDatePolicy.POSTING,
    )  # R10.4
    payment_day_roll = models.CharField(
        _("支払日が休業日の場合"), max_length=10,
        choices=[("previous", _("前営業日")), ("next", _("翌営業日"))], default="previous",
    )  # R11.2
    # 全銀 requester (振込依頼人) and the company's debit account
    zengin_requester_code = models.CharField(_("振込依頼人コード"), max_length=10, blank=True)
    zengin_requester_name = models.CharField(_("振込依頼人名（カナ）"), max_length=40, blank=True)
    bank_code = models.CharField(_("仕向金融機関コード"), max_length=4, blank=True)
    branch_code = models.CharField(_("仕向支店コード"), max_length=3, blank=True)
    bank_account_type = models.CharField(
        _("預金種目"), max_length=1, choices=[("1", _("普通")), ("2", _("当座")), ("9", _("その他"))], default="1"
    )
    bank_account_number = models.CharField(_("口座番号"), max_length=7, blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("会社設定")
        verbose_name_plural = _("会社設定")

    def __str__(self) -> str:
        return self.name

    @property
    def books_employee_paid_at_payment(self) -> bool:
        """R10.3 "payment only": what employees paid is booked by the 支払仕訳, not at confirmation."""
        return self.posting_style == self.PostingStyle.PAYMENT_ONLY

    @property
    def rounding(self) -> Rounding:
        return Rounding(self.tax_rounding)

    def small_amount_eligible_on(self, day) -> bool:
        """R4.1: is the fiscal year containing `day` marked eligible for 少額特例?"""
        start_year = day.year if day.month >= self.fiscal_year_start_month else day.year - 1
        years = {part.strip() for part in self.small_amount_eligible_years.split(",")}
        return str(start_year) in years

    @classmethod
    def load(cls) -> "CompanySettings":
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row
