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
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("会社設定")
        verbose_name_plural = _("会社設定")

    def __str__(self) -> str:
        return self.name

    @property
    def rounding(self) -> Rounding:
        return Rounding(self.tax_rounding)

    @classmethod
    def load(cls) -> "CompanySettings":
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row
