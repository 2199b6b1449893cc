"""Receipts (領収書): originals kept untouched and private (電帳法 R7), OCR state, and their audit trail."""

import hashlib
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def receipt_storage():
    return storages["receipts"]


def _path(kind: str, filename: str) -> str:
    """No user-controlled names on disk: yyyy/mm/<uuid>-<kind>.<ext>."""
    ext = PurePosixPath(filename).suffix.lower()[:8] or ".bin"
    today = timezone.localdate()
    return f"{today:%Y/%m}/{uuid.uuid4().hex}-{kind}{ext}"


def original_path(instance, filename: str) -> str:
    return _path("original", filename)


def derived_path(instance, filename: str) -> str:
    return _path("derived", filename)


class Receipt(models.Model):
    class OcrStatus(models.TextChoices):
        PENDING = "pending", _("読み取り待ち")
        PROCESSING = "processing", _("読み取り中")
        DONE = "done", _("読み取り完了")
        FAILED = "failed", _("読み取り失敗")

    class Kind(models.TextChoices):
        SCAN = "scan", _("紙の領収書（スキャン・撮影）")
        ELECTRONIC = "electronic", _("電子取引（PDF等）")

    claim = models.ForeignKey("expenses.Claim", on_delete=models.PROTECT, related_name="receipts")
    line = models.ForeignKey(
        "expenses.ClaimLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="receipts"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("保存日時"), auto_now_add=True, db_index=True)
    original = models.FileField(_("原本"), storage=receipt_storage, upload_to=original_path, max_length=200)
    original_name = models.CharField(_("ファイル名"), max_length=255)
    preview = models.FileField(storage=receipt_storage, upload_to=derived_path, max_length=200, blank=True)
    thumbnail = models.FileField(storage=receipt_storage, upload_to=derived_path, max_length=200, blank=True)
    mime = models.CharField(_("形式"), max_length=40)
    size_bytes = models.PositiveBigIntegerField(_("サイズ"))
    width = models.PositiveIntegerField(_("幅（px）"))
    height = models.PositiveIntegerField(_("高さ（px）"))
    dpi = models.PositiveIntegerField(_("解像度（dpi）"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    phash = models.CharField(_("画像ハッシュ"), max_length=16, blank=True, db_index=True)
    kind = models.CharField(_("種類"), max_length=12, choices=Kind.choices, default=Kind.SCAN)
    ocr_status = models.CharField(
        _("読み取り状態"), max_length=12, choices=OcrStatus.choices, default=OcrStatus.PENDING, db_index=True
    )
    ocr_enqueued_at = models.DateTimeField(null=True, blank=True)
    ocr_started_at = models.DateTimeField(null=True, blank=True)
    ocr_finished_at = models.DateTimeField(null=True, blank=True)
    ocr_attempts = models.PositiveIntegerField(default=0)
    ocr_error = models.CharField(_("読み取りエラー"), max_length=300, blank=True)
    ocr_text = models.TextField(blank=True)
    ocr_result = models.JSONField(default=dict, blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    replaced_at = models.DateTimeField(_("差し替え日時"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("削除日時"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("領収書")
        verbose_name_plural = _("領収書")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:8]})"

    @property
    def is_current(self) -> bool:
        return self.deleted_at is None and self.replaced_at is None

    def file_url(self, variant: str) -> str:
        """The access-checked URL of the original, preview or thumbnail. It names the stored file's
        version: the preview and thumbnail are made again when OCR finds the photo lying sideways,
        and the browser keeps the old ones for an hour under an unchanged URL."""
        version = hashlib.sha256(getattr(self, variant).name.encode()).hexdigest()[:10]
        return f"{reverse('expenses:receipt-file', args=[self.pk, variant])}?v={version}"

    @property
    def original_url(self) -> str:
        return self.file_url("original")

    @property
    def preview_url(self) -> str:
        return self.file_url("preview")

    @property
    def thumbnail_url(self) -> str:
        return self.file_url("thumbnail")


class ReceiptEvent(models.Model):
    """Correction/deletion history of receipts (R7.4). Append-only; PostgreSQL rejects UPDATE/DELETE."""

    class Kind(models.TextChoices):
        UPLOADED = "uploaded", _("アップロード")
        OCR_DONE = "ocr_done", _("読み取り完了")
        OCR_FAILED = "ocr_failed", _("読み取り失敗")
        REREAD = "reread", _("再読み取り")
        REPLACED = "replaced", _("差し替え")
        DELETED = "deleted", _("削除")

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("領収書の履歴")
        verbose_name_plural = _("領収書の履歴")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.receipt_id} {self.kind}"
