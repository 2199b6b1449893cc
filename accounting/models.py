"""Accounting: the chart, vendor mappings, deduction schedules, journal entries, exports and payments.

Journal entries and lines are immutable (domain.md R10.4): no update path in code, a read-only admin and
PostgreSQL triggers that refuse UPDATE/DELETE. Which export holds an entry lives beside it, in ExportItem.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Account(models.Model):
    """Internal chart of accounts: code → name; vendor mappings may rename per format."""

    code = models.CharField(_("勘定科目コード"), max_length=30, unique=True)
    name = models.CharField(_("勘定科目"), max_length=50)
    is_active = models.BooleanField(_("有効"), default=True)

    class Meta:
        verbose_name = _("勘定科目")
        verbose_name_plural = _("勘定科目")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TaxCategoryMapping(models.Model):
    """Editable vendor vocabulary (formats.md §4): one row per (format, table, key)."""

    class Table(models.TextChoices):
        TAX = "tax", _("税区分")
        INVOICE = "invoice", _("インボイス区分")
        ACCOUNT = "account", _("勘定科目名")
        MARK = "mark", _("税計算区分")
        LITERAL = "literal", _("その他の語")

    vendor = models.CharField(_("形式"), max_length=20)
    table = models.CharField(_("種類"), max_length=10, choices=Table.choices)
    key = models.CharField(_("キー"), max_length=60)
    value = models.CharField(_("出力する文字列"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("税区分・科目の対応表")
        verbose_name_plural = _("税区分・科目の対応表")
        ordering = ["vendor", "table", "key"]
        constraints = [models.UniqueConstraint(fields=["vendor", "table", "key"], name="mapping_unique_key")]

    def __str__(self) -> str:
        return f"{self.vendor} {self.table} {self.key} → {self.value}"


class DeductionScheduleRow(models.Model):
    """R2.1/R2.2: date-effective deduction ratio for purchases from non-qualified sellers."""

    schedule = models.CharField(_("控除割合表"), max_length=40)
    valid_from = models.DateField(_("適用開始日"))
    valid_to = models.DateField(_("適用終了日"), null=True, blank=True)
    ratio = models.PositiveSmallIntegerField(_("控除割合（%）"))

    class Meta:
        verbose_name = _("経過措置の控除割合")
        verbose_name_plural = _("経過措置の控除割合")
        ordering = ["schedule", "valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(ratio__lte=100), name="deduction_ratio_le_100"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="deduction_valid_range"
            ),
            models.UniqueConstraint(fields=["schedule", "valid_from"], name="deduction_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.schedule} {self.valid_from}〜{self.valid_to or ''} {self.ratio}%"


class ExportFormat(models.TextChoices):
    YAYOI = "yayoi", _("弥生会計（仕訳日記帳）")
    FREEE = "freee", _("freee会計（取引）")
    MONEYFORWARD = "moneyforward", _("マネーフォワード クラウド会計（仕訳帳）")
    GENERIC = "generic", _("汎用CSV（UTF-8）")


class ExportBatch(models.Model):
    class Status(models.TextChoices):
        BUILDING = "building", _("作成中")
        READY = "ready", _("作成済み")
        FAILED = "failed", _("失敗")
        CANCELLED = "cancelled", _("取消済み")

    format = models.CharField(_("形式"), max_length=20, choices=ExportFormat.choices)
    period_from = models.DateField(_("期間（から）"))
    period_to = models.DateField(_("期間（まで）"))
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.BUILDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("作成者"))
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    entry_count = models.PositiveIntegerField(_("仕訳数"), default=0)
    line_count = models.PositiveIntegerField(_("明細行数"), default=0)
    progress = models.PositiveIntegerField(_("処理済みの仕訳数"), default=0)
    file_name = models.CharField(_("ファイル名"), max_length=100, blank=True)
    file_path = models.CharField(max_length=300, blank=True)  # relative to SEISAN_EXPORTS_DIR
    file_size = models.BigIntegerField(_("サイズ"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    substitutions = models.PositiveIntegerField(_("置換した文字を含むセル数"), default=0)
    error = models.TextField(_("エラー"), blank=True)
    finished_at = models.DateTimeField(_("完了日時"), null=True, blank=True)
    # Last time the build was handed to the broker; the sweeper re-queues a batch left BUILDING.
    queued_at = models.DateTimeField(_("作成依頼日時"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消日時"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     null=True, blank=True, verbose_name=_("取消者"))

    class Meta:
        verbose_name = _("仕訳エクスポート")
        verbose_name_plural = _("仕訳エクスポート")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_to__gte=F("period_from")), name="export_period_range"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_format_display()} {self.period_from}〜{self.period_to}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return min(99, self.progress * 100 // self.entry_count) if self.entry_count else 0


class PaymentBatch(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("振込データ作成済み")
        PAID = "paid", _("支払済み")

    transfer_date = models.DateField(_("振込指定日"))
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.CREATED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("作成者"))
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    total_amount = models.BigIntegerField(_("振込合計"), default=0)
    item_count = models.PositiveIntegerField(_("件数"), default=0)
    file_name = models.CharField(_("ファイル名"), max_length=100, blank=True)
    content = models.BinaryField(_("全銀データ"), default=b"")  # small: one 120-byte record per payee
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    paid_at = models.DateTimeField(_("支払日時"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                null=True, blank=True, verbose_name=_("支払処理者"))

    class Meta:
        verbose_name = _("振込バッチ")
        verbose_name_plural = _("振込バッチ")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(total_amount__gte=0), name="payment_total_gte_0")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.transfer_date} ¥{self.total_amount:,}"


class PaymentItem(models.Model):
    """One payee of a batch. `claim` is unique: a claim is paid once."""

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="items")
    claim = models.OneToOneField("expenses.Claim", on_delete=models.PROTECT, related_name="payment_item",
                                 verbose_name=_("精算書"))
    payee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("受取人"))
    amount = models.BigIntegerField(_("振込金額"))
    bank_code = models.CharField(max_length=4)
    branch_code = models.CharField(max_length=3)
    account_type = models.CharField(max_length=1)
    account_number = models.CharField(max_length=7)
    holder_kana = models.CharField(max_length=30)

    class Meta:
        verbose_name = _("振込明細")
        verbose_name_plural = _("振込明細")
        ordering = ["batch_id", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_item_amount_gt_0")]

    def __str__(self) -> str:
        return f"{self.claim_id} ¥{self.amount:,}"


class JournalEntry(models.Model):
    """One balanced 伝票. Immutable; a correction is a reversal plus a new entry."""

    class Kind(models.TextChoices):
        ACCRUAL = "accrual", _("計上仕訳")
        PAYMENT = "payment", _("支払仕訳")
        REVERSAL = "reversal", _("取消仕訳")

    kind = models.CharField(_("種類"), max_length=10, choices=Kind.choices)
    claim = models.ForeignKey("expenses.Claim", on_delete=models.PROTECT, related_name="journal_entries",
                              verbose_name=_("精算書"), db_index=False)  # covered by entry_posted_once
    # Per claim and kind, revision n is posted once: the DB refuses a second posting of the same claim.
    revision = models.PositiveIntegerField(_("版"), default=0)
    entry_date = models.DateField(_("仕訳日付"))
    description = models.CharField(_("摘要"), max_length=200, blank=True)
    debit_total = models.BigIntegerField(_("借方合計"))
    credit_total = models.BigIntegerField(_("貸方合計"))
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="reversed_by", verbose_name=_("取り消した仕訳"))
    payment_batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="entries", verbose_name=_("振込バッチ"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("作成者"), db_index=False)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("仕訳")
        verbose_name_plural = _("仕訳")
        ordering = ["entry_date", "id"]
        indexes = [models.Index(fields=["entry_date", "id"], name="entry_date_id")]
        constraints = [
            models.CheckConstraint(condition=Q(debit_total=F("credit_total")), name="entry_balanced"),
            models.CheckConstraint(condition=Q(debit_total__gt=0), name="entry_total_gt_0"),
            models.UniqueConstraint(fields=["claim", "kind", "revision"], name="entry_posted_once"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.entry_date}"


class JournalLine(models.Model):
    class Side(models.TextChoices):
        DEBIT = "debit", _("借方")
        CREDIT = "credit", _("貸方")

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveIntegerField(_("行"))
    side = models.CharField(_("貸借"), max_length=6, choices=Side.choices)
    account_code = models.CharField(_("勘定科目コード"), max_length=30)
    account_name = models.CharField(_("勘定科目"), max_length=50)
    sub_account = models.CharField(_("補助科目"), max_length=100, blank=True)
    department = models.CharField(_("部門"), max_length=100, blank=True)
    tax_code = models.CharField(_("税区分キー"), max_length=40)  # formats.md §4, frozen at posting (R2.3)
    amount = models.BigIntegerField(_("金額"))
    tax_amount = models.BigIntegerField(_("消費税額"), null=True, blank=True)
    memo = models.CharField(_("摘要"), max_length=300, blank=True)
    special_case = models.CharField(_("特例"), max_length=20, blank=True)
    special_case_note = models.CharField(_("特例の記載"), max_length=60, blank=True)
    counterparty = models.CharField(_("取引先"), max_length=100, blank=True)
    registration_number = models.CharField(_("登録番号"), max_length=14, blank=True)
    claim_line = models.ForeignKey("expenses.ClaimLine", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    receipt_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("仕訳明細")
        verbose_name_plural = _("仕訳明細")
        ordering = ["entry_id", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="journal_line_amount_gte_0"),
            models.UniqueConstraint(fields=["entry", "position"], name="journal_line_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.account_name} ¥{self.amount:,}"


class ExportItem(models.Model):
    """An entry held by an export batch. The entry is the primary key, so no entry is in two batches at once;
    cancelling a batch deletes its rows, which releases the entries for the next export.

    Claiming a 500,000-entry period inserts 500,000 of these narrow rows. Foreign-key checks would cost more
    than the inserts themselves, so the references are not enforced by the database: neither parent can
    disappear (entries refuse DELETE; batches are never deleted, only cancelled). The batch index is a BRIN
    index in PostgreSQL (migration 0006): batch ids grow with insertion order, and it costs almost nothing
    to maintain.
    """

    entry = models.OneToOneField(JournalEntry, on_delete=models.DO_NOTHING, primary_key=True, db_constraint=False,
                                 related_name="export_item", verbose_name=_("仕訳"))
    batch = models.ForeignKey(ExportBatch, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                              related_name="items", verbose_name=_("エクスポート"))

    class Meta:
        verbose_name = _("エクスポート済みの仕訳")
        verbose_name_plural = _("エクスポート済みの仕訳")

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.entry_id}"
