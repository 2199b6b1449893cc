"""People and organisation: users, departments, reimbursement bank accounts."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from people.validators import BankLookupError, lookup_branch, normalise_holder_kana


class Department(TimeStampedModel):
    code = models.CharField(_("部門コード"), max_length=20, unique=True)
    name = models.CharField(_("部門名"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("上位部門"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    head = models.ForeignKey(
        "people.User",
        verbose_name=_("部門長"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    is_active = models.BooleanField(_("有効"), default=True)

    class Meta:
        verbose_name = _("部門")
        verbose_name_plural = _("部門")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        node, seen = self.parent, {self.pk}
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": _("部門の親子関係が循環しています。")})
            seen.add(node.pk)
            node = node.parent


class User(AbstractUser):
    employee_code = models.CharField(
        _("社員番号"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        validators=[RegexValidator(r"^[0-9A-Za-z-]+$", _("社員番号は英数字とハイフンで入力してください。"))],
    )
    name = models.CharField(_("氏名"), max_length=100, blank=True)
    name_kana = models.CharField(_("氏名（カナ）"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("所属部門"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    manager = models.ForeignKey(
        "self", verbose_name=_("直属の上長"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )

    class Meta:
        verbose_name = _("社員")
        verbose_name_plural = _("社員")
        ordering = ["employee_code", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.manager_id is not None and self.manager_id == self.pk:
            raise ValidationError({"manager": _("本人を上長に設定することはできません。")})


class BankAccount(TimeStampedModel):
    """The account a reimbursement is transferred to (全銀 総合振込)."""

    class AccountType(models.TextChoices):
        ORDINARY = "1", _("普通")
        CURRENT = "2", _("当座")
        SAVINGS = "4", _("貯蓄")

    user = models.OneToOneField(User, verbose_name=_("社員"), on_delete=models.CASCADE, related_name="bank_account")
    bank_code = models.CharField(_("金融機関コード"), max_length=4)
    branch_code = models.CharField(_("支店コード"), max_length=3)
    bank_name = models.CharField(_("金融機関名"), max_length=60, editable=False)
    branch_name = models.CharField(_("支店名"), max_length=60, editable=False)
    account_type = models.CharField(_("預金種目"), max_length=1, choices=AccountType.choices, default=AccountType.ORDINARY)
    account_number = models.CharField(
        _("口座番号"), max_length=7, validators=[RegexValidator(r"^\d{7}$", _("口座番号は7桁の数字で入力してください。"))]
    )
    holder_kana = models.CharField(_("口座名義（カナ）"), max_length=30)

    class Meta:
        verbose_name = _("振込口座")
        verbose_name_plural = _("振込口座")

    def __str__(self) -> str:
        return f"{self.bank_name} {self.branch_name} {self.get_account_type_display()} {self.account_number}"

    def clean_fields(self, exclude=None) -> None:
        # Passbooks print short numbers; banks want 7 digits, left-padded with zeros.
        number = (self.account_number or "").strip()
        if number.isdigit() and len(number) < 7:
            self.account_number = number.zfill(7)
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        try:
            branch = lookup_branch(self.bank_code or "", self.branch_code or "")
            self.bank_name, self.branch_name = branch.bank_name, branch.branch_name
        except BankLookupError as exc:
            errors[exc.field] = str(exc)
        try:
            self.holder_kana = normalise_holder_kana(self.holder_kana or "")
        except ValueError as exc:
            errors["holder_kana"] = str(exc)
        if errors:
            raise ValidationError(errors)
