"""Approval records. ClaimEvent is the append-only audit trail of every claim change."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from approvals.transitions import ClaimStatus


class ClaimEvent(models.Model):
    """Who did what to a claim, when, from which state. Never updated or deleted (a PG trigger enforces it)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("作成")
        EDITED = "edited", _("編集")
        STATUS = "status", _("状態変更")

    claim = models.ForeignKey("expenses.Claim", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("種類"), max_length=10, choices=Kind.choices)
    from_status = models.CharField(_("変更前"), max_length=12, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(_("変更後"), max_length=12, choices=ClaimStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("実行者"), on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代理元"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment = models.TextField(_("コメント"), blank=True)
    diff = models.JSONField(_("変更内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("申請履歴")
        verbose_name_plural = _("申請履歴")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.kind} {self.from_status}→{self.to_status}"
